"""Per frame, look at the pelvis for the pelvic-tilt methods that are switched on.

``PelvisProbe`` runs right after the pose estimator, on the frame and its (unsmoothed) pose:
sticker detection (``vision.markers``) when a marker colour is given, the body outline from
the segmentation mask (``vision.outline``) when asked for (the estimator must then return a
mask: ``EstimatorOptions(with_mask=True)``). Sticker detection uses the mask too where there
is one: only sticker colour on the body counts. What it sees travels with the pose
(``Pose.pelvis``) to the rules core, which measures the tilt.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from vision.markers import MarkerColour, find_markers
from vision.outline import body_outline
from vision.pelvis_types import PelvisView
from vision.pose import Pose


class PelvisProbe:
    """``markers``: the stickers' colour, or None (no stickers); ``outline``: read the body
    outline from the pose's mask. With both off it returns the pose unchanged."""

    def __init__(self, markers: MarkerColour | None = None, outline: bool = False, min_confidence: float = 0.5):
        self.markers = markers
        self.outline = outline
        self.min_confidence = min_confidence

    @property
    def active(self) -> bool:
        return self.markers is not None or self.outline

    def __call__(self, image_rgb: NDArray[np.uint8], pose: Pose) -> Pose:
        if not self.active or pose.is_empty:
            return pose
        markers = find_markers(image_rgb, pose, self.markers, self.min_confidence, pose.mask) if self.markers else None
        view = PelvisView(
            markers=markers,
            outline=body_outline(pose.mask, pose, self.min_confidence, image_rgb, markers) if self.outline else None,
        )
        # The mask has been read; the pose travels on through smoothing, the rules and the
        # video writer's queue without it (1.2 MB a frame at 640x480).
        return replace(pose, mask=None, pelvis=view)
