"""A hand-checkable 2D stick figure in a kneeling lunge, built from the angles it should show.

Side view, all lengths in pixels. Used to test the measurements against numbers known by
construction (see docs/measurements.md for the definitions).
"""

from __future__ import annotations

import math

import numpy as np

from vision.landmarks import LEG, Landmark
from vision.pose import Pose

TRUNK, THIGH, SHIN, FOOT = 250.0, 200.0, 190.0, 80.0


def _dir_from_down(angle_deg: float, f: float) -> np.ndarray:
    """Unit vector at ``angle_deg`` from vertical-down, + toward the facing direction."""
    a = math.radians(angle_deg)
    return np.array([f * math.sin(a), math.cos(a)])


def lunge_pose(
    *,
    facing: str = "right",
    front: str = "left",
    trunk_lean_deg: float = 0.0,
    front_thigh_deg: float = 85.0,
    front_knee_angle_deg: float = 90.0,
    rear_hip_extension_deg: float = 20.0,
    hip_xy: tuple[float, float] = (320.0, 260.0),
    scale: float = 1.0,
    t: float = 0.0,
    visibility: float = 0.99,
    image_size: tuple[int, int] = (640, 480),
) -> Pose:
    f = 1.0 if facing == "right" else -1.0
    rear = "right" if front == "left" else "left"
    hip = np.asarray(hip_xy, dtype=float)
    xy = np.zeros((33, 2))
    lean = math.radians(trunk_lean_deg)
    shoulder = hip + scale * TRUNK * np.array([f * math.sin(lean), -math.cos(lean)])
    knee_f = hip + scale * THIGH * _dir_from_down(front_thigh_deg, f)
    shin_deg = front_thigh_deg - (180.0 - front_knee_angle_deg)
    ankle_f = knee_f + scale * SHIN * _dir_from_down(shin_deg, f)
    rear_thigh_deg = -trunk_lean_deg - rear_hip_extension_deg
    knee_r = hip + scale * THIGH * _dir_from_down(rear_thigh_deg, f)
    ankle_r = knee_r + scale * SHIN * np.array([-f, 0.0])  # shin flat on the floor, behind
    for side, knee, ankle, toe_dir in (
        (front, knee_f, ankle_f, np.array([f, 0.0])),
        (rear, knee_r, ankle_r, np.array([-f, 0.0])),
    ):
        leg = LEG[side]
        xy[leg["hip"]] = hip
        xy[leg["shoulder"]] = shoulder
        xy[leg["knee"]] = knee
        xy[leg["ankle"]] = ankle
        xy[leg["toe"]] = ankle + scale * FOOT * toe_dir
        xy[leg["heel"]] = ankle - scale * 0.25 * FOOT * toe_dir
    head = shoulder + scale * np.array([0.0, -70.0])
    for lm in (Landmark.LEFT_EAR, Landmark.RIGHT_EAR):
        xy[lm] = head
    xy[Landmark.NOSE] = head + scale * np.array([f * 30.0, 5.0])
    for lm in (Landmark.LEFT_EYE, Landmark.RIGHT_EYE, Landmark.LEFT_EYE_INNER,
               Landmark.RIGHT_EYE_INNER, Landmark.LEFT_EYE_OUTER, Landmark.RIGHT_EYE_OUTER):
        xy[lm] = head + scale * np.array([f * 20.0, -8.0])
    for side in ("left", "right"):
        xy[Landmark[f"{side.upper()}_ELBOW"]] = shoulder + scale * np.array([f * 20.0, 110.0])
        xy[Landmark[f"{side.upper()}_WRIST"]] = shoulder + scale * np.array([f * 40.0, 210.0])
    return Pose(
        xy=xy,
        visibility=np.full(33, visibility),
        presence=np.full(33, 0.99),
        image_size=image_size,
        timestamp_s=t,
    )


def standing_pose(*, facing: str = "right", t: float = 0.0) -> Pose:
    """Standing upright: both legs straight under the hips (not a lunge)."""
    return lunge_pose(
        facing=facing,
        front_thigh_deg=2.0,
        front_knee_angle_deg=178.0,
        rear_hip_extension_deg=-2.0,
        hip_xy=(320.0, 200.0),
        t=t,
        scale=0.6,
    )
