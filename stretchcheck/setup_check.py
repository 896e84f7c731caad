"""The set-up check before the stretch: whole body in view, side-on, enough light.

Why a separate check: the form rules can only judge a person they can measure. A camera that
cuts off the feet, a person facing the camera, or a dim room all turn measurements into
"unknown" without saying why; this check says what to fix before the stretch starts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vision.landmarks import Landmark
from vision.pose import Pose

L = Landmark
# Body parts that must be inside the frame, grouped by what the person is told to fix.
PARTS: dict[str, tuple[Landmark, ...]] = {
    "head": (L.NOSE, L.LEFT_EAR, L.RIGHT_EAR),
    "hips": (L.LEFT_HIP, L.RIGHT_HIP),
    "knees": (L.LEFT_KNEE, L.RIGHT_KNEE),
    "feet": (L.LEFT_ANKLE, L.RIGHT_ANKLE, L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX),
}
FIX_FOR_PART = {
    "head": "Your head is out of view: step back or tilt the camera up.",
    "hips": "Your hips are out of view: step back from the camera.",
    "knees": "Your knees are out of view: step back or tilt the camera down.",
    "feet": "Your feet are out of view: step back or tilt the camera down.",
}


@dataclass(frozen=True)
class SetupThresholds:
    """Limits of the set-up check.

    Attributes:
        min_presence: a landmark counts as in the frame at this presence score.
        edge_margin: fraction of the frame's size a landmark must stay away from the edges
            (a foot touching the edge is usually cut off a moment later).
        max_width_ratio: shoulder or hip width over torso length above which the camera sees
            the person's front or back; side-on it is near 0, facing the camera about 0.8.
        min_brightness: mean luma (0-255) of the frame below which landmarks get unreliable.
    """

    min_presence: float = 0.5
    edge_margin: float = 0.01
    max_width_ratio: float = 0.35
    min_brightness: float = 50.0


@dataclass(frozen=True)
class SetupItem:
    """One line of the check: ``ok`` is None when it cannot be judged yet."""

    key: str
    label: str
    ok: bool | None
    message: str


@dataclass(frozen=True)
class SetupCheck:
    items: tuple[SetupItem, ...]

    @property
    def ok(self) -> bool:
        return all(item.ok for item in self.items)

    @property
    def fixes(self) -> list[str]:
        """What to fix, most important first (the order of ``items``)."""
        return [item.message for item in self.items if item.ok is False]


def frame_brightness(image: NDArray[np.uint8]) -> float:
    """Mean luma (0-255) of an RGB frame, from every 8th pixel: plenty for a light check."""
    small = np.asarray(image)[::8, ::8, :3].astype(np.float32)
    return float((small @ np.array([0.299, 0.587, 0.114], dtype=np.float32)).mean()) if small.size else 0.0


def check_setup(pose: Pose, brightness: float, limits: SetupThresholds = SetupThresholds()) -> SetupCheck:
    """Judge one frame's set-up; every failing item carries the sentence that fixes it."""
    light = SetupItem("light", "Enough light", brightness >= limits.min_brightness,
                      "Good light." if brightness >= limits.min_brightness else
                      "Too dark: turn on a light in front of you, not behind you.")
    if pose.is_empty:
        return SetupCheck((
            SetupItem("person", "Person in view", False, "Step into view, side-on to the camera."),
            SetupItem("body", "Whole body in view", None, "Waiting for a person."),
            SetupItem("side_on", "Side-on to the camera", None, "Waiting for a person."),
            light,
        ))
    return SetupCheck((
        SetupItem("person", "Person in view", True, "Person found."),
        _whole_body(pose, limits),
        _side_on(pose, limits),
        light,
    ))


def _whole_body(pose: Pose, limits: SetupThresholds) -> SetupItem:
    w, h = pose.image_size
    mx, my = limits.edge_margin * w, limits.edge_margin * h
    xy = np.nan_to_num(pose.xy, nan=-1.0)
    inside = ((pose.presence >= limits.min_presence) & (xy[:, 0] >= mx) & (xy[:, 0] <= w - mx)
              & (xy[:, 1] >= my) & (xy[:, 1] <= h - my))
    for part, lms in PARTS.items():
        # Side-on, the far limb hides behind the near one but is still inside the frame,
        # so presence (in frame), not visibility (unoccluded), is what matters here.
        if part == "head":
            missing = not inside[list(lms)].any()
        else:
            missing = not inside[list(lms)].all()
        if missing:
            return SetupItem("body", "Whole body in view", False, FIX_FOR_PART[part])
    return SetupItem("body", "Whole body in view", True, "Head to feet in view.")


def _side_on(pose: Pose, limits: SetupThresholds) -> SetupItem:
    xy = pose.xy
    mid_sh = (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2
    mid_hip = (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP]) / 2
    torso = float(np.linalg.norm(mid_sh - mid_hip))
    if not np.isfinite(torso) or torso < 1.0:
        return SetupItem("side_on", "Side-on to the camera", None, "Cannot see the torso yet.")
    width = max(abs(float(xy[L.LEFT_SHOULDER, 0] - xy[L.RIGHT_SHOULDER, 0])),
                abs(float(xy[L.LEFT_HIP, 0] - xy[L.RIGHT_HIP, 0])))
    ratio = width / torso
    if ratio > limits.max_width_ratio:
        return SetupItem("side_on", "Side-on to the camera", False,
                         "Turn side-on: the camera should see your profile, not your chest or back.")
    return SetupItem("side_on", "Side-on to the camera", True, "Side-on.")
