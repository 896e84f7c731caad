"""Per-frame measurements of the lunge from one ``Pose`` (definitions: docs/measurements.md).

Each measurement uses the landmarks ``posture_rules.joints`` admits: seen ones, and hidden
ones the model still places where a body can have them (their low visibility becomes the
measurement's confidence, and ``inferred`` names them). A measurement that would need a joint
neither seen nor plausibly placed is unknown, with the reason, never a guess.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from posture_rules.config import LandmarkConfig, LungeConfig
from posture_rules.geometry import (
    forward_from_down_deg,
    interior_angle_deg,
    lean_from_vertical_deg,
    length,
)
from posture_rules.joints import SIDES, Joints, Legs, assign_legs, facing_from_legs, sign
from posture_rules.types import FrameMeasurements, Measurement
from vision.landmarks import LEG, Landmark
from vision.pose import Pose

# A shin whose knee -> ankle drop is under this share of its length (within 30 deg of
# horizontal) lies on the floor: the person kneels on that knee.
SHIN_LYING_DOWN = 0.5


def estimate_facing(pose: Pose, cfg: LandmarkConfig) -> str | None:
    """Which way the person faces in the image, or None if it cannot be told.

    A lunge's legs decide first (``joints.facing_from_legs``: from the knee on the floor
    toward the raised one), because they keep saying it with the arms overhead, the head
    thrown back in a back-bend or the hands over a knee. Out of a lunge the nose, which sits
    ahead of the ears in any side view, decides; then the feet: a foot on its sole points
    forward (heel → toe), and a shin lying on the floor (kneeling) points back from the knee,
    its foot on its top with the toes pointing back, so there the knee is the forward end.
    """
    return None if pose.is_empty else facing_of(Joints(pose, cfg))


def facing_of(t: Joints) -> str | None:
    """``estimate_facing`` on joints already sorted into seen and inferred."""
    from_legs = facing_from_legs(t)
    if from_legs is not None:
        return from_legs
    ears = [lm for lm in (Landmark.LEFT_EAR, Landmark.RIGHT_EAR) if t.seen[lm]]
    if t.seen[Landmark.NOSE] and ears:
        dx = t.xy[Landmark.NOSE, 0] - np.mean(t.xy[ears, 0])
        head_scale = 1.0 + length(t.xy[Landmark.LEFT_SHOULDER] - t.xy[Landmark.RIGHT_SHOULDER])
        # A frontal face puts the nose between the ears: too small a gap is no evidence.
        if abs(dx) > 0.02 * max(head_scale, 50.0):
            return "right" if dx > 0 else "left"
    dx_legs = 0.0
    for side in SIDES:
        knee, ankle, heel, toe = (LEG[side][k] for k in ("knee", "ankle", "heel", "toe"))
        if t.sees(knee, ankle):
            shin = t.xy[ankle] - t.xy[knee]
            if abs(shin[1]) < SHIN_LYING_DOWN * float(length(shin)):
                dx_legs -= float(shin[0])  # kneeling: the knee is ahead of the ankle
                continue
        if t.sees(heel, toe):
            dx_legs += float(t.xy[toe, 0] - t.xy[heel, 0])
    if dx_legs != 0.0:
        return "right" if dx_legs > 0 else "left"
    return None


def estimate_front_side(pose: Pose, facing: str | None, cfg: LandmarkConfig) -> str | None:
    """The anatomical side of the knee that is further forward, or None."""
    return None if pose.is_empty else front_side_of(Joints(pose, cfg), facing)


def front_side_of(t: Joints, facing: str | None) -> str | None:
    """``estimate_front_side`` on joints already sorted into seen and inferred."""
    if facing is None or not t.has(LEG["left"]["knee"], LEG["right"]["knee"]):
        return None
    legs = assign_legs(t, facing)
    return None if legs is None else legs.front_side


def _trunk(t: Joints) -> tuple[NDArray[np.float64], NDArray[np.float64], float] | str:
    """(mid_hip, mid_shoulder, confidence), or the reason the trunk line is unknown.

    In a side view the left and right shoulder→hip lines are parallel to the midline, so one
    side's pair is an honest stand-in when the other side is hidden behind the body. Only seen
    points: the far side's hidden shoulder and hip add nothing a seen pair does not give.
    """
    pairs = [(LEG[s]["shoulder"], LEG[s]["hip"]) for s in SIDES]
    usable = [p for p in pairs if t.sees(*p)]
    if not usable:
        return "trunk: " + t.missing(*pairs[0], *pairs[1])
    shoulders = [p[0] for p in usable]
    hips = [p[1] for p in usable]
    return (
        t.xy[hips].mean(axis=0),
        t.xy[shoulders].mean(axis=0),
        t.confidence(*shoulders, *hips),
    )


def _trunk_lean(trunk: tuple[NDArray[np.float64], NDArray[np.float64], float] | str, facing: str) -> Measurement:
    """Trunk lean from ``_trunk``'s line (or its reason for being unknown)."""
    if isinstance(trunk, str):
        return Measurement.unknown(trunk)
    mid_hip, mid_shoulder, conf = trunk
    return Measurement(float(lean_from_vertical_deg(mid_shoulder - mid_hip, sign(facing))), confidence=conf)


