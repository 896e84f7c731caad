"""Coloured stickers on the pelvis: find their centres near the hips, to sub-pixel precision.

Clinicians mark the front (ASIS) and back (PSIS) bony points of the pelvis with stickers; in a
side view the line between them is the pelvis' tilt. This module only finds sticker-coloured
blobs of a sticker's size near the hips and returns their centres (``MarkerBlobs``); which
one is the front, and the angle, are decided in ``posture_rules.pelvis``.

Why colour and not a learned detector: a sticker of a colour that nothing else near the hips
has (bright green by default) is found by a hue/saturation/value threshold in well under a
millisecond, and its centre is the colour-weighted centroid of the blob, which averages out
pixel noise (and the video's halved colour resolution) better than any single edge.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from vision.landmarks import Landmark
from vision.pelvis_types import MarkerBlobs
from vision.pose import Pose

# name -> (hue from, hue to in degrees 0-360, min saturation 0-255, min value 0-255)
NAMED_COLOURS: dict[str, tuple[float, float, int, int]] = {
    "green": (90.0, 165.0, 90, 40),
    "blue": (195.0, 250.0, 120, 60),
    "pink": (300.0, 345.0, 110, 90),
    "orange": (12.0, 35.0, 150, 110),
    "yellow": (45.0, 70.0, 120, 110),
}
DEFAULT_COLOUR = "green"
# A 4 cm round sticker's area in the image, in squared hip-to-shoulder lengths (~0.5 m).
EXPECTED_AREA = 0.005
MAX_CANDIDATES = 6
# A sticker stands out from what it is stuck on: of the body's pixels in a ring just outside
# the blob (from RING[0] to RING[1] hip-to-shoulder lengths beyond its edge, at least 2 to 4
# px), at most this share may be of about the sticker's hue (``MarkerColour.alike``). A blob
# that is only the brightest patch of something of that colour (a green plant the mask took
# in behind the belly, a green shirt) has that hue all around it.
# Measured with the heavy model on 45 rendered sticker clips (seeds 11, 13, 17; every third
# frame): round the stickers of correctly read pairs (error < 3 deg, 4220 blob-frames) median
# 0.00, 99th percentile 0.13, max 0.21 (0.26 once, next to a plant); round the plant's blobs
# that were taken for the hidden front sticker, 0.43 through the calibration and 0.31-0.54
# in the stretch (0.15-0.28 in a few frames while the person moves).
MAX_SURROUND_LIKE = 0.3
RING = (0.03, 0.07)


@dataclass(frozen=True)
class MarkerColour:
    """The stickers' colour as an HSV range (hue in degrees; saturation and value 0-255).

    A hue range whose start is larger than its end wraps through red (e.g. 340-20).
    """

    name: str
    hue_from: float
    hue_to: float
    min_sat: int
    min_val: int

    @classmethod
    def parse(cls, text: str) -> MarkerColour:
        """``green`` (or another name in ``NAMED_COLOURS``) or ``H1-H2[,S[,V]]``, e.g. ``90-160,110,70``."""
        t = text.strip().lower()
        if t in NAMED_COLOURS:
            return cls(t, *NAMED_COLOURS[t])
        try:
            parts = [p.strip() for p in t.split(",")]
            h1, h2 = (float(v) for v in parts[0].split("-"))
            sat = int(parts[1]) if len(parts) > 1 else 100
            val = int(parts[2]) if len(parts) > 2 else 60
        except ValueError:
            raise ValueError(
                f"marker colour {text!r}: use a name ({', '.join(NAMED_COLOURS)}) or an HSV range "
                "'H1-H2[,S[,V]]' with hue in degrees 0-360, saturation and value 0-255 (e.g. 90-160,110,70)"
            ) from None
        if not (0 <= h1 <= 360 and 0 <= h2 <= 360 and 0 <= sat <= 255 and 0 <= val <= 255):
            raise ValueError(f"marker colour {text!r}: hue must be 0-360, saturation and value 0-255")
        return cls(t, h1, h2, sat, val)

    def _hue_outside(self, hsv: NDArray[np.uint8]) -> NDArray[np.float32]:
        """How many degrees each pixel's hue lies outside the range (<= 0 inside)."""
        h = hsv[..., 0].astype(np.float32) * 2.0
        lo, hi = self.hue_from, self.hue_to
        if lo <= hi:
            return np.maximum(lo - h, h - hi)
        # wraps through 0/360: inside above ``lo`` or below ``hi``
        return np.where((h >= lo) | (h <= hi), -1.0, np.minimum(lo - h, h - hi)).astype(np.float32)

    def alike(self, hsv: NDArray[np.uint8]) -> NDArray[np.bool_]:
        """Pixels of about the sticker's hue (10 degrees either side), even if duller or darker
        than a sticker (half its saturation and value floors): the shaded parts of a thing of
        that colour."""
        return ((self._hue_outside(hsv) <= 10.0) & (hsv[..., 1] >= self.min_sat // 2)
                & (hsv[..., 2] >= self.min_val // 2))

    def score(self, hsv: NDArray[np.uint8]) -> NDArray[np.float32]:
        """Per-pixel membership 0-1 of an OpenCV HSV image (hue 0-180): 1 well inside the
        range, ramping to 0 over 8 degrees of hue and 30 levels of saturation/value."""
        s_hue = np.clip(1.0 - self._hue_outside(hsv) / 8.0, 0.0, 1.0)
        s_sat = np.clip((hsv[..., 1].astype(np.float32) - self.min_sat) / 30.0 + 0.5, 0.0, 1.0)
        s_val = np.clip((hsv[..., 2].astype(np.float32) - self.min_val) / 30.0 + 0.5, 0.0, 1.0)
        return s_hue * s_sat * s_val


def _trusted_mean(pose: Pose, lms: tuple[Landmark, ...], min_confidence: float) -> NDArray[np.float64] | None:
    conf = pose.confidence()
    ok = [lm for lm in lms if conf[lm] >= min_confidence and np.isfinite(pose.xy[lm]).all()]
    return pose.xy[ok].mean(axis=0) if ok else None


def hips_and_trunk(pose: Pose, min_confidence: float) -> tuple[NDArray[np.float64], float] | None:
    """(mid-hip, hip-to-shoulder length in pixels) from the trusted landmarks, or None."""
    if pose.is_empty:
        return None
    hip = _trusted_mean(pose, (Landmark.LEFT_HIP, Landmark.RIGHT_HIP), min_confidence)
    sh = _trusted_mean(pose, (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER), min_confidence)
    if hip is None or sh is None:
        return None
    trunk = float(np.hypot(*(sh - hip)))
    return (hip, trunk) if trunk > 4.0 else None


def find_markers(image_rgb: NDArray[np.uint8], pose: Pose, colour: MarkerColour,
                 min_confidence: float = 0.5, mask: NDArray[np.float32] | None = None) -> MarkerBlobs:
    """Sticker-coloured, sticker-sized blobs near the hips, best first.

    Searched in a box around the mid-hip (0.6 hip-to-shoulder lengths to either side, 0.45
    above, 0.3 below), so a green sofa or plant elsewhere in the room is never considered; with
    the person's segmentation ``mask`` only colour on the body counts (stickers are on the skin
    or clothes), so a green plant right behind the person does not merge with a sticker.
    A blob must be 3 px or more, at most 2% of the squared hip-to-shoulder length (a whole
    green shirt is no sticker) and compact, and must stand out from the body around it
    (``MAX_SURROUND_LIKE``: the lit patch of a green plant does not); its score falls as its
    area departs from a 4 cm sticker's (~0.5% of that square).
    """
    ht = hips_and_trunk(pose, min_confidence)
    if ht is None:
        return MarkerBlobs.none("hips or shoulders hidden: cannot find the pelvis")
    hip, trunk = ht
    h, w = image_rgb.shape[:2]
    x0, x1 = int(max(0, hip[0] - 0.6 * trunk)), int(min(w, hip[0] + 0.6 * trunk + 1))
    y0, y1 = int(max(0, hip[1] - 0.45 * trunk)), int(min(h, hip[1] + 0.3 * trunk + 1))
    if x1 - x0 < 3 or y1 - y0 < 3:
        return MarkerBlobs.none("the hips are at the edge of the picture")
    roi = np.ascontiguousarray(image_rgb[y0:y1, x0:x1])
    hsv = cv2.cvtColor(roi, cv2.COLOR_RGB2HSV)
    score = colour.score(hsv)
    binary = (score >= 0.5).astype(np.uint8)
    body = np.ones_like(binary)
    if mask is not None and mask.shape[:2] == image_rgb.shape[:2]:
        body = (np.ascontiguousarray(mask[y0:y1, x0:x1]) >= 0.5).astype(np.uint8)
        binary &= body
    alike = colour.alike(hsv)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    max_area = 0.02 * trunk * trunk
    expected = EXPECTED_AREA * trunk * trunk
    found = []
    for k in range(1, n):
        bx, by, bw, bh, area = (int(v) for v in stats[k])
        if area < 3 or area > max_area:
            continue
        fill = area / float(bw * bh)
        if fill < 0.3 or max(bw, bh) > 4 * min(bw, bh) + 2:
            continue
        if _surround_alike(alike, body, labels, k, (bx, by, bw, bh), trunk) > MAX_SURROUND_LIKE:
            continue
        centre = _unmixed_centre(roi, labels, k, (bx, by, bw, bh))
        if centre is None:
            continue
        cx, cy = centre[0] + x0, centre[1] + y0
        strength = float(score[labels == k].mean())
        size = float(np.exp(-0.5 * (np.log(area / expected) / np.log(3.0)) ** 2))
        found.append((strength * min(1.0, fill / 0.6) * size, (cx, cy), float(area)))
    if not found:
        return MarkerBlobs.none(f"no {colour.name} sticker found near the hips")
    found.sort(key=lambda f: -f[0])
    found = found[:MAX_CANDIDATES]
    return MarkerBlobs(np.array([f[1] for f in found]), np.array([f[2] for f in found]),
                       np.clip(np.array([f[0] for f in found]), 0.0, 1.0))


def _surround_alike(alike: NDArray[np.bool_], body: NDArray[np.uint8], labels: NDArray, k: int,
                    box: tuple[int, int, int, int], trunk: float) -> float:
    """The share of the body's pixels in a ring just outside blob ``k`` (``RING``) that are of
    the sticker's hue (``alike``); 0 where the ring holds no body (nothing to tell by)."""
    r_in = max(2, int(round(RING[0] * trunk)))
    r_out = max(4, int(round(RING[1] * trunk)))
    bx, by, bw, bh = box
    ya, yb = max(0, by - r_out - 1), min(labels.shape[0], by + bh + r_out + 1)
    xa, xb = max(0, bx - r_out - 1), min(labels.shape[1], bx + bw + r_out + 1)
    blob = (labels[ya:yb, xa:xb] == k).astype(np.uint8)
    outer = cv2.dilate(blob, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r_out + 1,) * 2))
    inner = cv2.dilate(blob, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r_in + 1,) * 2))
    ring = (outer & (1 - inner) & body[ya:yb, xa:xb]).astype(bool)
    if ring.sum() < 5:
        return 0.0
    return float(alike[ya:yb, xa:xb][ring].mean())


