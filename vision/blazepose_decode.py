"""BlazePose pre- and post-processing in numpy/OpenCV: what MediaPipe's graph does around the models.

ONNX Runtime returns raw tensors only. This module turns them into detections, regions of
interest and landmarks the way MediaPipe Tasks' ``PoseLandmarker`` does (pose_detector_graph,
pose_landmarks_detector_graph and their calculators), so that the ONNX backend agrees with
the MediaPipe backend to well under a pixel on the same frame. Constants are MediaPipe's;
where MediaPipe has a quirk that moves results (truncation towards zero, a bounds check
that compares a column with the height) it is reproduced on purpose and marked.

Coordinates are pixels of the full frame throughout (MediaPipe normalises by the frame size
and multiplies back; with the square regions BlazePose uses the results are the same).
Nothing here loops over landmarks in Python: every step is a handful of array operations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

F32 = np.float32

DETECTOR_SIZE = 224
LANDMARK_SIZE = 256
HEATMAP_SIZE = 64
NUM_MODEL_LANDMARKS = 39  # 33 pose + 2 auxiliary (ROI) + 4 unused
NUM_POSE_LANDMARKS = 33
AUX_LANDMARKS = slice(33, 35)

# SsdAnchorsCalculator options from pose_detector_graph.cc.
ANCHOR_STRIDES = (8, 16, 32, 32, 32)
# TensorsToDetections: 4 box values then 4 keypoints (x, y); scores clipped to +-100.
SCORE_CLIP = 100.0
# NonMaxSuppression: weighted, IoU; PoseDetectorGraphOptions.min_suppression_threshold.
NMS_IOU = 0.5
# RectTransformation around both the detector's and the tracked region.
ROI_SCALE = 1.25
# RefineLandmarksFromHeatmap: kernel 7, refine only where the heatmap is confident.
HEATMAP_KERNEL = 7
HEATMAP_MIN_CONFIDENCE = 0.5


@dataclass(frozen=True)
class Roi:
    """A rotated square region of the frame, in pixels; rotation in radians (MediaPipe's sign)."""

    cx: float
    cy: float
    size: float
    rotation: float

    @classmethod
    def from_alignment_points(cls, center: NDArray, scale_point: NDArray) -> Roi:
        """MediaPipe's AlignmentPointsRects + RectTransformation(scale 1.25, square_long).

        The first point is the body centre (mid-hip), the second a point whose distance from
        it is half the body size and whose direction gives the body's rotation (90 deg =
        upright).
        """
        dx, dy = float(scale_point[0] - center[0]), float(scale_point[1] - center[1])
        size = 2.0 * math.hypot(dx, dy) * ROI_SCALE
        rotation = normalize_radians(math.pi / 2 - math.atan2(-dy, dx))
        return cls(float(center[0]), float(center[1]), size, rotation)

    def crop_matrix(self, out_size: int) -> NDArray[np.float64]:
        """2x3 affine map from frame pixels to the ``out_size`` square crop of this region.

        The map MediaPipe's OpenCV ImageToTensor converter builds from cv2.boxPoints: the
        region's corners go to the crop's corners (0,H), (0,0), (W,0), so pixel centres
        sample the same places. Written out (rotate back, scale, centre) rather than through
        boxPoints + getAffineTransform: the same numbers, without two OpenCV calls a frame.
        """
        k = out_size / self.size
        cos, sin = math.cos(self.rotation) * k, math.sin(self.rotation) * k
        half = out_size / 2.0
        return np.array([[cos, sin, half - cos * self.cx - sin * self.cy],
                         [-sin, cos, half + sin * self.cx - cos * self.cy]])


def normalize_radians(angle: float) -> float:
    """The angle in [-pi, pi), as MediaPipe's NormalizeRadians."""
    return angle - 2 * math.pi * math.floor((angle + math.pi) / (2 * math.pi))


def ssd_anchor_centers(input_size: int = DETECTOR_SIZE,
                       strides: tuple[int, ...] = ANCHOR_STRIDES) -> NDArray[np.float32]:
    """(N, 2) anchor centres in [0, 1], in the detector's output order.

    MediaPipe's SsdAnchorsCalculator with fixed_anchor_size: each layer adds two anchors per
    cell (aspect ratio 1 and the interpolated scale); consecutive layers with the same stride
    are merged, so a cell of stride 32 holds 3 x 2 = 6 anchors. Sizes are all 1, so only the
    centres matter. For 224 px: 28x28x2 + 14x14x2 + 7x7x6 = 2254.
    """
    centers = []
    layer = 0
    while layer < len(strides):
        last = layer
        while last < len(strides) and strides[last] == strides[layer]:
            last += 1
        per_cell = 2 * (last - layer)
        cells = math.ceil(input_size / strides[layer])
        grid = (np.arange(cells, dtype=np.float64) + 0.5) / cells
        yy, xx = np.meshgrid(grid, grid, indexing="ij")
        xy = np.stack([xx.ravel(), yy.ravel()], axis=1)
        centers.append(np.repeat(xy, per_cell, axis=0))
        layer = last
    return np.concatenate(centers).astype(F32)


def letterbox_matrix(width: int, height: int, out_size: int = DETECTOR_SIZE) -> tuple[NDArray, tuple[float, float]]:
    """Affine map from the frame to the detector's square input, and its (x, y) padding.

    The whole frame, centred in a square of its longer side (keep_aspect_ratio), padding
    given as a fraction of the square on each side, as MediaPipe's LETTERBOX_PADDING.
    """
    side = float(max(width, height))
    pad_x = (1.0 - width / side) / 2.0
    pad_y = (1.0 - height / side) / 2.0
    roi = Roi(width / 2.0, height / 2.0, side, 0.0)
    return roi.crop_matrix(out_size), (pad_x, pad_y)


def sigmoid(x: NDArray) -> NDArray:
    # tanh form: no overflow warning for large negative logits.
    return 0.5 * (np.tanh(0.5 * x) + 1.0)


@dataclass(frozen=True)
class Detections:
    """Detector output after NMS, in [0, 1] coordinates of the letterboxed square.

    boxes: (N, 4) xmin, ymin, xmax, ymax; keypoints: (N, 4, 2); scores: (N,), best first.
    """

    boxes: NDArray[np.float32]
    keypoints: NDArray[np.float32]
    scores: NDArray[np.float32]

    def __len__(self) -> int:
        return len(self.scores)


def decode_detections(raw_boxes: NDArray, raw_scores: NDArray, anchors: NDArray,
                      min_score: float, input_size: int = DETECTOR_SIZE) -> Detections:
    """Boxes and keypoints of the anchors that score at least ``min_score`` (TensorsToDetections)."""
    raw_boxes = raw_boxes.reshape(-1, 12)
    scores = sigmoid(np.clip(raw_scores.reshape(-1), -SCORE_CLIP, SCORE_CLIP))
    keep = np.flatnonzero(scores >= min_score)
    order = keep[np.argsort(-scores[keep], kind="stable")]
    raw = raw_boxes[order] / input_size
    centers = anchors[order]
    cxy = raw[:, 0:2] + centers
    half = raw[:, 2:4] / 2.0
    boxes = np.concatenate([cxy - half, cxy + half], axis=1)
    keypoints = raw[:, 4:12].reshape(-1, 4, 2) + centers[:, None, :]
    return Detections(boxes.astype(F32), keypoints.astype(F32), scores[order].astype(F32))


def iou(box: NDArray, boxes: NDArray) -> NDArray:
    """Intersection over union of one (4,) box with (N, 4) boxes (xmin, ymin, xmax, ymax)."""
    lo = np.maximum(box[:2], boxes[:, :2])
    hi = np.minimum(box[2:], boxes[:, 2:])
    inter = np.prod(np.clip(hi - lo, 0.0, None), axis=1)
    area = np.prod(box[2:] - box[:2])
    areas = np.prod(boxes[:, 2:] - boxes[:, :2], axis=1)
    union = area + areas - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)


