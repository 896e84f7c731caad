"""Drawing on RGB frames: the skeleton, text panels and a cue banner.

Knows nothing of rules: callers decide which texts to show and in which colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import cv2
import numpy as np
from numpy.typing import NDArray

from vision.landmarks import SKELETON_EDGES
from vision.pose import Pose

_EDGES = np.array(SKELETON_EDGES, dtype=np.intp).reshape(-1, 2)


@lru_cache(maxsize=4096)
def _text_size(text: str, scale: float, thickness: int) -> tuple[int, int]:
    """cv2.getTextSize, remembered: the same labels and cues are drawn frame after frame."""
    (w, h), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    return w, h

Color = tuple[int, int, int]  # RGB
GREEN: Color = (60, 220, 120)
RED: Color = (235, 60, 50)
AMBER: Color = (250, 190, 40)
WHITE: Color = (255, 255, 255)
GREY: Color = (150, 150, 150)


class SkeletonAnnotator:
    """Draws trusted landmarks and the bones between them; untrusted ones are left out."""

    def __init__(self, color: Color = GREEN, min_confidence: float = 0.5):
        self.color = color
        self.min_confidence = min_confidence

    def annotate(self, image: NDArray[np.uint8], pose: Pose) -> NDArray[np.uint8]:
        if pose.is_empty:
            return image
        h = image.shape[0]
        thick = max(2, h // 240)
        ok = (pose.confidence() >= self.min_confidence) & np.isfinite(pose.xy).all(axis=1)
        pts = np.nan_to_num(pose.xy).round().astype(np.int32)
        # One OpenCV call per layer instead of one per bone and joint: the bones as 2-point
        # polylines, the joints as zero-length ones, which a thick line draws as a round dot
        # (of diameter 2r+1, the same disc as cv2.circle with radius r).
        bones = pts[_EDGES[ok[_EDGES].all(axis=1)]]
        if len(bones):
            cv2.polylines(image, bones, False, self.color, thick, cv2.LINE_AA)
        joints = pts[ok][:, None, :].repeat(2, axis=1)
        if len(joints):
            cv2.polylines(image, joints, False, WHITE, 2 * (thick + 1) + 1, cv2.LINE_AA)
        return image


class TextPanelAnnotator:
    """A semi-transparent panel of text lines in the top-left corner."""

    def __init__(self, scale: float = 1.0):
        self.scale = scale

    def annotate(self, image: NDArray[np.uint8], lines: Sequence[tuple[str, Color]]) -> NDArray[np.uint8]:
        if not lines:
            return image
        h = image.shape[0]
        fs = self.scale * h / 900.0
        thick = max(1, int(round(fs * 2)))
        line_h = int(32 * fs) + 6
        width = max(_text_size(t, fs, thick)[0] for t, _ in lines) + 16
        box_h = line_h * len(lines) + 10
        roi = image[0:box_h, 0:width]
        cv2.convertScaleAbs(roi, dst=roi, alpha=0.45)  # darken in place, no float copy
        for i, (text, color) in enumerate(lines):
            y = 8 + line_h * (i + 1) - 6
            cv2.putText(image, text, (8, y), cv2.FONT_HERSHEY_SIMPLEX, fs, color, thick, cv2.LINE_AA)
        return image


class BannerAnnotator:
    """Large text across the bottom of the frame: the cue a person acts on."""

    def annotate(self, image: NDArray[np.uint8], text: str, color: Color = RED) -> NDArray[np.uint8]:
        if not text:
            return image
        h, w = image.shape[:2]
        fs = h / 600.0
        thick = max(2, int(round(fs * 2)))
        # Shrink until it fits the width rather than clip the instruction.
        while fs > 0.3 and _text_size(text, fs, thick)[0] > w - 20:
            fs *= 0.9
        tw, th = _text_size(text, fs, thick)
        top = h - th - 24
        roi = image[top:h, :]
        cv2.convertScaleAbs(roi, dst=roi, alpha=0.35)
        cv2.putText(image, text, ((w - tw) // 2, h - 12), cv2.FONT_HERSHEY_SIMPLEX, fs, color, thick, cv2.LINE_AA)
        return image
