"""The person's side outlines along the trunk, from the segmentation mask.

In a side view the mask's edge behind the trunk is the lower back and buttock, the edge in
front the belly. ``body_outline`` samples both edges at fixed heights along the trunk axis
(mid-hip -> mid-shoulder, from the pose's landmarks), from 0.3 hip-to-shoulder lengths below
the hips to 0.85 above, to sub-pixel precision: along each level it walks out from the axis
and interpolates where the mask falls through 0.5. The pelvic-tilt geometry that reads these
edges is in ``posture_rules.pelvis`` (this module does not know which edge is the back).

It also says how crisp the mask's edge is (a blurry or patchy mask cannot show a lumbar
curve to a pixel). Where an arm may form the edge instead of the back is the rules core's
call (``posture_rules.pelvis.arm_gaps``), from the same points and the arm's keypoints.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from vision.landmarks import Landmark
from vision.markers import hips_and_trunk
from vision.outline_colour import PersonColours, foreign_share
from vision.pelvis_types import BodyOutline, MarkerBlobs, SideOutline
from vision.pose import Pose

LEVELS = (-0.3, 0.85)  # hip-to-shoulder lengths below/above the mid-hip
STEP_PX = 0.5  # between levels
RAY_STEP_PX = 0.25  # along each level
MAX_REACH = 0.8  # how far from the axis an edge is searched, in hip-to-shoulder lengths
# ...and how far inward of the axis: with the pelvis tipped well forward the lower back's
# hollow can lie in front of the mid-hip -> mid-shoulder line (rendered bodies, true masks
# and joints: up to 0.03 hip-to-shoulder lengths in front of it at 22 deg of tilt, 0.05 at
# 26 deg), where a ray from the axis starts outside the body and would find no edge at all.
INWARD_REACH = 0.3
def _edges(mask: NDArray[np.float32], origin: NDArray, along: NDArray, out: NDArray, levels_px: NDArray,
           reach_px: float, inward_px: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Signed distance from the axis along ``out`` to where the mask falls through 0.5 at
    each level, and the edge's steepness (NaN where the level has no such edge).

    From an axis point inside the mask: the first crossing outward. From one outside it (a
    hollow deeper than the axis): the last crossing inward of the axis, up to ``inward_px``
    back, so the distance is negative. Only above the hips: below them the axis runs
    between the thighs, where it is rightly outside the body."""
    inward = np.arange(RAY_STEP_PX, inward_px, RAY_STEP_PX)[::-1]
    dist = np.concatenate([-inward, np.arange(0.0, reach_px, RAY_STEP_PX)])
    k0 = len(inward)  # the sample on the axis (distance 0)
    # The sample grid (level x distance), built per coordinate in float32: what cv2.remap
    # takes, and a third of the memory traffic of one float64 (level, distance, xy) array.
    on_axis = (origin[None, :] + levels_px[:, None] * along[None, :]).astype(np.float32)
    step = (dist[:, None] * out[None, :]).astype(np.float32)
    map_x = on_axis[:, 0:1] + step[None, :, 0]
    map_y = on_axis[:, 1:2] + step[None, :, 1]
    vals = cv2.remap(mask, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
    inside = vals >= 0.5
    d = np.full(len(levels_px), np.nan)
    steep = np.full(len(levels_px), np.nan)
    # k = the first sample outside the mask past the edge (sample k - 1 is inside).
    on_axis_in = inside[:, k0]
    # Axis inside: the first sample outside beyond the axis.
    rows_out = np.flatnonzero(on_axis_in & ~inside[:, k0:].all(axis=1))
    k_out = k0 + np.argmin(inside[rows_out, k0:], axis=1)
    # Axis outside: one past the last inside sample before the axis.
    before = inside[:, :k0][:, ::-1]
    rows_in = np.flatnonzero(~on_axis_in & before.any(axis=1) & (levels_px > 0))
    k_in = k0 - np.argmax(before[rows_in], axis=1)
    rows, k = np.concatenate([rows_out, rows_in]), np.concatenate([k_out, k_in])
    if not len(rows):
        return d, steep
    a0, a1 = vals[rows, k - 1].astype(np.float64), vals[rows, k].astype(np.float64)
    drop = a0 - a1
    frac = np.divide(a0 - 0.5, drop, out=np.zeros_like(drop), where=drop != 0)
    d[rows] = dist[k - 1] + frac * RAY_STEP_PX
    # Mask drop per pixel across the edge, over +-1.5 px.
    lo, hi = np.maximum(k - 6, 0), np.minimum(k + 6, len(dist) - 1)
    steep[rows] = (vals[rows, lo].astype(np.float64) - vals[rows, hi]) / np.maximum(dist[hi] - dist[lo], 1e-6)
    return d, steep


def body_outline(mask: NDArray[np.float32] | None, pose: Pose, min_confidence: float = 0.5,
                 image_rgb: NDArray[np.uint8] | None = None, stickers: MarkerBlobs | None = None) -> BodyOutline:
    """The image-left and image-right edges of the person's mask along the trunk. With the
    frame (``image_rgb``) each edge also says where its colour is not the person's (the
    pelvic sticker blobs found, ``stickers``, are the person's)."""
    if mask is None:
        return BodyOutline.none("no segmentation mask (the body-outline method needs one)")
    ht = hips_and_trunk(pose, min_confidence)
    if ht is None:
        return BodyOutline.none("hips or shoulders hidden: cannot place the outline")
    hip, trunk = ht
    conf = pose.confidence()
    shoulders = [lm for lm in (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER) if conf[lm] >= min_confidence]
    sh = pose.xy[shoulders].mean(axis=0)
    u = (sh - hip) / trunk  # up along the trunk
    right = np.array([-u[1], u[0]]) if -u[1] >= 0 else np.array([u[1], -u[0]])  # image-right normal
    levels = np.arange(LEVELS[0] * trunk, LEVELS[1] * trunk, STEP_PX)
    m = np.ascontiguousarray(mask, dtype=np.float32)
    colours = None if image_rgb is None else PersonColours.of(image_rgb, m)
    sides = {}
    for name, out in (("left", -right), ("right", right)):
        d, steep = _edges(m, hip, u, out, levels, MAX_REACH * trunk, INWARD_REACH * trunk)
        pts = hip[None, :] + levels[:, None] * u[None, :] + d[:, None] * out[None, :]
        ok = np.isfinite(d)
        # A crisp mask drops from ~1 to ~0 within 1-2 px (steepness >= ~0.4 per px).
        sharp = float(np.clip(np.median(steep[ok]) / 0.4, 0.0, 1.0)) if ok.any() else 0.0
        foreign = None if image_rgb is None else foreign_share(image_rgb, colours, hip, u, out, levels, d, trunk, stickers)
        sides[name] = SideOutline(levels / trunk, pts, sharp, foreign)
    return BodyOutline(sides["left"], sides["right"], trunk)
