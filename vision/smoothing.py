"""Landmark smoothing fit for each use: causal for live frames, zero-phase for files.

Live cues cannot wait for future frames, so the webcam path uses a One Euro filter (causal:
little smoothing when the body moves fast, more when it holds still; Casiez et al., CHI 2012).
A recorded file can look ahead: a Gaussian window centred on each frame averages jitter
without any delay, so flag onsets are not shifted late. It holds only the frames of its window
(a fixed lag), so memory stays flat on long videos.

Both work in pixels and weight each landmark by the model's confidence, so a landmark that
was hidden for a frame does not drag the smoothed position.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Generic, TypeVar

import numpy as np
from numpy.typing import NDArray

from vision.pose import Pose

T = TypeVar("T")

# A gap longer than this between frames with a person restarts the filters: the person may
# have moved anywhere while unseen.
RESET_GAP_S = 0.5


def _alpha(cutoff_hz: float, dt: float) -> float:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """One Euro filter over a whole (33, 2) landmark array at once.

    ``min_cutoff_hz`` sets the smoothing of a still pose; ``beta`` how fast the cutoff rises
    with speed. Speeds are measured in image heights per second so the tuning does not depend
    on the camera's resolution.
    """

    def __init__(self, min_cutoff_hz: float = 1.5, beta: float = 3.0, d_cutoff_hz: float = 1.0):
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self._x: NDArray[np.float64] | None = None
        self._dx: NDArray[np.float64] | None = None
        self._t = 0.0

    def reset(self) -> None:
        self._x = self._dx = None

    def __call__(self, pose: Pose) -> Pose:
        if pose.is_empty:
            return pose
        t, x = pose.timestamp_s, pose.xy
        dt = t - self._t
        if self._x is None or self._dx is None or dt <= 0 or dt > RESET_GAP_S:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), t
            return pose
        height = max(pose.image_size[1], 1)
        dx = (x - self._x) / dt / height
        a_d = _alpha(self.d_cutoff_hz, dt)
        self._dx = a_d * dx + (1.0 - a_d) * self._dx
        speed = np.linalg.norm(self._dx, axis=1, keepdims=True)
        cutoff = self.min_cutoff_hz + self.beta * speed
        tau = 1.0 / (2.0 * np.pi * cutoff)
        a = 1.0 / (1.0 + tau / dt)
        # A landmark the model does not trust this frame keeps its previous smoothed place.
        a = a * np.clip(pose.confidence(), 0.05, 1.0)[:, None]
        self._x = a * x + (1.0 - a) * self._x
        self._t = t
        return pose.with_xy(self._x)


class CenteredSmoother(Generic[T]):
    """Zero-phase Gaussian smoothing over a sliding window, with a fixed lag.

    Push (pose, payload) pairs in time order; each pair comes back, with its pose smoothed,
    once the frames ``radius_s`` after it have arrived (or on ``flush``). The payload (for
    example the decoded image) travels with its pose so the caller can draw on the right frame.
    """

    def __init__(self, sigma_s: float = 0.06, radius_s: float = 0.15):
        self.sigma_s = sigma_s
        self.radius_s = radius_s
        self._buf: deque[tuple[Pose, T]] = deque()
        self._next = 0  # index in _buf of the next item to emit

    def _smooth(self, i: int) -> Pose:
        centre = self._buf[i][0]
        if centre.is_empty:
            return centre
        t0 = centre.timestamp_s
        xs, ws = [], []
        # Walk outward from the centre and stop at a gap: no averaging across an absence.
        for step in (-1, 1):
            j, prev_t = i + step, t0
            while 0 <= j < len(self._buf):
                p = self._buf[j][0]
                if p.is_empty or abs(p.timestamp_s - t0) > self.radius_s or abs(p.timestamp_s - prev_t) > RESET_GAP_S:
                    break
                w = math.exp(-0.5 * ((p.timestamp_s - t0) / self.sigma_s) ** 2)
                xs.append(p.xy)
                ws.append(w * np.clip(p.confidence(), 1e-3, 1.0))
                prev_t = p.timestamp_s
                j += step
        xs.append(centre.xy)
        ws.append(np.clip(centre.confidence(), 1e-3, 1.0))
        w = np.stack(ws)[:, :, None]
        return centre.with_xy((np.stack(xs) * w).sum(axis=0) / w.sum(axis=0))

    def push(self, pose: Pose, payload: T) -> list[tuple[Pose, T]]:
        self._buf.append((pose, payload))
        out = []
        newest = pose.timestamp_s
        while self._next < len(self._buf) and newest - self._buf[self._next][0].timestamp_s >= self.radius_s:
            out.append((self._smooth(self._next), self._buf[self._next][1]))
            self._next += 1
        self._trim()
        return out

    def flush(self) -> list[tuple[Pose, T]]:
        out = [(self._smooth(i), self._buf[i][1]) for i in range(self._next, len(self._buf))]
        self._buf.clear()
        self._next = 0
        return out

    def _trim(self) -> None:
        # Keep only what a future centre can still reach: memory stays bounded.
        if not self._buf:
            return
        ref = self._buf[self._next][0] if self._next < len(self._buf) else self._buf[-1][0]
        while self._next > 0 and ref.timestamp_s - self._buf[0][0].timestamp_s > self.radius_s:
            self._buf.popleft()
            self._next -= 1
