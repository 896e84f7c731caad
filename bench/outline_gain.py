"""How far the body-outline reading moves per degree of pelvic tilt, with perfect inputs.

    python bench/outline_gain.py                 # 12 people (seeds 500-511), both facings
    python bench/outline_gain.py --seeds 24 --json out/outline_gain.json

The outline reads the lower back's hollow (``posture_rules.pelvis.outline_reading``) and turns
its depth into degrees through ``[pelvis] hollow_radius``. That radius is a model constant:
how far the hollow moves forward per radian of pelvic tilt, which depends on how the lumbar
curve follows the pelvis, not only on the sacrum's height. This script measures it on the
generator's bodies with the renderer's own person mask and the true landmarks (no pose model,
so none of its errors), for people the accuracy benchmark does not use (seeds 500 on):

* **gain**: outline change / true tilt change in the held lunge (tilts neutral -8, neutral,
  neutral +12), per person; 1.0 means ``hollow_radius`` is right for that body;
* **posture offset**: the lunge at the neutral tilt against the calibration pose at the same
  tilt (kneeling upright, and standing), in outline degrees: what the pose change alone adds;
* **lean gain**: outline change per degree of trunk lean (leans -10, 0, +10) with the pelvis
  at its neutral: the share of the lean the checker takes out of a reading
  (``[pelvis] outline_lean_gain``, ``outline_lean_gain_sd``);
* **at neutral**: the reading in the lunge at the person's own neutral tilt, the typical
  neutral an uncalibrated reading is compared with (``outline_typical_neutral_deg``; the
  pose model's masks read it differently, see the README).

It prints each person and the mean and spread, and the radius that would make the mean gain 1.
The gain is the rendered body's (its spine model: tools/synth/kinematics.py); a real spine
couples to the pelvis its own way, so the number is only as good as that model. This is a
benchmark, not a test: it asserts nothing.
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
from posture_rules.pelvis import OutlineReading, outline_reading
from tools.synth.lunge import kneeling_pose, lunge_pose, standing_pose
from tools.synth.perfect_view import PerfectView
from tools.synth.scenarios import BY_NAME
from tools.synth.variation import sample_setup
from vision.outline import body_outline

TILT_STEPS = (-8.0, 0.0, 12.0)  # degrees from the person's neutral, as the tilt scenarios use
LEAN_STEPS = (-10.0, 0.0, 10.0)  # trunk lean, degrees (the lunge's is 0 +- 3)


def reading(view: PerfectView, body, cfg) -> float | None:
    mask, pose, _ = view(body)
    r = outline_reading(body_outline(mask, pose), view.facing, cfg)
    return r.index_deg if isinstance(r, OutlineReading) else None


def person(scenario: str, seed: int, cfg) -> dict | None:
    sc = BY_NAME[scenario]
    setup = sample_setup(sc, seed)
    hold = setup.hold.with_(arms="chest")  # arms clear of the back: the outline is the body's
    neutral = setup.neutral_tilt_deg
    view = PerfectView(setup, sc.facing)
    tilts = [neutral + d for d in TILT_STEPS]
    lunge = [reading(view, lunge_pose(setup.build, hold.with_(pelvic_tilt_deg=t)), cfg) for t in tilts]
    kneel = reading(view, kneeling_pose(setup.build, arms="chest").with_(pelvic_tilt_deg=neutral), cfg)
    stand = reading(view, standing_pose(setup.build, arms="chest").with_(pelvic_tilt_deg=neutral), cfg)
    if any(v is None for v in lunge):
        return None
    gain = float(np.polyfit(tilts, lunge, 1)[0])
    leaning = [reading(view, lunge_pose(setup.build, hold.with_(pelvic_tilt_deg=neutral, trunk_lean_deg=lean)), cfg)
               for lean in LEAN_STEPS]
    lean_gain = None if any(v is None for v in leaning) else float(np.polyfit(LEAN_STEPS, leaning, 1)[0])
    at_neutral = lunge[TILT_STEPS.index(0.0)]
    return {
        "scenario": scenario, "seed": seed, "build": setup.build.name, "neutral_deg": round(neutral, 2),
        "gain": gain, "lean_gain": lean_gain,
        "at_neutral": at_neutral,
        "offset_vs_kneeling": None if kneel is None else at_neutral - kneel,
        "offset_vs_standing": None if stand is None else at_neutral - stand,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=12)
    ap.add_argument("--first-seed", type=int, default=500)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    cfg = load_config().pelvis
    rows = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        for scenario in ("calib_tucked_facing_right", "calib_tucked_facing_left"):
            r = person(scenario, seed, cfg)
            if r is None:
                print(f"{scenario} seed {seed}: no outline reading at some tilt (skipped)")
                continue
            rows.append(r)
            fmt = (lambda v: "-" if v is None else f"{v:+.1f}")
            print(f"{scenario:26} seed {seed} {r['build']:13} gain {r['gain']:.2f}  "
                  f"offset vs kneeling {fmt(r['offset_vs_kneeling'])}  vs standing {fmt(r['offset_vs_standing'])}  "
                  f"lean gain {'-' if r['lean_gain'] is None else format(r['lean_gain'], '.2f')}")
    gains = np.array([r["gain"] for r in rows])

    def stats(key):
        v = np.array([r[key] for r in rows if r[key] is not None])
        return {"mean": float(v.mean()), "sd": float(v.std(ddof=1)), "mean_abs": float(np.abs(v).mean()), "n": len(v)}

    out = {
        "people": len({r["seed"] for r in rows}), "readings": len(rows), "hollow_radius": cfg.hollow_radius,
        "gain": {"mean": float(gains.mean()), "sd": float(gains.std(ddof=1)), "min": float(gains.min()),
                 "max": float(gains.max())},
        "radius_for_unit_gain": cfg.hollow_radius * float(gains.mean()),
        "offset_vs_kneeling": stats("offset_vs_kneeling"), "offset_vs_standing": stats("offset_vs_standing"),
        "lean_gain": stats("lean_gain"), "at_neutral": stats("at_neutral"),
        "rows": rows,
    }
    g = out["gain"]
    people = len({r["seed"] for r in rows})
    print(f"\n{people} people x 2 facings ({len(rows)} readings): gain {g['mean']:.2f} +- {g['sd']:.2f} (range {g['min']:.2f}-{g['max']:.2f}) "
          f"with hollow_radius {cfg.hollow_radius:g}; the radius for a mean gain of 1: {out['radius_for_unit_gain']:.3f}")
    for key in ("offset_vs_kneeling", "offset_vs_standing"):
        s = out[key]
        print(f"{key}: mean {s['mean']:+.2f}, sd {s['sd']:.2f}, mean |.| {s['mean_abs']:.2f} outline degrees (n={s['n']})")
    s = out["at_neutral"]
    print(f"reading in the lunge at the person's own neutral tilt: {s['mean']:.1f} +- {s['sd']:.1f} "
          f"(the typical neutral an uncalibrated reading is taken against; n={s['n']})")
    s = out["lean_gain"]
    print(f"lean gain: {s['mean']:+.2f} +- {s['sd']:.2f} outline degrees per degree of trunk lean, pelvis still (n={s['n']})")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
