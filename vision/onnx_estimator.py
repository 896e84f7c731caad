"""``PoseEstimator`` running the BlazePose models with ONNX Runtime.

Why a second backend: on a small CPU, ONNX Runtime runs the same BlazePose weights faster
than MediaPipe's own graph (both of a laptop's cores instead of about one), and the frame
loop stays in our hands. The models are ``models/*.onnx``, converted offline from the very
files the MediaPipe bundles hold (``models/build_onnx.py``); ``vision.blazepose_decode`` does
what MediaPipe's graph does around them, so both backends give the same landmarks to well
under a pixel (``tests/vision/test_onnx_parity.py``).

Video mode as MediaPipe's: the detector runs only when no person is being tracked; then the
region for the next frame comes from this frame's auxiliary landmarks. A frame whose tracked
region holds no person (pose flag below ``min_presence_confidence``) is empty and the
detector runs on the next frame, exactly as MediaPipe does. The landmarks pass through
MediaPipe's own video-mode filters (``vision.blazepose_filter``). ``min_tracking_confidence``
has no effect here, as in MediaPipe with one pose: it only matters when the detector's
boxes are matched against tracked ones, and with one person tracked the detector is idle.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np
from numpy.typing import NDArray

from vision import blazepose_decode as bp
from vision.blazepose_filter import PoseLandmarkFilter
from vision.estimator import (
    MODEL_VARIANTS,
    MODELS_DIR,
    EstimatorOptions,
    FinishPose,
    checked_rgb_frame,
    next_timestamp_ms,
)
from vision.pose import Pose

DETECTOR_FILE = "pose_detector.onnx"
LANDMARKER_FILE = "pose_landmarks_detector_{variant}.onnx"
SEGMENTATION_FILE = "pose_segmentation_{variant}.onnx"
LANDMARK_OUTPUTS = ("landmarks", "pose_flag", "heatmap", "world_landmarks")
# Feature maps the landmark model hands to the segmentation head (models/build_onnx.py).
SEGMENTATION_INPUTS = ("seg_early_features", "seg_late_features")
THREADS_ENV = "STRETCHCHECK_ORT_THREADS"


def onnx_model_paths(variant: str) -> tuple[Path, Path, Path]:
    """(detector, landmark model, segmentation head) ONNX files for a variant; all must exist.

    The segmentation head is split off the landmark model so that the mask, a third of the
    landmark model's time, is only computed when asked for.
    """
    if variant not in MODEL_VARIANTS:
        raise ValueError(f"model variant must be one of {', '.join(MODEL_VARIANTS)}, "
                         f"got {variant!r}")
    paths = (MODELS_DIR / DETECTOR_FILE, MODELS_DIR / LANDMARKER_FILE.format(variant=variant),
             MODELS_DIR / SEGMENTATION_FILE.format(variant=variant))
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(
                f"ONNX pose model not found: {path}; rebuild it with "
                "`python models/build_onnx.py` (needs PyPI and npm access once)")
    return paths


# The models whose landmark run leaves a core to the mask head's thread (see OnnxEstimator).
SPLIT_MODELS = ("lite", "full")


def default_threads() -> int:
    """ONNX Runtime intra-op threads: every core, at most 4 (env STRETCHCHECK_ORT_THREADS).

    Why: BlazePose's convolutions are small (a 256x256 crop); on 2 cores, 2 threads run the
    full model ~1.5x faster than 1, while beyond 4 threads the synchronisation costs more
    than it gains. Spinning is off (below), so idle workers leave the cores to the pipeline's
    other threads; when a second thread finishes the masks, lite and full take one thread
    fewer (``OnnxEstimator``).
    """
    env = os.environ.get(THREADS_ENV)
    if env:
        try:
            value = int(env)
        except ValueError:
            raise ValueError(f"{THREADS_ENV} must be a whole number of threads, got {env!r}") from None
        if value < 1:
            raise ValueError(f"{THREADS_ENV} must be at least 1, got {value}")
        return value
    return max(1, min(4, os.cpu_count() or 1))


def _session(path: Path, threads: int):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Spinning worker threads would burn a core between runs, time the decoder, the video
    # writer and the rules need on a 2-core machine.
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    so.log_severity_level = 3
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


class OnnxEstimator:
    """One person's BlazePose landmarks per frame with ONNX Runtime, frames in timestamp order.

    Not thread-safe: it tracks the person between frames and reuses its input buffers, so
    use one instance per video stream.
    """

    name = "onnx"

    def __init__(self, options: EstimatorOptions | None = None, threads: int | None = None) -> None:
        self.options = options or EstimatorOptions()
        detector_path, landmark_path, segmentation_path = onnx_model_paths(self.options.model)
        # When the caller runs the mask head in a second thread beside the next frame's
        # landmarks, that thread (mask head, outline, rules, drawing) needs about a core of
        # its own for lite and full: unless the thread count is given, their landmark model
        # gets one thread fewer and the mask head one. Measured with analyze on 2 cores: full,
        # 1-minute clip, two rounds: 49-51 fps with 1 + 1 threads against 44-49 with 2 + 2 or
        # 2 + 1. heavy's landmark model is 4x the work, so it keeps both cores (10 s clip:
        # 22.9 fps with 2 + 2, 20.9 with 2 + 1, 18.0 with 1 + 1). Without the mask nothing
        # runs beside the landmarks and nothing is split.
        split = self.options.with_mask and self.options.mask_in_other_thread and self.options.model in SPLIT_MODELS
        self.threads = threads or default_threads()  # the detector's and the landmark model's
        if split and threads is None and not os.environ.get(THREADS_ENV):
            self.threads = max(1, self.threads - 1)
        self._detector = _session(detector_path, self.threads)
        self._landmarker = _session(landmark_path, self.threads)
        self._segmenter = (_session(segmentation_path, 1 if split else self.threads)
                           if self.options.with_mask else None)
        self._outputs = list(LANDMARK_OUTPUTS) + (list(SEGMENTATION_INPUTS) if self.options.with_mask else [])
        self._anchors = bp.ssd_anchor_centers()
        self._roi: bp.Roi | None = None
        self._filter = PoseLandmarkFilter()
        self._last_ms: int | None = None
        self._letterbox: dict[tuple[int, int], tuple[NDArray, tuple[float, float]]] = {}
        # Reused buffers: the crops are written in place every frame.
        self._det_u8 = np.empty((bp.DETECTOR_SIZE, bp.DETECTOR_SIZE, 3), np.uint8)
        self._det_in = np.empty((1, bp.DETECTOR_SIZE, bp.DETECTOR_SIZE, 3), np.float32)
        self._lm_u8 = np.empty((bp.LANDMARK_SIZE, bp.LANDMARK_SIZE, 3), np.uint8)
        self._lm_in = np.empty((1, bp.LANDMARK_SIZE, bp.LANDMARK_SIZE, 3), np.float32)
        self.detector_runs = 0  # how often tracking was (re)started; for tests and benchmarks
        self._closed = False

    def estimate(self, image_rgb: NDArray[np.uint8], timestamp_s: float) -> Pose:
        """Pose of the most prominent person, or ``Pose.empty`` when nobody is found."""
        return self.estimate_deferred(image_rgb, timestamp_s)()

    def estimate_deferred(self, image_rgb: NDArray[np.uint8], timestamp_s: float) -> FinishPose:
        """The landmarks (and the tracking state for the next frame) now; the segmentation
        mask, when asked for, only when the returned function is called.

        The mask head reads feature maps that the landmark run already produced, and the
        next frame's crop does not depend on it, so it may run in another thread while the
        next frame's landmarks are computed (``vision.estimator.estimate_in_two_steps``).
        """
        if self._closed:
            raise RuntimeError("OnnxEstimator is closed; create a new one")
        image = checked_rgb_frame(image_rgb)
        timestamp_ms = self._next_timestamp_ms(timestamp_s)
        height, width = image.shape[:2]
        roi = self._roi if self._roi is not None else self._detect(image)
        self._roi = None
        if roi is None or not roi.size > 0:
            return self._nobody(width, height, timestamp_s)
        matrix = roi.crop_matrix(bp.LANDMARK_SIZE)
        cv2.warpAffine(image, matrix, (bp.LANDMARK_SIZE, bp.LANDMARK_SIZE), dst=self._lm_u8,
                       flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        np.multiply(self._lm_u8, np.float32(1.0 / 255.0), out=self._lm_in[0], casting="unsafe")
        outs = self._landmarker.run(self._outputs, {"image": self._lm_in})
        raw, flag, heatmap, world = outs[:4]
        if not float(flag.reshape(-1)[0]) > self.options.min_presence_confidence:
            return self._nobody(width, height, timestamp_s)
        lm = bp.decode_landmarks(raw, heatmap, world, roi)
        self._roi = lm.next_roi
        xyz, world_m, visibility = self._filter(
            np.column_stack([lm.xy, lm.depth]), lm.world, lm.visibility, lm.next_roi.size,
            timestamp_ms)
        pose = Pose(xy=xyz[:, :2], visibility=visibility, presence=lm.presence,
                    image_size=(width, height), timestamp_s=timestamp_s, depth=xyz[:, 2],
                    world=world_m)
        if self._segmenter is None:
            return lambda: pose
        segmenter, features = self._segmenter, dict(zip(SEGMENTATION_INPUTS, outs[4:]))

        def with_mask() -> Pose:
            (logits,) = segmenter.run(["segmentation"], features)
            return dataclasses.replace(pose, mask=bp.project_mask(logits, matrix, width, height))

        return with_mask

    def _nobody(self, width: int, height: int, timestamp_s: float) -> FinishPose:
        self._filter.reset()
        empty = Pose.empty((width, height), timestamp_s)
        return lambda: empty

    def _next_timestamp_ms(self, timestamp_s: float) -> int:
        """The filters see time as MediaPipe would, so both backends filter identically. (``vision.estimator.next_timestamp_ms``)"""
        self._last_ms = next_timestamp_ms(timestamp_s, self._last_ms)
        return self._last_ms

    def _detect(self, image: NDArray[np.uint8]) -> bp.Roi | None:
        """Run the person detector on the whole frame; the best person's region, or None."""
        self.detector_runs += 1
        height, width = image.shape[:2]
        key = (width, height)
        if key not in self._letterbox:
            self._letterbox[key] = bp.letterbox_matrix(width, height)
        matrix, padding = self._letterbox[key]
        cv2.warpAffine(image, matrix, (bp.DETECTOR_SIZE, bp.DETECTOR_SIZE), dst=self._det_u8,
                       flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        # [0, 255] -> [-1, 1], as the detector's metadata (mean 127.5, std 127.5) asks.
        np.multiply(self._det_u8, np.float32(2.0 / 255.0), out=self._det_in[0], casting="unsafe")
        self._det_in -= np.float32(1.0)
        boxes, scores = self._detector.run(["boxes", "scores"], {"image": self._det_in})
        detections = bp.decode_detections(boxes, scores, self._anchors,
                                          self.options.min_detection_confidence)
        if not len(detections):
            return None
        best = bp.weighted_nms(detections)
        return bp.detection_roi(best.keypoints[0], padding, width, height)

    def reset(self) -> None:
        """Forget the tracked person: the next frame runs the detector."""
        self._roi = None
        self._filter.reset()

    def close(self) -> None:
        """Release the models; the estimator is unusable afterwards. Safe to call twice."""
        self._closed = True
        self._detector = self._landmarker = self._segmenter = None  # type: ignore[assignment]

    def __enter__(self) -> OnnxEstimator:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