def weighted_nms(det: Detections, iou_threshold: float = NMS_IOU) -> Detections:
    """MediaPipe's WEIGHTED non-maximum suppression.

    Repeatedly take the best remaining detection and every remaining one overlapping it by
    more than ``iou_threshold`` (itself included); output their score-weighted mean box and
    keypoints with the best one's score. Input must be sorted by score, best first.
    """
    boxes_out, kps_out, scores_out = [], [], []
    remaining = np.arange(len(det))
    while remaining.size:
        best = remaining[0]
        overlap = iou(det.boxes[best], det.boxes[remaining]) > iou_threshold
        members = remaining[overlap]
        w = det.scores[members][:, None]
        total = w.sum()
        boxes_out.append((det.boxes[members] * w).sum(axis=0) / total)
        kps_out.append((det.keypoints[members].reshape(len(members), -1) * w).sum(axis=0) / total)
        scores_out.append(det.scores[best])
        if not overlap.any():  # cannot happen (a box overlaps itself) unless it has no area
            remaining = remaining[1:]
        else:
            remaining = remaining[~overlap]
    if not scores_out:
        return det
    return Detections(np.array(boxes_out, F32), np.array(kps_out, F32).reshape(-1, 4, 2),
                      np.array(scores_out, F32))


def detection_roi(keypoints: NDArray, padding: tuple[float, float], width: int, height: int) -> Roi:
    """The landmark model's region for one detection (letterbox removed, then alignment points)."""
    pad = np.array(padding, np.float64)
    scale = np.array([width, height], np.float64) / (1.0 - 2.0 * pad)
    px = (keypoints[:2].astype(np.float64) - pad) * scale
    return Roi.from_alignment_points(px[0], px[1])