def _head_lean(t: Joints, trunk: tuple[NDArray[np.float64], NDArray[np.float64], float] | str,
               facing: str) -> Measurement:
    """The mid-hip → ear line against vertical (+ = head ahead of the hips).

    The ears sit near the head's pivot, so nodding or looking up barely moves them (the nose
    swings with every nod). Only seen ears: in a side view the near one.
    """
    if isinstance(trunk, str):
        return Measurement.unknown(trunk)
    ears = [lm for lm in (Landmark.LEFT_EAR, Landmark.RIGHT_EAR) if t.seen[lm]]
    if not ears:
        return Measurement.unknown("head lean: both ears hidden")
    mid_hip = trunk[0]
    head = t.xy[ears].mean(axis=0)
    return Measurement(float(lean_from_vertical_deg(head - mid_hip, sign(facing))),
                       confidence=min(trunk[2], t.confidence(*ears)))


def trunk_line(t: Joints) -> tuple[NDArray[np.float64], NDArray[np.float64], float] | None:
    """(mid_hip, mid_shoulder, confidence) from the seen landmarks, or None."""
    trunk = _trunk(t)
    return None if isinstance(trunk, str) else trunk


def _measured(value: float | None, t: Joints, lms: tuple[Landmark, ...], why_none: str) -> Measurement:
    """A measurement over landmarks ``lms``: its confidence is their weakest, and the ones the
    model only inferred (hidden) are named in ``inferred``; ``why_none`` when there is no value."""
    if value is None:
        return Measurement.unknown(why_none)
    inferred = tuple(lm.name.lower().replace("_", " ") for lm in t.inferred(*lms))
    return Measurement(value, confidence=t.confidence(*lms), inferred=inferred)


def measure_frame(
    pose: Pose,
    facing: str | None,
    front_side: str | None,
    cfg: LandmarkConfig,
    lunge: LungeConfig,
) -> FrameMeasurements:
    """All lunge measurements for one frame, given a (stabilised) facing.

    The legs are assigned by where the joints are (``joints.assign_legs``); ``front_side``,
    the side settled over time, only breaks a tie when the knees are level.
    """
    if pose.is_empty:
        return FrameMeasurements(person=False, facing=None, front_side=None)
    return measure_joints(Joints(pose, cfg), facing, front_side, lunge)[0]


def measure_joints(
    t: Joints, facing: str | None, front_side: str | None, lunge: LungeConfig
) -> tuple[FrameMeasurements, Legs | None]:
    """``measure_frame`` on a person's joints; also returns the legs it assigned (None when
    it could not), so that a caller checking the skeleton judges the same legs."""
    no_tilt = Measurement.unknown(
        "hip keypoints cannot measure pelvic tilt (the hip joints lie on its rotation axis)"
    )
    legs = assign_legs(t, facing, front_side) if facing is not None else None
    if facing is None or legs is None:
        why = Measurement.unknown(
            "cannot tell which way the person faces" if facing is None else
            "cannot tell which leg is in front: " + t.missing(LEG["left"]["knee"], LEG["right"]["knee"]))
        # Trunk lean needs only the facing: standing before the lunge it is the neutral's
        # lean, which the body-outline tilt method compares the lunge against.
        return FrameMeasurements(
            person=True,
            facing=facing,
            front_side=None,
            trunk_lean_deg=_trunk_lean(_trunk(t), facing) if facing else why,
            head_lean_deg=_head_lean(t, _trunk(t), facing) if facing else why,
            front_knee_angle_deg=why,
            knee_past_toes_ratio=why,
            rear_hip_extension_deg=why,
            pelvic_tilt_deg=no_tilt,
        ), None
    f = sign(facing)
    front, rear = legs.front, legs.rear

    trunk = _trunk(t)
    trunk_lean = _trunk_lean(trunk, facing)

    knee_lms = (front["hip"], front["knee"], front["ankle"])
    if t.has(*knee_lms):
        angle = float(interior_angle_deg(t.xy[front["hip"]], t.xy[front["knee"]], t.xy[front["ankle"]]))
        knee_angle = _measured(angle, t, knee_lms, "front knee angle: not a number")
    else:
        knee_angle = Measurement.unknown("front knee angle: " + t.missing(*knee_lms))

    toe_lms = (front["knee"], front["ankle"], front["toe"])
    if t.has(*toe_lms):
        shin = float(length(t.xy[front["knee"]] - t.xy[front["ankle"]]))
        ratio = f * float(t.xy[front["knee"], 0] - t.xy[front["toe"], 0]) / shin if shin > 1e-6 else None
        knee_toes = _measured(ratio, t, toe_lms, "front shin has zero length")
    else:
        knee_toes = Measurement.unknown("knee past toes: " + t.missing(*toe_lms))

    if isinstance(trunk, str):
        hip_ext = Measurement.unknown(trunk)
    elif t.has(rear["knee"]):
        mid_hip, mid_shoulder, conf = trunk
        # The thigh starts at the same hip point as the trunk line: a joint angle has one
        # vertex. In the sagittal plane both hip joints project onto one point, so the two hip
        # landmarks are two noisy estimates of it and their mean is the better one (on the
        # rendered set it halved the error against using the rear hip landmark alone).
        thigh = t.xy[rear["knee"]] - mid_hip
        value = forward_from_down_deg(mid_hip - mid_shoulder, f) - forward_from_down_deg(thigh, f)
        value = (value + 180.0) % 360.0 - 180.0
        hip_ext = _measured(float(value), t, (rear["knee"],), "rear hip extension: not a number")
        hip_ext = replace(hip_ext, confidence=min(conf, hip_ext.confidence))
    else:
        hip_ext = Measurement.unknown("rear hip extension: " + t.missing(rear["knee"]))

    return FrameMeasurements(
        person=True,
        facing=facing,
        front_side=legs.front_side,
        trunk_lean_deg=trunk_lean,
        head_lean_deg=_head_lean(t, trunk, facing),
        front_knee_angle_deg=knee_angle,
        knee_past_toes_ratio=knee_toes,
        rear_hip_extension_deg=hip_ext,
        pelvic_tilt_deg=no_tilt,
        in_lunge=_in_lunge(t, f, front, rear, knee_angle, knee_toes, lunge),
    ), legs


