"""The scenario catalogue: what the person does in each clip, and which faults that shows.

Every clip starts standing, steps into the lunge over ~1.2 s (phase ``setting_up``) and holds
it (``stretch``). Good-form values sit well inside the good range and fault values well past
the rule limit (posture_rules/default_rules.toml), so a threshold test is never a coin flip
on the held pose. Per-variant jitter (``jitter``) keeps each value inside its band.

To add a scenario: append a ``Scenario`` to ``SCENARIOS`` (see tools/synth/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tools.synth.lunge import LungeParams

GOOD = LungeParams(trunk_lean_deg=0.0, front_knee_deg=88.0, rear_hip_ext_deg=20.0, pelvic_tilt_deg=4.0)


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    hold: LungeParams = GOOD
    facing: str = "right"
    yaw_deg: float = 0.0  # camera swing toward the person's front (0 = pure side view)
    fault: LungeParams | None = None  # a fault that comes and goes during the hold
    ending: str = "hold"  # hold | walk_out
    passerby: bool = False
    duration_s: float = 4.0
    expected_flags: tuple[str, ...] = ()  # flags of the held pose (and of ``fault`` if any)
    # Per-variant jitter: field -> (low, high) offsets added to ``hold`` (and ``fault``).
    jitter: dict[str, tuple[float, float]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "description": self.description,
            "facing": self.facing,
            "yaw_deg": self.yaw_deg,
            "ending": self.ending,
            "passerby": self.passerby,
            "duration_s": self.duration_s,
            "expected_flags": list(self.expected_flags),
        }


GOOD_JITTER = {
    "trunk_lean_deg": (-3.0, 3.0),
    "front_knee_deg": (-4.0, 4.0),
    "rear_hip_ext_deg": (-3.0, 3.0),
    "pelvic_tilt_deg": (-2.0, 2.5),
}


def _good(name, front_leg, facing, desc, **kw):
    return Scenario(name, desc, GOOD.with_(front_leg=front_leg), facing=facing, jitter=GOOD_JITTER, **kw)


SCENARIOS: list[Scenario] = [
    _good("good_left_side_facing_right", "right", "right", "Good form, left hip stretched (left knee down), facing right."),
    _good("good_left_side_facing_left", "right", "left", "Good form, left hip stretched, facing left."),
    _good("good_right_side_facing_right", "left", "right", "Good form, right hip stretched (right knee down), facing right."),
    _good("good_right_side_facing_left", "left", "left", "Good form, right hip stretched, facing left."),
    Scenario(
        "good_knee_up",
        "Good form with the rear knee off the floor (the guide allows either).",
        GOOD.with_(front_shin_deg=6.0, rear_knee_lift_m=None, front_knee_deg=92.0),
        jitter={"trunk_lean_deg": (-3, 3), "rear_hip_ext_deg": (-2, 2), "pelvic_tilt_deg": (-2, 2)},
    ),
    Scenario(
        "trunk_forward",
        "Trunk leaning forward ~28 deg (fault), everything else good.",
        GOOD.with_(trunk_lean_deg=28.0, rear_hip_ext_deg=15.0, front_knee_deg=92.0),
        expected_flags=("trunk_lean_forward",),
        jitter={"trunk_lean_deg": (-2, 2), "rear_hip_ext_deg": (-2, 2)},
    ),
    Scenario(
        "trunk_back",
        "Trunk leaning back ~20 deg (fault).",
        GOOD.with_(trunk_lean_deg=-20.0, rear_hip_ext_deg=22.0, front_knee_deg=95.0),
        facing="left",
        expected_flags=("trunk_lean_back",),
        jitter={"trunk_lean_deg": (-2, 2)},
    ),
    Scenario(
        "knee_past_toes",
        "Front knee ~0.4 shin lengths past the toes (shin 54 deg forward, front heel up 20 deg), "
        "rear knee off the floor.",
        GOOD.with_(front_knee_deg=82.0, front_shin_deg=54.0, front_heel_lift_deg=20.0, rear_knee_lift_m=None),
        expected_flags=("front_knee_past_toes",),
        jitter={"front_shin_deg": (-2, 2), "trunk_lean_deg": (-2, 2)},
    ),
    Scenario(
        "front_knee_open",
        "Front foot too far ahead: front knee opened to ~135 deg (fault).",
        GOOD.with_(front_knee_deg=135.0, rear_hip_ext_deg=18.0),
        facing="left",
        expected_flags=("front_knee_angle",),
        jitter={"front_knee_deg": (-3, 3), "trunk_lean_deg": (-2, 2)},
    ),
    Scenario(
        "front_knee_deep",
        "Front knee bent to ~55 deg, which also pushes it past the toes (two faults).",
        GOOD.with_(front_knee_deg=55.0, rear_hip_ext_deg=25.0),
        expected_flags=("front_knee_past_toes", "front_knee_angle"),
        jitter={"front_knee_deg": (-1.5, 1.5)},
    ),
    Scenario(
        "no_glute",
        "Rear hip not extended (thigh in line with the trunk or ahead): no glute engagement.",
        GOOD.with_(rear_hip_ext_deg=-5.0),
        expected_flags=("no_glute_engagement",),
        jitter={"rear_hip_ext_deg": (-4, 4), "trunk_lean_deg": (-2, 2)},
    ),
    Scenario(
        "anterior_tilt",
        "Pelvis tipped forward ~23 deg (not tucked): deep lumbar curve, buttocks out.",
        GOOD.with_(pelvic_tilt_deg=23.0),
        facing="left",
        expected_flags=("anterior_pelvic_tilt",),
        jitter={"pelvic_tilt_deg": (-1.5, 1.5), "trunk_lean_deg": (-2, 2)},
    ),
    Scenario(
        "tilt_comes_and_goes",
        "Good hold; the pelvis tips forward to ~23 deg for ~1.4 s, then tucks again.",
        GOOD,
        fault=GOOD.with_(pelvic_tilt_deg=23.0),
        duration_s=5.5,
        expected_flags=("anterior_pelvic_tilt",),
        jitter={"trunk_lean_deg": (-2, 2)},
    ),
    Scenario(
        "lean_comes_and_goes",
        "Good hold; the trunk leans forward to ~28 deg for ~1.4 s, then straightens.",
        GOOD.with_(front_leg="left"),
        facing="left",
        fault=GOOD.with_(front_leg="left", trunk_lean_deg=28.0, rear_hip_ext_deg=15.0),
        duration_s=5.5,
        expected_flags=("trunk_lean_forward",),
    ),
    Scenario(
        "side_bend",
        "Good form plus the optional side bend (15 deg away from the stretched leg), arm overhead.",
        GOOD.with_(lateral_bend_deg=15.0, arms="overhead_left"),
        yaw_deg=25.0,
        jitter=GOOD_JITTER,
    ),
    _good("oblique_20", "right", "right", "Good form seen 20 deg off the side view.", yaw_deg=20.0),
    _good("oblique_45", "left", "left", "Good form seen 45 deg off the side view.", yaw_deg=45.0),
    Scenario(
        "walk_out",
        "Good hold, then the person stands up and walks out of the frame (no_person at the end).",
        GOOD,
        ending="walk_out",
        duration_s=6.0,
        jitter=GOOD_JITTER,
    ),
    Scenario(
        "passerby",
        "Good hold while a second person walks past behind.",
        GOOD.with_(front_leg="left"),
        facing="left",
        passerby=True,
        duration_s=5.0,
        jitter=GOOD_JITTER,
    ),
]

BY_NAME = {s.name: s for s in SCENARIOS}


def jittered(params: LungeParams, jitter: dict, rng: np.random.Generator | None) -> LungeParams:
    if rng is None or not jitter:
        return params
    kw = {}
    for k, (lo, hi) in sorted(jitter.items()):
        v = getattr(params, k)
        if v is not None:
            kw[k] = v + float(rng.uniform(lo, hi))
    return params.with_(**kw)