def refine_from_heatmap(xy_norm: NDArray[np.float32], heatmap: NDArray[np.float32]) -> NDArray[np.float32]:
    """MediaPipe's RefineLandmarksFromHeatmap (kernel 7): heatmap-weighted centres.

    ``xy_norm`` (39, 2) in [0, 1] of the crop; ``heatmap`` (64, 64, 39) logits. A landmark
    moves to the sigmoid-weighted mean cell position in a 7x7 window around it when the
    window's peak is >= 0.5. Reproduced quirks: the centre cell is truncated towards zero
    (C++ int conversion), the bounds check compares the column (not the row) with the height
    (harmless for a square heatmap), and positions are cell indices / 64, not cell centres.
    """
    h, w, n = heatmap.shape
    col = np.trunc(xy_norm[:, 0] * w).astype(np.int64)
    row = np.trunc(xy_norm[:, 1] * h).astype(np.int64)
    inside = (col >= 0) & (col < w) & (row >= 0) & (col < h)
    half = (HEATMAP_KERNEL - 1) // 2
    offsets = np.arange(-half, half + 1)
    rows = row[:, None] + offsets  # (n, k)
    cols = col[:, None] + offsets
    valid = ((rows >= 0) & (rows < h))[:, :, None] & ((cols >= 0) & (cols < w))[:, None, :]
    r = np.clip(rows, 0, h - 1)[:, :, None]
    c = np.clip(cols, 0, w - 1)[:, None, :]
    conf = sigmoid(heatmap[r, c, np.arange(n)[:, None, None]]) * valid  # (n, k, k)
    total = conf.sum(axis=(1, 2))
    peak = conf.max(axis=(1, 2))
    wcol = (conf * (cols * 1.0)[:, None, :]).sum(axis=(1, 2))
    wrow = (conf * (rows * 1.0)[:, :, None]).sum(axis=(1, 2))
    refine = inside & (peak >= HEATMAP_MIN_CONFIDENCE) & (total > 0)
    safe = np.where(total > 0, total, 1.0)
    out = xy_norm.copy()
    out[:, 0] = np.where(refine, wcol / w / safe, xy_norm[:, 0])
    out[:, 1] = np.where(refine, wrow / h / safe, xy_norm[:, 1])
    return out


@dataclass(frozen=True)
class Landmarks:
    """One pose decoded from the landmark model, projected into the frame."""

    xy: NDArray[np.float64]  # (33, 2) pixels
    depth: NDArray[np.float64]  # (33,) pixels, same scale as x
    visibility: NDArray[np.float64]  # (33,)
    presence: NDArray[np.float64]  # (33,)
    world: NDArray[np.float64]  # (33, 3) metres, hip-centred, rotated with the region
    next_roi: Roi  # where to look in the next frame


def decode_landmarks(raw: NDArray, heatmap: NDArray, world_raw: NDArray, roi: Roi,
                     input_size: int = LANDMARK_SIZE) -> Landmarks:
    """Landmark-model tensors -> landmarks in frame pixels, plus the next frame's region.

    raw: (1, 195) = 39 x (x, y, z, visibility logit, presence logit) in crop pixels;
    heatmap: (1, 64, 64, 39); world_raw: (1, 117) = 39 x (x, y, z) metres.
    """
    lm = raw.reshape(NUM_MODEL_LANDMARKS, 5)
    xy_crop = refine_from_heatmap(lm[:, :2] / input_size, heatmap.reshape(heatmap.shape[-3:]))
    cos, sin = math.cos(roi.rotation), math.sin(roi.rotation)
    rot = np.array([[cos, -sin], [sin, cos]])
    centered = xy_crop.astype(np.float64) - 0.5
    xy = centered @ rot.T * roi.size + (roi.cx, roi.cy)
    aux = xy[AUX_LANDMARKS]
    world = world_raw.reshape(NUM_MODEL_LANDMARKS, 3)[:NUM_POSE_LANDMARKS].astype(np.float64)
    world_xy = world[:, :2] @ rot.T
    return Landmarks(
        xy=xy[:NUM_POSE_LANDMARKS],
        depth=lm[:NUM_POSE_LANDMARKS, 2].astype(np.float64) / input_size * roi.size,
        visibility=sigmoid(lm[:NUM_POSE_LANDMARKS, 3].astype(np.float64)),
        presence=sigmoid(lm[:NUM_POSE_LANDMARKS, 4].astype(np.float64)),
        world=np.column_stack([world_xy, world[:, 2]]),
        next_roi=Roi.from_alignment_points(aux[0], aux[1]),
    )


def project_mask(logits: NDArray, crop_matrix: NDArray, width: int, height: int) -> NDArray[np.float32]:
    """The crop's segmentation (logits, 256x256) as a frame-sized float32 mask in [0, 1].

    MediaPipe warps the sigmoid mask back with the inverse crop transform, zero outside.
    """
    crop = sigmoid(logits.reshape(logits.shape[-3], logits.shape[-2]).astype(F32))
    mask = cv2.warpAffine(crop, crop_matrix, (width, height),
                          flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
    mask.setflags(write=False)  # handed to a Pose, which then need not copy it
    return mask
