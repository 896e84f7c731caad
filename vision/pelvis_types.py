"""What the pixels show of the pelvis: sticker candidates and the body's side outlines.

Numpy-only value types, made in ``vision`` (``vision.markers``, ``vision.outline``) and read
by the pure rules core (``posture_rules.pelvis``), which turns them into pelvic tilt. They
carry image points, never angles: which sticker is the front one and which outline is the
back depend on the way the person faces, and that is the rules core's decision.

All points are image pixels (x right, y down), like ``Pose.xy``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


def _frozen(a, shape_tail: tuple[int, ...], name: str) -> NDArray[np.float64]:
    arr = np.array(a, dtype=np.float64, copy=True)
    if arr.ndim != 1 + len(shape_tail) or arr.shape[1:] != shape_tail:
        raise ValueError(f"{name} must have shape (N, {', '.join(map(str, shape_tail))}), got {arr.shape}")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class MarkerBlobs:
    """Coloured sticker candidates found near the hips, best first.

    Attributes:
        centres: (N, 2) sub-pixel centres.
        areas: (N,) areas in pixels.
        scores: (N,) 0-1: how sticker-like (colour strength, compactness, expected size).
        reason: why none was found (empty when ``centres`` is not empty).
    """

    centres: NDArray[np.float64]
    areas: NDArray[np.float64]
    scores: NDArray[np.float64]
    reason: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "centres", _frozen(np.reshape(self.centres, (-1, 2)), (2,), "centres"))
        n = len(self.centres)
        for name in ("areas", "scores"):
            arr = np.array(getattr(self, name), dtype=np.float64, copy=True).reshape(-1)
            if arr.shape != (n,):
                raise ValueError(f"MarkerBlobs.{name} must have shape ({n},), got {arr.shape}")
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        if n == 0 and not self.reason:
            raise ValueError("MarkerBlobs without candidates needs a reason")

    @classmethod
    def none(cls, reason: str) -> MarkerBlobs:
        return cls(np.zeros((0, 2)), np.zeros(0), np.zeros(0), reason)

    def mirrored(self, width: int) -> MarkerBlobs:
        c = self.centres.copy()
        c[:, 0] = width - c[:, 0]
        return MarkerBlobs(c, self.areas, self.scores, self.reason)


@dataclass(frozen=True, eq=False)
class SideOutline:
    """One side edge of the person's mask along the trunk, from below the hips to the chest.

    Attributes:
        levels: (N,) height of each sample along the trunk axis, in hip-to-shoulder lengths
            (0 = mid-hip, 1 = mid-shoulder), increasing.
        points: (N, 2) the mask's edge at each level (NaN where no edge was found).
        sharpness: 0-1, how crisp the mask's edge is (a blurry or patchy mask scores low).
        foreign: (N,) per level, the share of pixels just inside the edge whose colour is
            nowhere else on the person (``vision.outline_colour``: something behind the
            person merged into the mask); NaN where not checked (no edge, no image).
    """

    levels: NDArray[np.float64]
    points: NDArray[np.float64]
    sharpness: float
    foreign: NDArray[np.float64] | None = None

    def __post_init__(self) -> None:
        levels = np.array(self.levels, dtype=np.float64, copy=True).reshape(-1)
        levels.setflags(write=False)
        object.__setattr__(self, "levels", levels)
        pts = _frozen(np.reshape(self.points, (-1, 2)), (2,), "points")
        if len(pts) != len(levels):
            raise ValueError("SideOutline.points and levels must have the same length")
        object.__setattr__(self, "points", pts)
        object.__setattr__(self, "sharpness", float(self.sharpness))
        foreign = np.full(len(levels), np.nan) if self.foreign is None else \
            np.array(self.foreign, dtype=np.float64, copy=True).reshape(-1)
        if len(foreign) != len(levels):
            raise ValueError("SideOutline.foreign and levels must have the same length")
        foreign.setflags(write=False)
        object.__setattr__(self, "foreign", foreign)

    @property
    def found_share(self) -> float:
        """Share of the levels where an edge was found."""
        return float(np.isfinite(self.points[:, 0]).mean()) if len(self.points) else 0.0

    def mirrored(self, width: int) -> SideOutline:
        p = self.points.copy()
        p[:, 0] = width - p[:, 0]
        return SideOutline(self.levels, p, self.sharpness, self.foreign)


@dataclass(frozen=True, eq=False)
class BodyOutline:
    """The two side edges of the person's mask (image-left and image-right of the trunk).

    In a side view one of them is the back (lower back and buttock) and the other the
    front (belly); ``reason`` says why there is no outline (no mask, hips hidden, ...).
    """

    left: SideOutline | None
    right: SideOutline | None
    trunk_px: float = 0.0  # hip-to-shoulder length the levels are measured in
    reason: str = ""

    def __post_init__(self) -> None:
        if (self.left is None or self.right is None) and not self.reason:
            raise ValueError("a BodyOutline without both sides needs a reason")

    @classmethod
    def none(cls, reason: str) -> BodyOutline:
        return cls(None, None, 0.0, reason)

    def side(self, image_side: str) -> SideOutline | None:
        return self.left if image_side == "left" else self.right

    def mirrored(self, width: int) -> BodyOutline:
        flip = (lambda s: None if s is None else s.mirrored(width))
        return BodyOutline(flip(self.right), flip(self.left), self.trunk_px, self.reason)


@dataclass(frozen=True, eq=False)
class PelvisView:
    """What one frame shows of the pelvis. ``None`` for a method that is switched off."""

    markers: MarkerBlobs | None = None
    outline: BodyOutline | None = None

    def mirrored(self, width: int) -> PelvisView:
        return PelvisView(
            None if self.markers is None else self.markers.mirrored(width),
            None if self.outline is None else self.outline.mirrored(width),
        )