def _in_lunge(
    t: Joints,
    f: float,
    front: dict[str, Landmark],
    rear: dict[str, Landmark],
    knee_angle: Measurement,
    knee_toes: Measurement,
    cfg: LungeConfig,
) -> bool | None:
    """Does this frame look like a held lunge? None when the legs are not visible enough.

    Deliberately independent of the graded metrics' limits (trunk lean, hip extension), so
    that a faulty lunge is still recognised as a lunge and can be flagged. Inferred (hidden)
    joints count: a hand resting on the front knee does not end the stretch.
    """
    needed = (front["knee"], rear["hip"], rear["knee"], front["hip"])
    if knee_angle.value is None or not t.has(*needed):
        return None
    thighs = [
        float(length(t.xy[leg["knee"]] - t.xy[leg["hip"]]))
        for leg in (front, rear)
        if t.has(leg["hip"], leg["knee"])
    ]
    thigh = float(np.mean(thighs))
    if thigh < 1e-6:
        return None
    mid_hip_y = (t.xy[front["hip"], 1] + t.xy[rear["hip"], 1]) / 2.0
    split = f * float(t.xy[front["knee"], 0] - t.xy[rear["knee"], 0]) / thigh
    drop = float(t.xy[rear["knee"], 1] - mid_hip_y) / thigh
    knee_low = drop >= cfg.min_rear_knee_drop_thighs
    if not knee_low and t.has(front["ankle"]):
        # A deep stretch: the rear thigh swings back toward horizontal, its knee on the floor.
        floor_y = float(t.xy[front["ankle"], 1])
        knee_low = ((floor_y - float(t.xy[rear["knee"], 1])) / thigh <= cfg.max_rear_knee_above_floor_thighs
                    and (floor_y - mid_hip_y) / thigh >= cfg.min_hips_above_floor_thighs)
    thigh_forward = float(forward_from_down_deg(t.xy[rear["knee"]] - t.xy[rear["hip"]], f))
    past_toes = knee_toes.value
    if past_toes is not None and past_toes > cfg.max_knee_past_toes_shins:
        return False  # the front foot is not planted: it is still swinging in
    return bool(
        knee_angle.value <= cfg.max_front_knee_angle_deg
        and split >= cfg.min_knee_split_thighs
        and knee_low
        and thigh_forward <= cfg.max_rear_thigh_forward_deg
    )


def refuse_legs(m: FrameMeasurements, reason: str) -> FrameMeasurements:
    """``m`` with every leg measurement unknown for ``reason`` (``posture_rules.body_check``),
    and no say on whether this is a lunge; the trunk, from shoulders and hips, stays."""
    unknown = Measurement.unknown(reason)
    return replace(m, front_knee_angle_deg=unknown, knee_past_toes_ratio=unknown,
                   rear_hip_extension_deg=unknown, in_lunge=None)
