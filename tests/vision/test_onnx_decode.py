"""BlazePose decoding helpers (vision.blazepose_decode, vision.blazepose_filter) on cases
small enough to check by hand. No model runs here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vision import blazepose_decode as bp
from vision.blazepose_filter import LowPass, OneEuro, PoseLandmarkFilter


def test_anchor_centres_follow_mediapipe_layout():
    a = bp.ssd_anchor_centers()
    # 28x28 cells x 2 (stride 8) + 14x14 x 2 (stride 16) + 7x7 x 6 (three stride-32 layers).
    assert a.shape == (2254, 2)
    # Two anchors per cell, x varies fastest: cell (0,0), (0,0), then cell (row 0, col 1).
    np.testing.assert_allclose(a[:3], [[0.5 / 28, 0.5 / 28], [0.5 / 28, 0.5 / 28], [1.5 / 28, 0.5 / 28]])
    np.testing.assert_allclose(a[1568], [0.5 / 14, 0.5 / 14])  # first stride-16 anchor
    np.testing.assert_allclose(a[-6:], np.full((6, 2), 6.5 / 7), rtol=1e-6)  # last cell, 6 anchors


@pytest.mark.parametrize("angle, expected", [
    (0.0, 0.0),
    (3 * math.pi / 2, -math.pi / 2),  # wraps to the other side
    (math.pi, -math.pi),  # [-pi, pi): +pi becomes -pi
    (-math.pi, -math.pi),
    (5 * math.pi, -math.pi),
])
def test_normalize_radians(angle, expected):
    assert bp.normalize_radians(angle) == pytest.approx(expected)


@pytest.mark.parametrize("scale_point, rotation", [
    ((100.0, 100.0), 0.0),  # scale point straight above the hips: upright
    ((200.0, 200.0), math.pi / 2),  # to the right: lying, head right
    ((0.0, 200.0), -math.pi / 2),  # to the left
    ((100.0, 300.0), -math.pi),  # below: upside down
])
def test_roi_from_alignment_points(scale_point, rotation):
    roi = bp.Roi.from_alignment_points(np.array([100.0, 200.0]), np.array(scale_point))
    assert (roi.cx, roi.cy) == (100.0, 200.0)
    assert roi.size == pytest.approx(2 * 100 * 1.25)  # twice the distance, +25 % margin
    assert roi.rotation == pytest.approx(rotation)
    # Whatever the rotation, the crop puts the scale point straight above the centre:
    # 100 px of a 250 px region is 102.4 crop px above the crop centre (128, 128).
    m = roi.crop_matrix(256)
    np.testing.assert_allclose(m @ [*scale_point, 1.0], [128.0, 128.0 - 102.4], atol=1e-3)
    np.testing.assert_allclose(m @ [100.0, 200.0, 1.0], [128.0, 128.0], atol=1e-3)


def test_letterbox_matrix_centres_a_landscape_frame():
    m, (pad_x, pad_y) = bp.letterbox_matrix(640, 480)
    assert (pad_x, pad_y) == (0.0, 0.125)  # 480/640 of the square height, centred
    np.testing.assert_allclose(m @ [0, 0, 1], [0, 28], atol=1e-4)  # 0.125 * 224 = 28
    np.testing.assert_allclose(m @ [640, 480, 1], [224, 196], atol=1e-4)


def _raw_detector(entries):
    """Detector tensors with every anchor at logit -20 except ``{index: (logit, box12)}``."""
    boxes = np.zeros((1, 2254, 12), np.float32)
    scores = np.full((1, 2254, 1), -20.0, np.float32)
    for index, (logit, box) in entries.items():
        boxes[0, index] = box
        scores[0, index] = logit
    return boxes, scores


def test_decode_detections_box_and_keypoints_relative_to_the_anchor():
    anchors = bp.ssd_anchor_centers()
    # Anchor 0 sits at (1/56, 1/56). Offsets are in 224-px units: +22.4 px = +0.1.
    box = [22.4, 0.0, 44.8, 22.4, 0.0, 0.0, 22.4, 22.4, 0, 0, 0, 0]
    boxes, scores = _raw_detector({0: (3.0, box), 5: (0.0, box)})  # sigmoid(0) = 0.5
    det = bp.decode_detections(boxes, scores, anchors, min_score=0.6)
    assert len(det) == 1  # anchor 5 scored 0.5 < 0.6
    c = 1 / 56
    np.testing.assert_allclose(det.boxes[0], [c + 0.1 - 0.1, c - 0.05, c + 0.1 + 0.1, c + 0.05], atol=1e-6)
    np.testing.assert_allclose(det.keypoints[0, :2], [[c, c], [c + 0.1, c + 0.1]], atol=1e-6)
    assert det.scores[0] == pytest.approx(1 / (1 + math.exp(-3.0)))


def test_weighted_nms_averages_overlapping_boxes_by_score():
    det = bp.Detections(
        boxes=np.array([[0.0, 0.0, 1.0, 1.0], [0.1, 0.0, 1.1, 1.0], [5.0, 5.0, 6.0, 6.0]], np.float32),
        keypoints=np.array([np.zeros((4, 2)), np.ones((4, 2)), np.full((4, 2), 5.0)], np.float32),
        scores=np.array([0.75, 0.25, 0.6], np.float32),
    )
    out = bp.weighted_nms(det)  # boxes 0 and 1: IoU 0.9 / 1.1 = 0.82 > 0.5; box 2 apart
    assert len(out) == 2
    np.testing.assert_allclose(out.boxes[0], [0.025, 0.0, 1.025, 1.0], atol=1e-6)
    np.testing.assert_allclose(out.keypoints[0], np.full((4, 2), 0.25), atol=1e-6)
    assert out.scores.tolist() == pytest.approx([0.75, 0.6])  # the best member's score


def test_detection_roi_removes_the_letterbox():
    # 640x480 frame: the square's y runs from -80 px to 560 px (pad 0.125 each side).
    kp = np.array([[0.5, 0.5], [0.5, 0.25]], np.float32)  # hips at centre, scale point above
    roi = bp.detection_roi(kp, (0.0, 0.125), 640, 480)
    assert (roi.cx, roi.cy) == pytest.approx((320.0, 240.0))
    assert roi.size == pytest.approx(2 * 0.25 * 640 * 1.25)  # 0.25 of the 640-px square
    assert roi.rotation == pytest.approx(0.0)


def test_refine_from_heatmap():
    hm = np.full((64, 64, 4), -20.0, np.float32)  # sigmoid ~ 0: nowhere confident
    hm[10, 20, 0] = 20.0  # landmark 0: one confident cell at row 10, col 20
    hm[0, 0:2, 2] = 20.0  # landmark 2: two confident cells in the corner
    xy = np.array([[20.4 / 64, 10.7 / 64],  # near its peak: snaps to the cell index / 64
                   [0.3, 0.3],  # no confident cell: unchanged
                   [0.5 / 64, 0.5 / 64],  # window clipped at the edge: mean of cols 0 and 1
                   [-0.5, 0.3]], np.float32)  # outside the heatmap: unchanged
    out = bp.refine_from_heatmap(xy, hm)
    np.testing.assert_allclose(out[0], [20 / 64, 10 / 64], atol=1e-6)
    np.testing.assert_allclose(out[1], xy[1])
    np.testing.assert_allclose(out[2], [0.5 / 64, 0.0], atol=1e-6)
    np.testing.assert_allclose(out[3], xy[3])


def test_decode_landmarks_projects_through_a_rotated_roi():
    raw = np.zeros((39, 5), np.float32)
    raw[0, :2] = (128, 128)  # crop centre -> region centre
    raw[1, :2] = (128, 0)  # top middle of the crop -> "up" the body: +x in the frame at 90 deg
    raw[33, :2] = (128, 128)  # auxiliary centre
    raw[34, :2] = (128, 64)  # auxiliary scale point, 64 crop px "up" = 50 frame px
    raw[:, 3] = 0.0  # visibility logit 0 -> 0.5
    heatmap = np.full((1, 64, 64, 39), -20.0, np.float32)  # no refinement
    world = np.zeros((39, 3), np.float32)
    world[0] = (1.0, 0.0, 0.5)
    roi = bp.Roi(cx=300.0, cy=200.0, size=200.0, rotation=math.pi / 2)
    lm = bp.decode_landmarks(raw.reshape(1, -1), heatmap, world.reshape(1, -1), roi)
    np.testing.assert_allclose(lm.xy[0], [300, 200], atol=1e-4)
    np.testing.assert_allclose(lm.xy[1], [400, 200], atol=1e-4)  # 128 crop px = 100 frame px
    np.testing.assert_allclose(lm.visibility[:2], [0.5, 0.5])
    np.testing.assert_allclose(lm.world[0], [0.0, 1.0, 0.5], atol=1e-6)  # rotated 90 deg
    assert lm.xy.shape == (33, 2) and lm.world.shape == (33, 3)
    assert lm.next_roi.size == pytest.approx(2 * 50 * 1.25)
    assert lm.next_roi.rotation == pytest.approx(math.pi / 2)


def test_project_mask_fills_the_region_only():
    roi = bp.Roi(cx=50.0, cy=50.0, size=40.0, rotation=0.0)
    mask = bp.project_mask(np.full((1, 256, 256, 1), 20.0, np.float32), roi.crop_matrix(256), 100, 80)
    assert mask.shape == (80, 100) and mask.dtype == np.float32
    assert mask[50, 50] == pytest.approx(1.0) and mask[5, 5] == 0.0 and mask[50, 95] == 0.0


def test_one_euro_passes_constants_and_first_values():
    f = OneEuro(min_cutoff=0.05, beta=80.0, derivate_cutoff=1.0)
    x = np.array([1.0, 2.0])
    for i in range(5):
        np.testing.assert_allclose(f(x, i * 33_000_000, 0.01), x)


def test_one_euro_follows_a_step_partly_then_fully():
    f = OneEuro(min_cutoff=0.05, beta=80.0, derivate_cutoff=1.0)
    f(np.zeros(1), 0, 0.01)
    f(np.zeros(1), 33_000_000, 0.01)
    first = f(np.full(1, 20.0), 66_000_000, 0.01)[0]
    assert 5.0 < first < 20.0  # lags a sudden jump...
    for i in range(3, 30):
        last = f(np.full(1, 20.0), i * 33_000_000, 0.01)[0]
    assert last == pytest.approx(20.0, abs=0.5)  # ...then settles on it


def test_one_euro_ignores_a_timestamp_that_does_not_advance():
    f = OneEuro(min_cutoff=0.05, beta=80.0, derivate_cutoff=1.0)
    f(np.zeros(1), 10, 1.0)
    assert f(np.full(1, 7.0), 10, 1.0)[0] == 7.0  # returned as is, state untouched
    assert f(np.zeros(1), 20, 1.0)[0] == pytest.approx(0.0)


def test_low_pass_and_reset():
    lp = LowPass(0.1)
    assert lp(np.array([1.0]))[0] == 1.0
    assert lp(np.array([0.0]))[0] == pytest.approx(0.9)
    lp.reset()
    assert lp(np.array([0.0]))[0] == 0.0


def test_pose_filter_shapes_and_reset():
    f = PoseLandmarkFilter()
    xyz, world, vis = f(np.ones((33, 3)), np.zeros((33, 3)), np.full(33, 0.8), 300.0, 0)
    assert xyz.shape == (33, 3) and world.shape == (33, 3) and vis.shape == (33,)
    _, _, vis = f(np.ones((33, 3)), np.zeros((33, 3)), np.full(33, 0.0), 300.0, 33)
    assert vis[0] == pytest.approx(0.72)  # 0.1 * 0 + 0.9 * 0.8
    f.reset()
    _, _, vis = f(np.ones((33, 3)), np.zeros((33, 3)), np.full(33, 0.0), 300.0, 66)
    assert vis[0] == 0.0
