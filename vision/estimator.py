"""The ``PoseEstimator`` protocol that every backend implements.

Backends (MediaPipe Tasks in ``vision.mediapipe_estimator``, ONNX Runtime in
``vision.onnx_estimator``) turn one RGB frame into one ``Pose``. They are stateful: in video
mode they track the person from the previous frame, so frames must arrive in timestamp order.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from vision.pose import Pose

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
MODEL_VARIANTS = ("lite", "full", "heavy")


@dataclass(frozen=True)
class EstimatorOptions:
    """Settings shared by every backend.

    Attributes:
        model: ``lite`` (fastest), ``full`` or ``heavy`` (most accurate) BlazePose variant.
        min_detection_confidence: score below which the person detector finds nobody.
        min_presence_confidence: landmark-model presence score below which tracking is
            dropped and the detector runs again.
        min_tracking_confidence: how well the tracked region must match the previous frame.
        with_mask: also return the person's segmentation mask (costs ~15 % speed); the
            body-outline pelvic-tilt method needs it.
        mask_in_other_thread: the caller finishes each pose (its mask) in a second thread
            while the next frame's landmarks are computed (``estimate_in_two_steps``); a
            backend that can then leaves a core to that thread (see
            ``vision.onnx_estimator.OnnxEstimator``).
    """

    model: str = "full"
    min_detection_confidence: float = 0.5
    min_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    with_mask: bool = False
    mask_in_other_thread: bool = False

    def __post_init__(self) -> None:
        if self.model not in MODEL_VARIANTS:
            raise ValueError(f"model must be one of {', '.join(MODEL_VARIANTS)}, got {self.model!r}")
        for name in ("min_detection_confidence", "min_presence_confidence", "min_tracking_confidence"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value}")


def next_timestamp_ms(timestamp_s: float, last_ms: int | None) -> int:
    """The frame's time in whole ms, strictly after ``last_ms``: what MediaPipe's VIDEO mode
    needs, and what both backends' landmark filters see.

    Sources repeat or reorder timestamps (duplicated pts, variable frame rates rounding two
    frames to the same ms); such a frame gets the previous timestamp + 1 ms. That shifts the
    model's notion of time by a millisecond; the returned ``Pose`` keeps the source's own time.
    """
    if not math.isfinite(timestamp_s):
        raise ValueError(f"timestamp_s must be a finite number of seconds, got {timestamp_s}")
    ms = round(timestamp_s * 1000.0)
    return last_ms + 1 if last_ms is not None and ms <= last_ms else ms


def checked_rgb_frame(image_rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """The frame as a C-contiguous HxWx3 uint8 array, or a ValueError saying what is wrong.

    Why contiguous: both backends need packed rows (``mp.Image``; OpenCV refuses views with
    negative strides), and frames sliced or mirrored by callers (``frame[:, ::-1]``) are views
    that are not. A no-op for an ordinary frame.
    """
    arr = np.asarray(image_rgb)
    if arr.dtype != np.uint8 or arr.ndim != 3 or arr.shape[2] != 3:
        raise ValueError(
            f"expected an RGB uint8 array of shape (H, W, 3), got dtype {arr.dtype} shape {arr.shape}"
        )
    return np.ascontiguousarray(arr)


@runtime_checkable
class PoseEstimator(Protocol):
    """Turns RGB frames, in timestamp order, into poses."""

    name: str

    def estimate(self, image_rgb: NDArray[np.uint8], timestamp_s: float) -> Pose:
        """Pose of the most prominent person, or ``Pose.empty`` when nobody is found."""
        ...

    def close(self) -> None:
        """Release the model; the estimator is unusable afterwards."""
        ...


FinishPose = Callable[[], Pose]


def estimate_in_two_steps(estimator: PoseEstimator, image_rgb: NDArray[np.uint8], timestamp_s: float) -> FinishPose:
    """The landmarks now, the rest of the pose when the returned function is called.

    Why: tracking needs only the landmarks of one frame to place the next frame's crop, so
    what else a frame's pose carries (the segmentation mask) can be finished in another
    thread while the next frame's landmarks are computed (``stretchcheck.pipeline``). A
    backend offers this with an ``estimate_deferred`` method; for one without, the whole
    pose is computed now. Call the returned functions in frame order, from one thread.
    """
    deferred = getattr(estimator, "estimate_deferred", None)
    if deferred is not None:
        return deferred(image_rgb, timestamp_s)
    pose = estimator.estimate(image_rgb, timestamp_s)
    return lambda: pose
