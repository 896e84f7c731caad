"""The ``Pose`` value type: one person's 33 landmarks in one frame, or an empty pose.

A ``Pose`` is what crosses from ``vision`` to ``posture_rules``. It is frozen, its arrays are
read-only, and shapes are checked on creation, so a malformed estimator output fails where it
is made rather than deep inside a rule. "No person" is ``Pose.empty(...)``, never ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from vision.landmarks import MIRROR_PERMUTATION, NUM_LANDMARKS
from vision.pelvis_types import PelvisView

FloatArray = NDArray[np.float64]


def _frozen(a: NDArray | None, shape: tuple[int, ...], name: str, dtype=np.float64):
    if a is None:
        return None
    if isinstance(a, np.ndarray) and a.dtype == dtype and a.shape == shape and a.flags.owndata \
            and not a.flags.writeable:
        # Already frozen (another Pose's array, or a mask its maker handed over read-only):
        # share it rather than copy 1.2 MB of mask per frame each time a Pose is derived.
        return a
    arr = np.array(a, dtype=dtype, copy=True)
    if arr.shape != shape:
        raise ValueError(f"Pose.{name} must have shape {shape}, got {arr.shape}")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class Pose:
    """Landmarks of one person in one frame.

    Attributes:
        xy: (33, 2) landmark positions in **pixels** (x right, y down). Pixels rather than
            normalised coordinates so that angles are not skewed by the frame's aspect ratio.
        visibility: (33,) probability in [0, 1] that the landmark is visible (not occluded).
        presence: (33,) probability in [0, 1] that the landmark is inside the frame.
        image_size: (width, height) of the frame in pixels.
        timestamp_s: the frame's presentation time in seconds from the start of the source.
        depth: (33,) MediaPipe's relative depth (same scale as x in pixels, smaller = nearer
            the camera), or None.
        world: (33, 3) metric landmarks in metres, hip-centred, or None.
        mask: (height, width) float32 segmentation mask in [0, 1], or None.
        pelvis: what the frame shows of the pelvis (stickers, body outline) for the
            pelvic-tilt methods (``vision.pelvis_probe``), or None when none is switched on.
    """

    xy: FloatArray
    visibility: FloatArray
    presence: FloatArray
    image_size: tuple[int, int]
    timestamp_s: float
    depth: FloatArray | None = None
    world: FloatArray | None = None
    mask: NDArray[np.float32] | None = field(default=None, repr=False)
    pelvis: PelvisView | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        n = self.xy.shape[0] if hasattr(self.xy, "shape") and np.ndim(self.xy) == 2 else -1
        if n not in (0, NUM_LANDMARKS):
            raise ValueError(f"Pose.xy must have shape (33, 2) or (0, 2), got {np.shape(self.xy)}")
        object.__setattr__(self, "xy", _frozen(self.xy, (n, 2), "xy"))
        object.__setattr__(self, "visibility", _frozen(self.visibility, (n,), "visibility"))
        object.__setattr__(self, "presence", _frozen(self.presence, (n,), "presence"))
        object.__setattr__(self, "depth", _frozen(self.depth, (n,), "depth"))
        object.__setattr__(self, "world", _frozen(self.world, (n, 3), "world"))
        if self.mask is not None:
            w, h = self.image_size
            mask = _frozen(self.mask, (h, w), "mask", dtype=np.float32)
            object.__setattr__(self, "mask", mask)
        object.__setattr__(self, "image_size", (int(self.image_size[0]), int(self.image_size[1])))
        object.__setattr__(self, "timestamp_s", float(self.timestamp_s))

    @classmethod
    def empty(cls, image_size: tuple[int, int], timestamp_s: float) -> Pose:
        """A frame in which no person was found."""
        return cls(
            xy=np.zeros((0, 2)),
            visibility=np.zeros(0),
            presence=np.zeros(0),
            image_size=image_size,
            timestamp_s=timestamp_s,
        )

    @property
    def is_empty(self) -> bool:
        return self.xy.shape[0] == 0

    def confidence(self) -> FloatArray:
        """Per-landmark trust: a landmark must be both in the frame and not occluded."""
        return np.minimum(self.visibility, self.presence)

    def mirrored(self) -> Pose:
        """The same person seen in a mirror: x flipped about the image centre, sides swapped.

        Used by tests (a mirrored pose must keep its angles and swap its sides) and by nothing
        in production code.
        """
        if self.is_empty:
            return self
        w, _ = self.image_size
        perm = list(MIRROR_PERMUTATION)
        xy = self.xy[perm].copy()
        xy[:, 0] = w - xy[:, 0]
        world = None
        if self.world is not None:
            world = self.world[perm].copy()
            world[:, 0] = -world[:, 0]
        return Pose(
            xy=xy,
            visibility=self.visibility[perm],
            presence=self.presence[perm],
            image_size=self.image_size,
            timestamp_s=self.timestamp_s,
            depth=None if self.depth is None else self.depth[perm],
            world=world,
            mask=None if self.mask is None else self.mask[:, ::-1],
            pelvis=None if self.pelvis is None else self.pelvis.mirrored(w),
        )

    def with_xy(self, xy: FloatArray) -> Pose:
        """A copy with new landmark positions (used by smoothing)."""
        return replace(self, xy=xy)

    def with_pelvis(self, pelvis: PelvisView | None) -> Pose:
        """A copy carrying what the frame shows of the pelvis (``vision.pelvis_probe``)."""
        return replace(self, pelvis=pelvis)