def _nearest(region: NDArray[np.uint8], img: NDArray[np.float32]) -> NDArray[np.float32] | None:
    """For every pixel, the colour of the nearest pixel of ``region`` (None if it is empty)."""
    ry, rx = np.nonzero(region)
    if ry.size == 0:
        return None
    _, lab = cv2.distanceTransformWithLabels((1 - region).astype(np.uint8), cv2.DIST_L2, 5,
                                             labelType=cv2.DIST_LABEL_PIXEL)
    lut = np.zeros(int(lab.max()) + 1, np.int64)
    lut[lab[ry, rx]] = np.arange(ry.size)
    nearest = lut[lab]
    return img[ry[nearest], rx[nearest]]


def _unmixed_centre(roi: NDArray[np.uint8], labels: NDArray, k: int, box: tuple[int, int, int, int]) -> tuple[float, float] | None:
    """Sub-pixel centre of blob ``k``: the centroid of each pixel's sticker coverage.

    Blur and the video's halved colour resolution mix a sticker's edge pixels with whatever
    surrounds it, which differs around it (a red shirt above, dark trousers below), and the
    sticker itself is lit unevenly across a curved body. Each pixel near the blob is unmixed
    as ``coverage * sticker + (1 - coverage) * surround``, with the sticker colour of the
    nearest pixel of the blob's core and the surround colour of the nearest pixel just outside
    the blob, so neither a neighbour's colour nor the shading pulls the centre. Coordinates are
    the ROI's pixel indices (pixel centres at integers).
    """
    bx, by, bw, bh = box
    ya, yb = max(0, by - 4), min(roi.shape[0], by + bh + 4)
    xa, xb = max(0, bx - 4), min(roi.shape[1], bx + bw + 4)
    blob = (labels[ya:yb, xa:xb] == k).astype(np.uint8)
    img = roi[ya:yb, xa:xb].astype(np.float32)
    grown = cv2.dilate(blob, np.ones((5, 5), np.uint8))
    ring = cv2.dilate(blob, np.ones((9, 9), np.uint8)) & (1 - grown)
    core = cv2.erode(blob, np.ones((3, 3), np.uint8))
    surround = _nearest(ring, img)
    sticker = _nearest(core if core.any() else blob, img)
    if surround is None or sticker is None:
        return None
    d = sticker - surround
    cover = ((img - surround) * d).sum(-1) / np.maximum((d * d).sum(-1), 1.0)
    cover = np.clip(cover, 0.0, 1.0) * grown
    total = float(cover.sum())
    if total <= 0:
        return None
    yy, xx = np.mgrid[ya:yb, xa:xb]
    return float((cover * xx).sum() / total), float((cover * yy).sum() / total)
