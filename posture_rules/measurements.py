"""Per-frame measurements of the lunge from one ``Pose`` (definitions: docs/measurements.md).

Each measurement uses only landmarks the model trusts (visible and inside the frame); a
measurement that would need a hidden landmark is unknown, with the reason, never a guess.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from posture_rules.config import LungeConfig
from posture_rules.geometry import (
    forward_from_down_deg,
    interior_angle_deg,
    lean_from_vertical_deg,
    length,
)
from posture_rules.types import FrameMeasurements, Measurement
from vision.landmarks import LEG, Landmark
from vision.pose import Pose

SIDES = ("left", "right")


def other(side: str) -> str:
    return "right" if side == "left" else "left"


def _sign(facing: str) -> float:
    return 1.0 if facing == "right" else -1.0


class _Trusted:
    """The landmarks of one pose that pass the confidence threshold."""

    def __init__(self, pose: Pose, min_confidence: float):
        self.xy = pose.xy
        conf = pose.confidence()
        finite = np.isfinite(self.xy).all(axis=1)
        self.ok = (conf >= min_confidence) & finite
        self.conf = np.where(finite, conf, 0.0)

    def has(self, *lms: Landmark) -> bool:
        return bool(self.ok[list(lms)].all())

    def missing(self, *lms: Landmark) -> str:
        hidden = [lm.name.lower().replace("_", " ") for lm in lms if not self.ok[lm]]
        return ", ".join(hidden) + (" hidden or out of frame" if hidden else "")

    def confidence(self, *lms: Landmark) -> float:
        return float(self.conf[list(lms)].min())


# A shin whose knee -> ankle drop is under this share of its length (within 30 deg of
# horizontal) lies on the floor: the person kneels on that knee.
SHIN_LYING_DOWN = 0.5


def estimate_facing(pose: Pose, min_confidence: float) -> str | None:
    """Which way the person faces in the image, or None if it cannot be told.

    The nose sits ahead of the ears in any side view, which is the most reliable cue; the
    legs are the fallback when the face is hidden or turned toward the camera: a foot on its
    sole points forward (heel → toe), and a shin lying on the floor (kneeling) points back
    from the knee, its foot on its top with the toes pointing back, so there the knee is the
    forward end.
    """
    if pose.is_empty:
        return None
    t = _Trusted(pose, min_confidence)
    ears = [lm for lm in (Landmark.LEFT_EAR, Landmark.RIGHT_EAR) if t.ok[lm]]
    if t.ok[Landmark.NOSE] and ears:
        dx = t.xy[Landmark.NOSE, 0] - np.mean(t.xy[ears, 0])
        head_scale = 1.0 + length(t.xy[Landmark.LEFT_SHOULDER] - t.xy[Landmark.RIGHT_SHOULDER])
        # A frontal face puts the nose between the ears: too small a gap is no evidence.
        if abs(dx) > 0.02 * max(head_scale, 50.0):
            return "right" if dx > 0 else "left"
    dx_legs = 0.0
    for side in SIDES:
        knee, ankle, heel, toe = (LEG[side][k] for k in ("knee", "ankle", "heel", "toe"))
        if t.has(knee, ankle):
            shin = t.xy[ankle] - t.xy[knee]
            if abs(shin[1]) < SHIN_LYING_DOWN * float(length(shin)):
                dx_legs -= float(shin[0])  # kneeling: the knee is ahead of the ankle
                continue
        if t.has(heel, toe):
            dx_legs += float(t.xy[toe, 0] - t.xy[heel, 0])
    if dx_legs != 0.0:
        return "right" if dx_legs > 0 else "left"
    return None


def estimate_front_side(pose: Pose, facing: str | None, min_confidence: float) -> str | None:
    """The anatomical side of the leg that is further forward, or None."""
    if pose.is_empty or facing is None:
        return None
    t = _Trusted(pose, min_confidence)
    f = _sign(facing)
    ahead = 0.0  # how far the left leg is ahead of the right, along the walking direction
    for part in ("ankle", "knee"):
        lm_l, lm_r = LEG["left"][part], LEG["right"][part]
        if t.has(lm_l, lm_r):
            ahead += f * float(t.xy[lm_l, 0] - t.xy[lm_r, 0])
    if ahead == 0.0:
        return None
    return "left" if ahead > 0 else "right"


def _trunk(t: _Trusted) -> tuple[NDArray[np.float64], NDArray[np.float64], float] | str:
    """(mid_hip, mid_shoulder, confidence), or the reason the trunk line is unknown.

    In a side view the left and right shoulder→hip lines are parallel to the midline, so one
    side's pair is an honest stand-in when the other side is hidden behind the body.
    """
    pairs = [(LEG[s]["shoulder"], LEG[s]["hip"]) for s in SIDES]
    usable = [p for p in pairs if t.has(*p)]
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
    return Measurement(float(lean_from_vertical_deg(mid_shoulder - mid_hip, _sign(facing))), confidence=conf)


def trunk_line(pose: Pose, min_confidence: float) -> tuple[NDArray[np.float64], NDArray[np.float64], float] | None:
    """(mid_hip, mid_shoulder, confidence) from the trusted landmarks, or None."""
    if pose.is_empty:
        return None
    trunk = _trunk(_Trusted(pose, min_confidence))
    return None if isinstance(trunk, str) else trunk


def measure_frame(
    pose: Pose,
    facing: str | None,
    front_side: str | None,
    min_confidence: float,
    lunge: LungeConfig,
) -> FrameMeasurements:
    """All lunge measurements for one frame, given a (stabilised) facing and front leg."""
    if pose.is_empty:
        return FrameMeasurements(person=False, facing=None, front_side=None)
    no_tilt = Measurement.unknown(
        "hip keypoints cannot measure pelvic tilt (the hip joints lie on its rotation axis)"
    )
    if facing is None or front_side is None:
        why = Measurement.unknown("cannot tell which way the person faces or which leg is in front")
        # Trunk lean needs only the facing: standing before the lunge it is the neutral's
        # lean, which the body-outline tilt method compares the lunge against.
        return FrameMeasurements(
            person=True,
            facing=facing,
            front_side=front_side,
            trunk_lean_deg=_trunk_lean(_trunk(_Trusted(pose, min_confidence)), facing) if facing else why,
            front_knee_angle_deg=why,
            knee_past_toes_ratio=why,
            rear_hip_extension_deg=why,
            pelvic_tilt_deg=no_tilt,
        )
    t = _Trusted(pose, min_confidence)
    f = _sign(facing)
    front, rear = LEG[front_side], LEG[other(front_side)]

    trunk = _trunk(t)
    trunk_lean = _trunk_lean(trunk, facing)

    if t.has(front["hip"], front["knee"], front["ankle"]):
        knee_angle = Measurement(
            float(interior_angle_deg(t.xy[front["hip"]], t.xy[front["knee"]], t.xy[front["ankle"]])),
            confidence=t.confidence(front["hip"], front["knee"], front["ankle"]),
        )
    else:
        knee_angle = Measurement.unknown("front knee angle: " + t.missing(front["hip"], front["knee"], front["ankle"]))

    if t.has(front["knee"], front["ankle"], front["toe"]):
        shin = float(length(t.xy[front["knee"]] - t.xy[front["ankle"]]))
        ratio = f * float(t.xy[front["knee"], 0] - t.xy[front["toe"], 0]) / shin if shin > 1e-6 else None
        knee_toes = (
            Measurement(ratio, confidence=t.confidence(front["knee"], front["ankle"], front["toe"]))
            if ratio is not None
            else Measurement.unknown("front shin has zero length")
        )
    else:
        knee_toes = Measurement.unknown("knee past toes: " + t.missing(front["knee"], front["ankle"], front["toe"]))

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
        hip_ext = Measurement(float(value), confidence=min(conf, t.confidence(rear["knee"])))
    else:
        hip_ext = Measurement.unknown("rear hip extension: " + t.missing(rear["knee"]))

    return FrameMeasurements(
        person=True,
        facing=facing,
        front_side=front_side,
        trunk_lean_deg=trunk_lean,
        front_knee_angle_deg=knee_angle,
        knee_past_toes_ratio=knee_toes,
        rear_hip_extension_deg=hip_ext,
        pelvic_tilt_deg=no_tilt,
        in_lunge=_in_lunge(t, f, front, rear, knee_angle, knee_toes, lunge),
    )


def _in_lunge(
    t: _Trusted,
    f: float,
    front: dict[str, Landmark],
    rear: dict[str, Landmark],
    knee_angle: Measurement,
    knee_toes: Measurement,
    cfg: LungeConfig,
) -> bool | None:
    """Does this frame look like a held lunge? None when the legs are not visible enough.

    Deliberately independent of the graded metrics' limits (trunk lean, hip extension), so
    that a faulty lunge is still recognised as a lunge and can be flagged.
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
    thigh_forward = float(forward_from_down_deg(t.xy[rear["knee"]] - t.xy[rear["hip"]], f))
    past_toes = knee_toes.value
    if past_toes is not None and past_toes > cfg.max_knee_past_toes_shins:
        return False  # the front foot is not planted: it is still swinging in
    return (
        knee_angle.value <= cfg.max_front_knee_angle_deg
        and split >= cfg.min_knee_split_thighs
        and drop >= cfg.min_rear_knee_drop_thighs
        and thigh_forward <= cfg.max_rear_thigh_forward_deg
    )
