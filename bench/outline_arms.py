"""Can the body outline see the pelvis past an arm? Measured with perfect inputs.

    python bench/outline_arms.py                # 12 people (seeds 500-511)

For the arm positions people take in the stretch (``down``: hanging, ``hips``: hands on the
hips), on the generator's bodies with the renderer's own person mask and the true joints (no
pose model, so none of its errors; ``tools/synth/perfect_view``), at the person's neutral tilt
in the lunge:

* **covered**: per band of heights along the trunk (hip-to-shoulder lengths above the hips),
  the share of the back's edge that the arm moves by more than 0.01 trunk lengths against the
  same body with the arms folded at the chest: where the edge is the arm's;
* **what the rest tells**: for bands of the back's edge measured from the buttock's apex (arms
  folded), the depth change per degree of pelvic tilt (tilts neutral -8, 0, +12) and per
  degree of trunk lean (-10, 0, +10); the hollow's band (0.35-0.5) is what the checker reads;
* **the arm-covered reading**: the checker's outline reading with the arm in place (no arm
  check), per degree of tilt: does the edge the arm forms still follow the pelvis?

A benchmark, not a test: it prints, it asserts nothing. The answers are the rendered bodies'
(their spine and soft tissue follow tools/synth's model), not a real body's.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posture_rules.config import load_config
from posture_rules.pelvis import OutlineReading, outline_reading
from tools.synth.lunge import lunge_pose
from tools.synth.perfect_view import PerfectView
from tools.synth.scenarios import BY_NAME
from tools.synth.variation import sample_setup
from vision.outline import body_outline

HEIGHTS = np.arange(-0.2, 0.85, 0.1)  # band starts, 0.1 trunk lengths each
BANDS = ((0.05, 0.2), (0.1, 0.25), (0.15, 0.3), (0.35, 0.5), (0.5, 0.65), (0.6, 0.75), (0.7, 0.85))
TILTS = (-8.0, 0.0, 12.0)
LEANS = (-10.0, 0.0, 10.0)


def back_edge(view: PerfectView, body, facing: str):
    mask, pose, _ = view(body)
    outline = body_outline(mask, pose)
    return outline, outline.side("left" if facing == "right" else "right")


def band_depths(side, trunk_px: float, facing: str) -> dict[tuple[float, float], float]:
    """Per band (heights above the buttock's apex), the apex's depth behind the band's median
    edge, in outline degrees (as the checker's hollow: depth / hollow radius)."""
    ok = np.isfinite(side.points[:, 0])
    f = 1.0 if facing == "right" else -1.0
    lv, xb, yb = side.levels[ok], -f * side.points[ok, 0], -side.points[ok, 1]
    seat = (lv >= -0.2) & (lv <= 0.3)
    k = np.flatnonzero(seat)[np.argmax(xb[seat])]
    rise = (yb - yb[k]) / trunk_px
    radius = load_config().pelvis.hollow_radius
    return {(lo, hi): math.degrees((xb[k] - float(np.median(xb[(rise >= lo) & (rise <= hi)]))) / trunk_px / radius)
            for lo, hi in BANDS}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=12)
    ap.add_argument("--first-seed", type=int, default=500)
    args = ap.parse_args()
    cfg = load_config().pelvis
    sc = BY_NAME["tilt_thigh_tucked"]
    covered = {arms: np.zeros(len(HEIGHTS)) for arms in ("down", "hips")}
    tilt_gain: dict = {b: [] for b in BANDS}
    lean_gain: dict = {b: [] for b in BANDS}
    covered_gain: dict = {"down": [], "hips": []}
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    for seed in seeds:
        setup = sample_setup(sc, seed)
        view, neutral = PerfectView(setup, sc.facing), setup.neutral_tilt_deg

        def body(arms: str, tilt: float = 0.0, lean: float | None = None):
            hold = setup.hold.with_(arms=arms, pelvic_tilt_deg=neutral + tilt)
            return lunge_pose(setup.build, hold if lean is None else hold.with_(trunk_lean_deg=lean))

        folded, ref = back_edge(view, body("chest"), sc.facing)
        for arms in covered:
            outline, side = back_edge(view, body(arms), sc.facing)
            moved = np.abs(side.points[:, 0] - ref.points[:, 0]) / outline.trunk_px > 0.01
            for i, h in enumerate(HEIGHTS):
                covered[arms][i] += float(np.mean(moved[(ref.levels >= h) & (ref.levels < h + 0.1)]))
            readings = []
            for tilt in TILTS:
                o, _ = back_edge(view, body(arms, tilt), sc.facing)
                r = outline_reading(o, sc.facing, cfg)
                readings.append(r.index_deg if isinstance(r, OutlineReading) else np.nan)
            if np.isfinite(readings).all():
                covered_gain[arms].append(float(np.polyfit(TILTS, readings, 1)[0]))
        by_tilt = [band_depths(s, o.trunk_px, sc.facing) for o, s in (back_edge(view, body("chest", t), sc.facing) for t in TILTS)]
        by_lean = [band_depths(s, o.trunk_px, sc.facing)
                   for o, s in (back_edge(view, body("chest", 0.0, lean), sc.facing) for lean in LEANS)]
        for b in BANDS:
            tilt_gain[b].append(float(np.polyfit(TILTS, [d[b] for d in by_tilt], 1)[0]))
            lean_gain[b].append(float(np.polyfit(LEANS, [d[b] for d in by_lean], 1)[0]))
    n = len(seeds)
    print(f"{n} rendered people, lunge at their neutral tilt, perfect masks and joints\n")
    print("share of the back's edge the arm forms, by height above the hips (trunk lengths):")
    print("        " + " ".join(f"{h:+.1f}" for h in HEIGHTS))
    for arms, c in covered.items():
        print(f"  {arms:5s} " + " ".join(f"{v / n:4.2f}" for v in c))
    print("\nband above the buttock's apex: outline degrees per degree of pelvic tilt, and per degree of trunk lean")
    for b in BANDS:
        t, le = np.array(tilt_gain[b]), np.array(lean_gain[b])
        mark = "  <- the hollow the checker reads" if b == (cfg.lumbar_band_low, cfg.lumbar_band_high) else ""
        print(f"  {b[0]:.2f}-{b[1]:.2f}: tilt {t.mean():+.2f} +- {t.std():.2f}, lean {le.mean():+.2f} +- {le.std():.2f}{mark}")
    print("\nthe checker's reading with the arm over the back (no arm check), per degree of pelvic tilt:")
    for arms, g in covered_gain.items():
        g = np.array(g)
        if len(g):
            print(f"  {arms:5s} median {np.median(g):+.2f}, range {g.min():+.2f} to {g.max():+.2f} ({len(g)} people read)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
