"""``PoseEstimator`` backed by MediaPipe Tasks' ``PoseLandmarker`` in VIDEO mode.

Why VIDEO mode: it tracks the person's region from the previous frame instead of running the
detector on every frame, which is both faster and steadier on a held stretch. The model comes
from a bundle in ``models/`` (see ``models/README.md``); nothing is ever downloaded.
"""

from __future__ import annotations

from types import TracebackType

import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision
from numpy.typing import NDArray

from vision.backends import model_path
from vision.estimator import EstimatorOptions, checked_rgb_frame, next_timestamp_ms
from vision.pose import Pose


class MediaPipeEstimator:
    """One person's BlazePose landmarks per frame, frames in timestamp order.

    Not thread-safe: VIDEO mode keeps tracking state, so use one instance per video stream.
    """

    name = "mediapipe"

    def __init__(self, options: EstimatorOptions | None = None) -> None:
        self.options = options or EstimatorOptions()
        bundle = model_path(self.options.model)
        landmarker_options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(bundle)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=1,
            min_pose_detection_confidence=self.options.min_detection_confidence,
            min_pose_presence_confidence=self.options.min_presence_confidence,
            min_tracking_confidence=self.options.min_tracking_confidence,
            output_segmentation_masks=self.options.with_mask,
        )
        self._landmarker: vision.PoseLandmarker | None = (
            vision.PoseLandmarker.create_from_options(landmarker_options))
        self._last_ms: int | None = None

    def estimate(self, image_rgb: NDArray[np.uint8], timestamp_s: float) -> Pose:
        """Pose of the most prominent person, or ``Pose.empty`` when nobody is found."""
        if self._landmarker is None:
            raise RuntimeError("MediaPipeEstimator is closed; create a new one")
        image = checked_rgb_frame(image_rgb)
        height, width = image.shape[:2]
        result = self._landmarker.detect_for_video(
            mp.Image(image_format=mp.ImageFormat.SRGB, data=image),
            self._next_timestamp_ms(timestamp_s),
        )
        if not result.pose_landmarks:
            return Pose.empty((width, height), timestamp_s)
        return _to_pose(result, (width, height), timestamp_s, self.options.with_mask)

    def _next_timestamp_ms(self, timestamp_s: float) -> int:
        """MediaPipe rejects a timestamp that is not greater than the previous one. (``vision.estimator.next_timestamp_ms``)"""
        self._last_ms = next_timestamp_ms(timestamp_s, self._last_ms)
        return self._last_ms

    def close(self) -> None:
        """Release the model; the estimator is unusable afterwards. Safe to call twice."""
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> MediaPipeEstimator:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _to_pose(result: vision.PoseLandmarkerResult, image_size: tuple[int, int],
             timestamp_s: float, with_mask: bool) -> Pose:
    """Convert the first detected person to a ``Pose`` in pixels."""
    width, height = image_size
    image_lms = np.array([[lm.x, lm.y, lm.z, _prob(lm.visibility), _prob(lm.presence)]
                          for lm in result.pose_landmarks[0]], dtype=np.float64)
    world = np.array([[lm.x, lm.y, lm.z] for lm in result.pose_world_landmarks[0]],
                     dtype=np.float64)
    mask = None
    if with_mask and result.segmentation_masks:
        mask = result.segmentation_masks[0].numpy_view().reshape(height, width)
    return Pose(
        xy=image_lms[:, :2] * (width, height),
        visibility=image_lms[:, 3],
        presence=image_lms[:, 4],
        image_size=image_size,
        timestamp_s=timestamp_s,
        # MediaPipe scales z like x (normalised by image width), so x width gives pixels.
        depth=image_lms[:, 2] * width,
        world=world,
        mask=mask,
    )


def _prob(value: float | None) -> float:
    # The Tasks API types these as optional; a missing score means no evidence, not NaN.
    return 0.0 if value is None else float(value)
