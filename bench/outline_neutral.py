"""What the body outline reads at a neutral pelvis, across people: the typical neutral an
uncalibrated outline reading is judged against, and its uncertainty.

    python bench/outline_neutral.py --rendered bench/out/accuracy [...] --real out/real

With no calibration the checker takes the outline's tilt change from a typical person's
neutral reading (``[pelvis] outline_typical_neutral_deg``) and asks a flag to clear
``outline_typical_neutral_uncertainty_deg`` more. This measures both from runs already made, with the
checker's current configuration (the runs must have been made with it):

* ``--rendered``: ``bench/accuracy.py`` output folders (``runs/<model>/<clip>/frames.csv``
  beside the rendered clips' truth, found through ``accuracy.json``'s ``--clips``, or
  ``clips/`` inside). Per person: the outline's own reading in the held stretch minus the
  true tilt change, i.e. the reading at that person's neutral tilt.
* ``--real``: ``bench/real.py`` output folders. Real clips have no tilt truth, so per person
  (side and ~30 deg clips) the median reading over the labelled stretch: people in the
  stretch, pelvis somewhere between tucked and tipped.

The outline's own reading is recovered from frames.csv where the change was taken against
the typical neutral: ``typical + (change + gain * (lean - ref)) / (1 - gain * lean_per_tilt)``
(``posture_rules.pelvis.outline_change``). Prints per population the people's median and
spread, and the central 90 % interval of all of them with each population weighted alike:
its middle is a typical neutral, its half-width the uncertainty that covers 90 % of people.
A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posture_rules.config import load_config
from posture_rules.pelvis import ASSUMED_NEUTRAL
from stretchcheck.evaluate import read_rows

MIN_FRAMES = 10  # readings a person needs to count
SIDE_VIEWS = ("side", "oblique ~30")  # the outline is read side-on (bench/real.py's scored views)


def outline_index(row: dict, cfg) -> float | None:
    """The outline's own reading behind a frames.csv row whose change was taken against the
    typical neutral; None for any other row."""
    if ASSUMED_NEUTRAL not in row.get("pelvic_tilt_method", "") or not row.get("pelvic_tilt_change_deg"):
        return None
    if not row.get("trunk_lean_deg") or not row["pelvic_tilt_method"].startswith("outline"):
        return None
    g, k = cfg.outline_lean_gain, cfg.lean_per_tilt
    lean = float(row["trunk_lean_deg"]) - cfg.outline_typical_neutral_lean_deg
    return cfg.outline_typical_neutral_deg + (float(row["pelvic_tilt_change_deg"]) + g * lean) / (1.0 - g * k)


def rendered_people(folder: Path, cfg) -> list[float]:
    acc = json.loads((folder / "accuracy.json").read_text()) if (folder / "accuracy.json").exists() else {}
    cmd = acc.get("command", "").split()
    clips = Path(cmd[cmd.index("--clips") + 1]) if "--clips" in cmd else folder / "clips"
    out = []
    for frames in sorted(folder.glob("runs/*/*/frames.csv")):
        truth_path = clips / f"{frames.parent.name}.truth.csv"
        if not truth_path.exists():
            continue
        truth = {int(t["frame"]): t for t in read_rows(truth_path)}
        values = []
        for r in read_rows(frames):
            t = truth.get(int(r["frame"]))
            x = outline_index(r, cfg)
            if t is None or t.get("phase") != "stretch" or x is None or not t.get("pelvic_tilt_change_deg"):
                continue
            values.append(x - float(t["pelvic_tilt_change_deg"]))
        if len(values) >= MIN_FRAMES:
            out.append(float(np.median(values)))
    return out


def real_people(folder: Path, cfg) -> list[float]:
    manifest = json.loads((ROOT / "bench" / "real" / "manifest.json").read_text())
    out = []
    for clip in manifest["clips"]:
        frames = folder / clip["clip_id"] / "frames.csv"
        if not frames.exists() or clip.get("view") not in SIDE_VIEWS:
            continue
        spans = clip["labels"].get("stretch") or []
        values = [x for r in read_rows(frames)
                  if any(a <= float(r["time_s"]) <= b for a, b in spans) and (x := outline_index(r, cfg)) is not None]
        if len(values) >= MIN_FRAMES:
            out.append(float(np.median(values)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rendered", type=Path, nargs="*", default=[])
    ap.add_argument("--real", type=Path, nargs="*", default=[])
    args = ap.parse_args()
    cfg = load_config().pelvis
    pops = {"rendered": [v for f in args.rendered for v in rendered_people(f, cfg)],
            "real": [v for f in args.real for v in real_people(f, cfg)]}
    pops = {k: np.array(v) for k, v in pops.items() if v}
    if not pops:
        print("no outline readings against the typical neutral in the folders given", file=sys.stderr)
        return 2
    for name, v in pops.items():
        print(f"{name}: {len(v)} people, reading median {np.median(v):.1f}, sd {np.std(v, ddof=1) if len(v) > 1 else 0:.1f}, "
              f"range {v.min():.1f}-{v.max():.1f}")
    # Each population weighs alike, however many people it has.
    values = np.concatenate(list(pops.values()))
    weights = np.concatenate([np.full(len(v), 1.0 / len(v)) for v in pops.values()])
    order = np.argsort(values)
    cum = np.cumsum(weights[order]) / weights.sum()
    lo, hi = values[order][np.searchsorted(cum, 0.05)], values[order][min(np.searchsorted(cum, 0.95), len(values) - 1)]
    print(f"central 90 % of people (populations weighted alike): {lo:.1f}-{hi:.1f}: typical neutral "
          f"{(lo + hi) / 2:.1f}, uncertainty {(hi - lo) / 2:.1f} (now {cfg.outline_typical_neutral_deg:g} and "
          f"{cfg.outline_typical_neutral_uncertainty_deg:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
