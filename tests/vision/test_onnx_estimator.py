"""OnnxEstimator on the real images Debian's opencv-doc ships, against MediaPipe's reference.

The reference landmarks (tests/data/messi5_reference_landmarks.json) are MediaPipe's own
output on messi5.jpg. The ONNX backend runs the same weights through ONNX Runtime with our
own pre- and post-processing, so the tolerance is the issue's parity target: median <= 2 px
over the 33 landmarks (messi5 is 548x342, smaller than 640x480, so this is the stricter
case). Measured: 0.24-0.36 px. The worst landmark is allowed the same 25 px as MediaPipe's
own test (a foot moves that much under +-2 grey levels of noise; see
test_mediapipe_estimator.py).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.vision.real_images import REFERENCE, read_rgb, video_frames_rgb
from vision import onnx_estimator
from vision.backends import BACKENDS, create_estimator
from vision.estimator import MODEL_VARIANTS, EstimatorOptions, PoseEstimator, estimate_in_two_steps
from vision.landmarks import NUM_LANDMARKS
from vision.onnx_estimator import OnnxEstimator, default_threads, onnx_model_paths

XY_MEDIAN_TOL_PX = 2.0
XY_MAX_TOL_PX = 25.0
WORLD_MEDIAN_TOL_M = 0.08


@pytest.fixture(scope="module")
def messi() -> np.ndarray:
    return read_rgb("messi5.jpg")


@pytest.mark.parametrize("variant", MODEL_VARIANTS)
def test_messi_matches_mediapipe_reference(messi, variant):
    expected = json.loads(REFERENCE.read_text())["variants"][variant]
    with OnnxEstimator(EstimatorOptions(model=variant)) as estimator:
        pose = estimator.estimate(messi, 1.5)
    assert not pose.is_empty
    assert pose.image_size == (messi.shape[1], messi.shape[0]) and pose.timestamp_s == 1.5
    assert pose.xy.shape == (NUM_LANDMARKS, 2)
    err_px = np.linalg.norm(pose.xy - np.array(expected["xy_px"]), axis=1)
    assert np.median(err_px) <= XY_MEDIAN_TOL_PX, err_px.round(1)
    assert err_px.max() <= XY_MAX_TOL_PX, err_px.round(1)
    err_m = np.linalg.norm(pose.world - np.array(expected["world_m"]), axis=1)
    assert np.median(err_m) <= WORLD_MEDIAN_TOL_M, err_m.round(3)
    assert ((0 <= pose.visibility) & (pose.visibility <= 1)).all()
    assert ((0 <= pose.presence) & (pose.presence <= 1)).all()
    assert pose.depth is not None and pose.depth.shape == (NUM_LANDMARKS,)
    assert pose.mask is None


def test_mask_only_when_asked(messi):
    with OnnxEstimator(EstimatorOptions(with_mask=True)) as estimator:
        pose = estimator.estimate(messi, 0.0)
    h, w = messi.shape[:2]
    assert pose.mask is not None and pose.mask.shape == (h, w) and pose.mask.dtype == np.float32
    assert 0.0 <= pose.mask.min() and pose.mask.max() <= 1.0
    hip = pose.xy[23].astype(int)
    assert pose.mask[hip[1], hip[0]] > 0.5 and pose.mask[0, 0] < 0.5


def test_deferred_mask_gives_the_same_poses_finished_late_and_in_another_thread(messi):
    """analyze computes each frame's landmarks first and finishes its mask later in a second
    thread (vision.estimator.estimate_in_two_steps); tracking must not notice."""
    import threading

    frames = [messi, np.ascontiguousarray(messi[:, ::-1]), messi, messi]
    with OnnxEstimator(EstimatorOptions(with_mask=True)) as plain:
        expected = [plain.estimate(f, i / 30) for i, f in enumerate(frames)]
    with OnnxEstimator(EstimatorOptions(with_mask=True)) as staged:
        finishers = [estimate_in_two_steps(staged, f, i / 30) for i, f in enumerate(frames)]
        got: list = []
        worker = threading.Thread(target=lambda: got.extend(fn() for fn in finishers))
        worker.start()
        worker.join()
    for a, b in zip(expected, got, strict=True):
        np.testing.assert_array_equal(a.xy, b.xy)
        np.testing.assert_array_equal(a.mask, b.mask)
        assert not b.mask.flags.writeable


def test_two_steps_for_a_backend_without_them_is_one_step(messi):
    class OneStep:
        name = "one-step"
        calls = 0

        def estimate(self, image, t):
            self.calls += 1
            return "pose"

    est = OneStep()
    finish = estimate_in_two_steps(est, messi, 0.0)
    assert est.calls == 1 and finish() == "pose" and est.calls == 1


def test_tracking_runs_the_detector_once_for_a_held_pose(messi):
    with OnnxEstimator() as estimator:
        poses = [estimator.estimate(messi, i / 30) for i in range(5)]
        assert estimator.detector_runs == 1
        estimator.reset()
        estimator.estimate(messi, 1.0)
        assert estimator.detector_runs == 2
    assert not any(p.is_empty for p in poses)
    # A still image stays put while tracked. Not exactly: the tracked region settles over the
    # first frames and the landmarks follow it by a pixel or two, in MediaPipe as here.
    drift = np.linalg.norm(poses[-1].xy - poses[0].xy, axis=1)
    assert np.median(drift) < 4.0


def test_no_person_in_tree_video_or_grey_image():
    frames = video_frames_rgb("tree.avi", 10)
    assert frames
    with OnnxEstimator() as estimator:
        for i, frame in enumerate(frames):
            pose = estimator.estimate(frame, i / 15.0)
            assert pose.is_empty, f"tree.avi frame {i}"
            assert pose.image_size == (frame.shape[1], frame.shape[0])
        assert estimator.detector_runs == len(frames)  # nobody to track: detect every frame
        assert estimator.estimate(np.full((480, 640, 3), 128, np.uint8), 10.0).is_empty


def test_non_increasing_timestamps_do_not_raise(messi):
    stamps = [0.0, 0.0, 0.0334, 0.0335, 0.02, -1.0, 0.1]
    with OnnxEstimator() as estimator:
        poses = [estimator.estimate(messi, t) for t in stamps]
    assert [p.timestamp_s for p in poses] == stamps
    assert not any(p.is_empty for p in poses)


def test_bad_input_is_rejected_with_its_shape(messi):
    with OnnxEstimator() as estimator:
        with pytest.raises(ValueError, match=r"\(342, 548\)"):
            estimator.estimate(messi[..., 0], 0.0)
        with pytest.raises(ValueError, match="float32"):
            estimator.estimate(messi.astype(np.float32), 0.1)
        with pytest.raises(ValueError, match="finite"):
            estimator.estimate(messi, float("nan"))
        assert not estimator.estimate(messi[:, ::-1], 0.2).is_empty  # a mirrored view


def test_close_is_idempotent_and_final(messi):
    estimator = OnnxEstimator(EstimatorOptions(model="lite"))
    estimator.close()
    estimator.close()
    with pytest.raises(RuntimeError, match="closed"):
        estimator.estimate(messi, 0.0)


def test_create_estimator_makes_an_onnx_estimator():
    # Every variant's files load in test_messi_matches_mediapipe_reference.
    assert "onnx" in BACKENDS
    estimator = create_estimator("onnx", EstimatorOptions(model="lite"))
    try:
        assert isinstance(estimator, PoseEstimator)
        assert estimator.name == "onnx"
    finally:
        estimator.close()


def test_missing_model_says_how_to_rebuild(tmp_path, monkeypatch):
    monkeypatch.setattr(onnx_estimator, "MODELS_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"pose_detector\.onnx.*build_onnx\.py"):
        onnx_model_paths("heavy")
    with pytest.raises(ValueError, match="'medium'"):
        onnx_model_paths("medium")


@pytest.mark.parametrize("env, expected", [("1", 1), ("3", 3)])
def test_thread_count_from_environment(monkeypatch, env, expected):
    monkeypatch.setenv(onnx_estimator.THREADS_ENV, env)
    assert default_threads() == expected


@pytest.mark.parametrize("env", ["0", "two"])
def test_bad_thread_count_is_named(monkeypatch, env):
    monkeypatch.setenv(onnx_estimator.THREADS_ENV, env)
    with pytest.raises(ValueError, match=onnx_estimator.THREADS_ENV):
        default_threads()


@pytest.mark.parametrize(("cores", "model", "mask", "other_thread", "env", "expected"), [
    (2, "full", True, True, None, 1),  # analyze on 2 cores: one core for the mask head's thread
    (2, "lite", True, True, None, 1),
    (2, "heavy", True, True, None, 2),  # heavy's landmarks are most of the work: both cores
    (2, "full", True, False, None, 2),  # live: mask and landmarks in one thread, both cores
    (2, "full", False, True, None, 2),  # no mask: nothing runs beside the landmarks
    (4, "full", True, True, None, 3),
    (1, "full", True, True, None, 1),
    (2, "full", True, True, "2", 2),  # a thread count that is asked for is kept
])
def test_landmark_threads_leave_a_core_to_the_mask_thread(monkeypatch, cores, model, mask, other_thread, env,
                                                          expected):
    import os

    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    if env is None:
        monkeypatch.delenv(onnx_estimator.THREADS_ENV, raising=False)
    else:
        monkeypatch.setenv(onnx_estimator.THREADS_ENV, env)
    with OnnxEstimator(EstimatorOptions(model=model, with_mask=mask, mask_in_other_thread=other_thread)) as est:
        assert est.threads == expected


def test_onnx_is_the_default_backend_everywhere():
    """One decision (README, "Speed"): the CLI, analyze and the live analyzer agree on it."""
    import inspect

    from stretchcheck import cli
    from stretchcheck.pipeline import AnalyzeOptions, LiveAnalyzer

    assert set(cli.BACKEND_CHOICES) == set(BACKENDS)
    assert cli.DEFAULT_BACKEND == AnalyzeOptions().backend == "onnx"
    assert inspect.signature(LiveAnalyzer).parameters["backend"].default == "onnx"
