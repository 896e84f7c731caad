"""Is the mask's edge the person's own? Colours just inside an edge that appear nowhere else on
the person.

A segmentation mask can take in something right behind the person (a plant, a chair back)
whose edge then passes for the lower back's: on rendered clips a plant merged into the
hollow of the lower back during the calibration read as 25 deg of tilt for the whole hold,
and the mask stayed crisp. Such an object's colour is rarely anywhere else on the person,
while the person's own colour at an edge (a shirt, leggings, bare skin) is also found away
from that edge (the shirt's front, the legs, the face and hands). So, per side: a colour
histogram of the person away from that edge, and for each level the share of samples just
inside the edge whose colour that histogram (nearly) lacks. The rules core decides how much
of that is too much (``posture_rules.pelvis``).

Colours are binned coarsely, by hue where there is colour and by brightness where there is
little, so the shading across one garment stays in one bin or its neighbour.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from vision.pelvis_types import MarkerBlobs

# Below these (OpenCV HSV, 0-255) a pixel's hue is noise: it is binned by brightness. The
# value floor is low because a dark plant in shadow (value ~35, saturation ~105 on a rendered
# clip) still has a clear hue, and binned as "dark" it would pass for black trousers.
MIN_SATURATION = 60
MIN_VALUE = 25
MIN_DARK_VALUE = 10  # below this a pixel is black whatever its hue (sensor noise)
GREY_BINS = 4  # brightness bins for the colourless pixels (0..3)
HUE_BINS = 18  # 10 deg each (OpenCV hue runs 0-179)
# A colour is the person's if this share of the person's pixels away from the edge has it
# (its bin and the neighbouring ones): a garment or bare skin covers far more of a person
# than 1 %.
MIN_SHARE = 0.01
# Samples just inside the edge, in hip-to-shoulder lengths (at least 2 px: the edge pixel
# itself is a mix of the person and what is behind them).
DEPTHS = (0.02, 0.08)
SAMPLES_PER_LEVEL = 5
# The person's pixels this close to the edge (hip-to-shoulder lengths), at the outline's
# heights, are left out of the histogram the edge is checked against: what is being checked
# must not vouch for itself.
EXCLUDE_NEAR_EDGE = 0.3
# ...and so are those further below the hips than this: where the person kneels and steps,
# the mask takes in bits of the floor, a mat or a shoe's shadow (on a rendered clip 1 % of the
# reference was a green mat at the knee, which vouched for a green plant at the back).
LOWEST = -0.8
MASK_CORE = 0.8  # person pixels for the histogram: well inside the mask (the edge mixes in the background)


def _hue_bin(hsv: NDArray[np.uint8]) -> NDArray[np.intp]:
    """Each pixel's hue bin (after the grey ones), whatever its saturation and value."""
    return GREY_BINS + np.minimum(hsv[..., 0].astype(np.intp) * HUE_BINS // 180, HUE_BINS - 1)


def colour_bins(hsv: NDArray[np.uint8]) -> NDArray[np.intp]:
    """Each pixel's colour bin (OpenCV HSV in): 0..GREY_BINS-1 for the colourless, then one
    per hue."""
    s, v = hsv[..., 1], hsv[..., 2]
    grey = (s < MIN_SATURATION) | (v < MIN_VALUE)
    return np.where(grey, np.minimum(v.astype(np.intp) * GREY_BINS // 256, GREY_BINS - 1), _hue_bin(hsv))


def _with_neighbours(share: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each bin's share plus its neighbours' (hue wraps around; grey does not)."""
    grey, hue = share[:GREY_BINS], share[GREY_BINS:]
    g = grey + np.concatenate([[0.0], grey[:-1]]) + np.concatenate([grey[1:], [0.0]])
    h = hue + np.roll(hue, 1) + np.roll(hue, -1)
    return np.concatenate([g, h])


def _hsv(image_rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
    return cv2.cvtColor(np.ascontiguousarray(image_rgb), cv2.COLOR_RGB2HSV)


@dataclass(frozen=True)
class PersonColours:
    """The person's pixels (every other row and column: plenty for a histogram of ~22 bins)
    and their colour bins, gathered once per frame for both edges."""

    xy: NDArray[np.float64]  # (M, 2) image pixels
    bins: NDArray[np.intp]  # (M,)
    # The hue bin of pixels too dark for ``colour_bins`` to trust their hue but not black
    # (-1 for the rest). Dark clothes are a little lighter where they turn away at the edge,
    # and their hue then counts: navy-black trousers read blue at the buttock's edge.
    dark_hue_bins: NDArray[np.intp]  # (M,)

    @classmethod
    def of(cls, image_rgb: NDArray[np.uint8], mask: NDArray[np.float32]) -> PersonColours:
        person = mask[::2, ::2] >= MASK_CORE
        ys, xs = np.nonzero(person)
        if not len(ys):
            empty = np.zeros(0, np.intp)
            return cls(np.zeros((0, 2)), empty, empty)
        hsv = _hsv(image_rgb[::2, ::2][person].reshape(1, -1, 3))
        s, v = hsv[0, :, 1], hsv[0, :, 2]
        dark = (s >= MIN_SATURATION) & (v < MIN_VALUE) & (v >= MIN_DARK_VALUE)
        return cls(np.stack([xs * 2.0, ys * 2.0], axis=-1), colour_bins(hsv).reshape(-1),
                   np.where(dark, _hue_bin(hsv)[0], -1))


def foreign_share(image_rgb: NDArray[np.uint8], person: PersonColours, hip: NDArray, up: NDArray,
                  out: NDArray, levels_px: NDArray, edge_px: NDArray, trunk_px: float,
                  stickers: MarkerBlobs | None = None) -> NDArray[np.float64]:
    """Per level, the share of samples just inside this edge (``edge_px`` along ``out`` from
    the trunk axis; NaN: no edge) whose colour the rest of the person lacks; NaN where
    there is no edge or no person left to compare with. ``stickers``: the sticker blobs
    found on the pelvis, whose pixels are the person's (the back sticker sits on this edge;
    only the blobs, not their colour anywhere, or a plant of that colour would pass too)."""
    result = np.full(len(levels_px), np.nan)
    ok = np.isfinite(edge_px)
    if not ok.any() or trunk_px <= 0:
        return result
    h, w = image_rgb.shape[:2]
    rel = person.xy - hip
    s, t = rel @ up, rel @ out
    lv, ed = levels_px[ok], edge_px[ok]
    near = (s >= lv[0]) & (s <= lv[-1]) & (t >= np.interp(s, lv, ed) - EXCLUDE_NEAR_EDGE * trunk_px)
    keep = ~near & (s >= LOWEST * trunk_px)
    if keep.sum() < 50:
        return result
    n_bins = GREY_BINS + HUE_BINS
    dark = person.dark_hue_bins[keep]
    counts = np.bincount(person.bins[keep], minlength=n_bins) + np.bincount(dark[dark >= 0], minlength=n_bins)
    share = counts / float(keep.sum())
    known = _with_neighbours(share) >= MIN_SHARE
    # Samples inward from the edge at each level that has one.
    depth = np.linspace(max(2.0, DEPTHS[0] * trunk_px), max(3.0, DEPTHS[1] * trunk_px), SAMPLES_PER_LEVEL)
    base = hip[None, :] + lv[:, None] * up[None, :] + ed[:, None] * out[None, :]
    pts = base[:, None, :] - depth[None, :, None] * out[None, None, :]
    px = np.clip(np.rint(pts[..., 0]).astype(np.intp), 0, w - 1)
    py = np.clip(np.rint(pts[..., 1]).astype(np.intp), 0, h - 1)
    hsv = _hsv(image_rgb[py.ravel(), px.ravel()].reshape(1, -1, 3))
    foreign = ~known[colour_bins(hsv)].reshape(px.shape)
    if stickers is not None and len(stickers.centres):
        radius = np.sqrt(stickers.areas / np.pi) + 1.5  # the blob and its blurred rim
        dist = np.hypot(pts[..., 0, None] - stickers.centres[:, 0], pts[..., 1, None] - stickers.centres[:, 1])
        foreign &= ~(dist <= radius).any(axis=-1)
    result[ok] = foreign.mean(axis=1)
    return result
