"""The landmark smoothing MediaPipe's PoseLandmarker applies in VIDEO mode, vectorised.

Why copy it: MediaPipe Tasks (pose_landmarks_detector_graph.cc, single pose, stream mode)
passes its output through a visibility low-pass and a One Euro filter. The ONNX backend must
give the same landmarks as the MediaPipe backend on video, not only on single images, so it
applies the same filters with the same constants: image landmarks in pixels, scaled by the
tracked region's size (min cutoff 0.05 Hz, beta 80, derivative cutoff 1 Hz); world landmarks
unscaled (0.1 Hz, beta 40, 1 Hz); visibility alpha 0.1. The region used for tracking is not
filtered, as in MediaPipe. Distinct from ``vision.smoothing.OneEuroFilter``, the pipeline's
own filter for live use, which works on whole poses and has its own tuning.

State is float32 like MediaPipe's LowPassFilter; timestamps are integer milliseconds as the
MediaPipe backend hands them to MediaPipe, so both see the same sampling frequency.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

F32 = np.float32
DEFAULT_FREQUENCY = 30.0
VISIBILITY_ALPHA = 0.1


class OneEuro:
    """Element-wise One Euro filter over a fixed-shape array (MediaPipe's OneEuroFilter).

    MediaPipe quirks kept: the derivative uses the previous *raw* value; the frequency comes
    from the last two timestamps; an input at a timestamp not after the last one is returned
    unfiltered and leaves the state alone.
    """

    def __init__(self, min_cutoff: float, beta: float, derivate_cutoff: float) -> None:
        self.min_cutoff, self.beta, self.derivate_cutoff = min_cutoff, beta, derivate_cutoff
        self.reset()

    def reset(self) -> None:
        self._frequency = DEFAULT_FREQUENCY
        self._last_ns = -1
        self._raw: NDArray[np.float32] | None = None
        self._value: NDArray[np.float32] | None = None
        self._dvalue: NDArray[np.float32] | None = None

    def _alpha(self, cutoff: NDArray | float) -> NDArray | float:
        te = 1.0 / self._frequency
        tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff, np.float64))
        return 1.0 / (1.0 + tau / te)

    def __call__(self, value: NDArray, timestamp_ns: int, value_scale: float = 1.0) -> NDArray[np.float32]:
        value = np.asarray(value, F32)
        if self._last_ns >= timestamp_ns:
            return value
        if self._last_ns != 0 and timestamp_ns != 0:
            self._frequency = 1.0 / ((timestamp_ns - self._last_ns) * 1e-9)
        self._last_ns = timestamp_ns
        if self._raw is None:
            self._raw = value.copy()
            self._value = value.copy()
            self._dvalue = np.zeros_like(value)
            return self._value.copy()
        dvalue = (value.astype(np.float64) - self._raw) * value_scale * self._frequency
        a_d = self._alpha(self.derivate_cutoff)
        self._dvalue = (a_d * dvalue + (1.0 - a_d) * self._dvalue).astype(F32)
        cutoff = self.min_cutoff + self.beta * np.abs(self._dvalue.astype(np.float64))
        a = self._alpha(cutoff)
        self._value = (a * value + (1.0 - a) * self._value).astype(F32)
        self._raw = value.copy()
        return self._value.copy()


class LowPass:
    """MediaPipe's LowPassFilter with a fixed alpha, element-wise."""

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha
        self._value: NDArray[np.float32] | None = None

    def reset(self) -> None:
        self._value = None

    def __call__(self, value: NDArray) -> NDArray[np.float32]:
        value = np.asarray(value, F32)
        if self._value is None:
            self._value = value.copy()
        else:
            self._value = (self.alpha * value + (1.0 - self.alpha) * self._value).astype(F32)
        return self._value.copy()


class PoseLandmarkFilter:
    """The filters of one tracked pose: image landmarks, world landmarks, visibilities."""

    def __init__(self) -> None:
        self._image = OneEuro(min_cutoff=0.05, beta=80.0, derivate_cutoff=1.0)
        self._world = OneEuro(min_cutoff=0.1, beta=40.0, derivate_cutoff=1.0)
        self._visibility = LowPass(VISIBILITY_ALPHA)

    def reset(self) -> None:
        """Forget the pose (MediaPipe resets on a frame without one)."""
        self._image.reset()
        self._world.reset()
        self._visibility.reset()

    def __call__(self, xyz_px: NDArray, world: NDArray, visibility: NDArray,
                 object_size_px: float, timestamp_ms: int) -> tuple[NDArray, NDArray, NDArray]:
        """Filtered (image xyz in pixels, world xyz in metres, visibility).

        ``object_size_px`` is the side of the region tracked into the next frame; motion is
        measured relative to it, so the filter behaves the same for a near and a far person.
        """
        ns = int(timestamp_ms) * 1_000_000
        scale = 1.0 / object_size_px if object_size_px > 1e-6 else 1.0
        xyz = self._image(xyz_px, ns, scale) if object_size_px > 1e-6 else np.asarray(xyz_px, F32)
        return xyz, self._world(world, ns), self._visibility(visibility)
