"""The scenario catalogue: what the person does in each clip, and which faults that shows.

Every clip starts standing (or, for the pelvic-tilt calibration, upright on both knees), steps
into the lunge over ~1.3 s (phase ``setting_up``) and holds it (``stretch``). Good-form values sit well inside the good range and fault values well past
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
    # The relaxed stand before stepping in: how long, and the arms. 3 s with the arms folded
    # across the chest is the neutral-pelvis calibration (an arm hanging at the side covers
    # the lower back's outline).
    stand_s: float = 0.6
    stand_arms: str = "down"
    # ...standing, or upright on both knees (then one foot steps forward into the lunge).
    # Kneeling is the calibration the checker asks for (see posture_rules/pelvis.py).
    neutral_pose: str = "standing"
    # The person's relaxed (neutral) pelvic tilt is NEUTRAL_TILT_DEG, plus a per-variant
    # offset drawn from this range when given (people differ by ~0-20 deg).
    neutral_jitter: tuple[float, float] | None = None
    # ``hold``/``fault`` pelvic_tilt_deg are changes from the person's neutral, not absolute.
    tilt_from_neutral: bool = False
    stickers: bool = False  # ASIS/PSIS stickers on the camera's side (tools/synth/stickers.py)
    arm_choices: tuple[str, ...] | None = None  # arms drawn per variant (None: the default mix)
    loose_clothes: bool = False  # a loose shirt and baggy trousers (tools/synth/appearance.py)

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
            "stand_s": self.stand_s,
            "stand_arms": self.stand_arms,
            "neutral_pose": self.neutral_pose,
            "tilt_from_neutral": self.tilt_from_neutral,
            "stickers": self.stickers,
            "loose_clothes": self.loose_clothes,
        }


GOOD_JITTER = {
    "trunk_lean_deg": (-3.0, 3.0),
    "front_knee_deg": (-4.0, 4.0),
    "rear_hip_ext_deg": (-3.0, 3.0),
    "pelvic_tilt_deg": (-2.0, 2.5),
}


def _good(name, front_leg, facing, desc, **kw):
    return Scenario(name, desc, GOOD.with_(front_leg=front_leg), facing=facing, jitter=GOOD_JITTER, **kw)


# Pelvic-tilt scenarios: tilts are changes from the person's neutral (NEUTRAL_JITTER around
# 10 deg). Good form tucks 7 deg behind it; the fault tips 12 deg in front of it (the flag's
# limit is +5: both sit 5 deg or more from it, with jitter).
NEUTRAL_JITTER = (-5.0, 5.0)
GOOD_REL = GOOD.with_(pelvic_tilt_deg=-7.0)
TIPPED = GOOD.with_(pelvic_tilt_deg=12.0)
REL_JITTER = {"trunk_lean_deg": (-2.5, 2.5), "front_knee_deg": (-4.0, 4.0), "rear_hip_ext_deg": (-3.0, 3.0),
              "pelvic_tilt_deg": (-1.5, 1.5)}


def _calib(name, front_leg, facing, hold, desc, fault=None, duration_s=6.6, **kw):
    kw.setdefault("arm_choices", ("thigh", "chest"))
    kw.setdefault("neutral_pose", "kneeling")
    return Scenario(name, desc, hold.with_(front_leg=front_leg), facing=facing,
                    fault=None if fault is None else fault.with_(front_leg=front_leg),
                    duration_s=duration_s, jitter=REL_JITTER, stand_s=3.0, stand_arms="chest",
                    neutral_jitter=NEUTRAL_JITTER, tilt_from_neutral=True, **kw)


EVERYDAY_ARMS = ("down", "hips", "knee", "thigh")
_EVERYDAY_WORDS = {"down": "arms hanging", "hips": "hands on the hips", "knee": "hands on the front knee",
                   "thigh": "hands on the front thigh"}


def _everyday(arms: str, tipped: bool, stand_s: float = 0.6, loose_clothes: bool = False) -> Scenario:
    """The stretch as people ordinarily do it: a relaxed stand (arms hanging) of ``stand_s``,
    no calibration pose, the lunge with the arms in ``arms``; the pelvis tucked 7 deg behind
    the person's neutral, or (``tipped``) 12 deg in front of it. Sides alternate by arm style
    so every one is seen facing both ways across the family."""
    k = EVERYDAY_ARMS.index(arms)
    facing = ("right", "left")[(k + tipped) % 2]
    front_leg = ("right", "left")[k // 2 % 2]
    name = f"tilt_{arms}_{'tipped' if tipped else 'tucked'}" + ("_stand" if stand_s > 1 else "") \
        + ("_loose" if loose_clothes else "")
    what = "the pelvis tipped ~12 deg in front of its neutral" if tipped else "good form, pelvis tucked ~7 deg"
    return Scenario(name, f"No calibration: {stand_s:g} s relaxed stand with the arms hanging, then the lunge "
                    f"with {_EVERYDAY_WORDS[arms]}; {what}" + (", in loose clothes." if loose_clothes else "."),
                    (TIPPED if tipped else GOOD_REL).with_(front_leg=front_leg), facing=facing,
                    duration_s=4.0 + stand_s, jitter=REL_JITTER, stand_s=stand_s, stand_arms="down",
                    neutral_jitter=NEUTRAL_JITTER, tilt_from_neutral=True, arm_choices=(arms,),
                    expected_flags=("anterior_pelvic_tilt",) if tipped else (), loose_clothes=loose_clothes)


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
        "Rear hip not extended (thigh in line with the trunk or ahead) and the pelvis not tucked "
        "(at its relaxed neutral): no glute engagement.",
        GOOD.with_(rear_hip_ext_deg=-5.0, pelvic_tilt_deg=9.5),
        expected_flags=("no_glute_engagement",),
        jitter={"rear_hip_ext_deg": (-4, 4), "trunk_lean_deg": (-2, 2)},
    ),
    Scenario(
        "anterior_tilt",
        "3 s relaxed upright kneeling (arms folded: the neutral calibration), then the lunge with the "
        "pelvis tipped forward ~23 deg (13 deg in front of its neutral): deep lumbar curve, buttocks out.",
        GOOD.with_(pelvic_tilt_deg=23.0),
        facing="left",
        duration_s=6.6,
        expected_flags=("anterior_pelvic_tilt",),
        jitter={"pelvic_tilt_deg": (-1.5, 1.5), "trunk_lean_deg": (-2, 2)},
        stand_s=3.0,
        stand_arms="chest",
        neutral_pose="kneeling",
    ),
    Scenario(
        "tilt_comes_and_goes",
        "3 s relaxed upright kneeling (neutral calibration); good hold; the pelvis tips forward to "
        "~23 deg for ~1.4 s, then tucks again.",
        GOOD,
        fault=GOOD.with_(pelvic_tilt_deg=23.0),
        duration_s=8.1,
        expected_flags=("anterior_pelvic_tilt",),
        jitter={"trunk_lean_deg": (-2, 2)},
        stand_s=3.0,
        stand_arms="chest",
        neutral_pose="kneeling",
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
    # --- pelvic tilt against the person's own neutral (issue #7) ---------------------------
    # Each starts with the 3 s calibration, upright on both knees (arms folded); the
    # person's neutral tilt varies (5-15 deg); good form tucks the pelvis 7 deg behind it, the fault tips it 12 deg
    # in front of it. ``markers_*`` wear the ASIS/PSIS stickers.
    _calib("calib_tucked_facing_right", "right", "right", GOOD_REL,
           "Neutral calibration, then good form with the pelvis tucked ~7 deg behind neutral."),
    _calib("calib_tucked_facing_left", "left", "left", GOOD_REL,
           "Neutral calibration, then good form (tucked), facing left."),
    _calib("calib_anterior_tilt", "right", "left", TIPPED,
           "Neutral calibration, then the pelvis tipped ~12 deg in front of its neutral.",
           expected_flags=("anterior_pelvic_tilt",)),
    _calib("calib_tilt_comes_and_goes", "left", "right", GOOD_REL,
           "Neutral calibration; tucked hold; the pelvis tips ~12 deg in front of neutral for "
           "~1.4 s, then tucks again.", fault=TIPPED, duration_s=8.2, expected_flags=("anterior_pelvic_tilt",)),
    _calib("calib_oblique_30", "right", "right", GOOD_REL,
           "Neutral calibration, good form (tucked), camera 30 deg off the side view.", yaw_deg=30.0),
    # The outline cannot tell a leaning trunk from a tipping pelvis: with the pelvis near its
    # neutral, this lean moves the lower back's outline as ~11 deg of anterior tilt would
    # (bench/outline_gain.py). The checker must refuse the outline here, not flag the pelvis.
    _calib("calib_trunk_forward", "left", "right", GOOD_REL.with_(pelvic_tilt_deg=-1.5, trunk_lean_deg=23.0,
                                                                  rear_hip_ext_deg=15.0),
           "Neutral calibration, then the trunk leaning forward ~23 deg with the pelvis near its neutral "
           "(~1.5 deg behind it).",
           expected_flags=("trunk_lean_forward",)),
    # The same with the neutral taken standing, as a person may do: the hips are then higher
    # in the frame and seen from another height than in the stretch (the benchmark compares).
    _calib("calib_standing_neutral_tucked", "right", "left", GOOD_REL,
           "Neutral calibration standing, then good form (tucked).", neutral_pose="standing", duration_s=6.4),
    _calib("calib_standing_neutral_anterior_tilt", "left", "right", TIPPED,
           "Neutral calibration standing, then the pelvis tipped ~12 deg in front of its neutral.",
           neutral_pose="standing", duration_s=6.4, expected_flags=("anterior_pelvic_tilt",)),
    # Stickers: filmed from the stretched (rear) leg's side; with the front leg toward the
    # camera its raised thigh hides the front (ASIS) sticker (markers_front_leg_near).
    _calib("markers_tucked", "left", "right", GOOD_REL,
           "Stickers on ASIS and PSIS; neutral calibration; good form, tucked.", stickers=True),
    _calib("markers_anterior_tilt", "right", "left", TIPPED,
           "Stickers; neutral calibration; the pelvis tipped ~12 deg in front of neutral.",
           stickers=True, expected_flags=("anterior_pelvic_tilt",)),
    _calib("markers_tilt_comes_and_goes", "left", "right", GOOD_REL,
           "Stickers; neutral calibration; tucked hold with ~1.4 s of anterior tilt.", stickers=True,
           fault=TIPPED, duration_s=8.2, expected_flags=("anterior_pelvic_tilt",)),
    _calib("markers_oblique_30", "right", "left", GOOD_REL,
           "Stickers; good form (tucked), camera 30 deg off the side view.", stickers=True, yaw_deg=30.0),
    _calib("markers_hands_on_hips", "left", "right", GOOD_REL,
           "Stickers; good form with the hands on the hips, which may hide a sticker.", stickers=True,
           arm_choices=("hips",)),
    _calib("markers_front_leg_near", "right", "right", GOOD_REL,
           "Stickers; good form filmed from the front leg's side: the raised front thigh hides the "
           "front (ASIS) sticker.", stickers=True),
    # --- what real footage showed the checker getting wrong (issue #16) ----------------------
    _good("good_hands_on_knee", "right", "right",
          "Good form with both hands resting on the front knee, hiding it from the camera.",
          arm_choices=("knee",)),
    _good("good_hands_on_knee_facing_left", "left", "left",
          "Good form, hands resting on the front knee, facing left.", arm_choices=("knee",)),
    Scenario(
        "backbend_overhead",
        "Arms overhead and the trunk arched back ~22 deg behind the hips, head thrown back: the "
        "back-bend the guide warns against (keep the spine straight).",
        GOOD.with_(trunk_lean_deg=-22.0, rear_hip_ext_deg=26.0, arms="overhead", head_pitch_deg=-20.0),
        facing="left",
        expected_flags=("trunk_lean_back",),
        jitter={"trunk_lean_deg": (-2, 2), "front_knee_deg": (-3, 3)},
        arm_choices=("overhead",),
    ),
    Scenario(
        "good_tall_hands_on_hips",
        "Sitting tall with the hands on the hips, the trunk a little behind vertical (~4 deg): good form.",
        GOOD.with_(front_leg="left", trunk_lean_deg=-3.5),
        jitter={"trunk_lean_deg": (-1.5, 1.5), "front_knee_deg": (-4, 4), "rear_hip_ext_deg": (-3, 3)},
        arm_choices=("hips",),
    ),
    _good("good_loose_clothes", "right", "left",
          "Good form in a loose shirt and baggy trousers.", loose_clothes=True),
    Scenario(
        "no_glute_loose_clothes",
        "Rear hip not extended (no glute engagement), in loose clothes.",
        GOOD.with_(rear_hip_ext_deg=-5.0, pelvic_tilt_deg=9.5),
        expected_flags=("no_glute_engagement",),
        jitter={"rear_hip_ext_deg": (-4, 4), "trunk_lean_deg": (-2, 2)},
        loose_clothes=True,
    ),
    # --- pelvic tilt as people ordinarily do the stretch (issue #20) ---------------------
    # No calibration ritual: a short relaxed stand with the arms hanging, straight into the
    # lunge, and the arms wherever people put them. Each arm position with the good tuck and
    # with the pelvis tipped forward.
    *[_everyday(arms, tipped) for arms in EVERYDAY_ARMS for tipped in (False, True)],
    _everyday("thigh", True, loose_clothes=True),
    _everyday("down", False, loose_clothes=True),
    # A relaxed moment the video happens to offer: standing still, arms hanging, for 2.5 s.
    _everyday("hips", True, stand_s=2.5),
    _everyday("thigh", False, stand_s=2.5),
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
