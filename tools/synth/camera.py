"""Pinhole camera: world <-> pixels, and the per-pixel ray directions the ray caster uses.

World frame: y up, floor at y = 0. Camera frame: x right, y down, z forward (OpenCV's), so
pixel (u, v) = (cx + f x / z, cy + f y / z).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray


@dataclass
class Camera:
    width: int = 640
    height: int = 480
    hfov_deg: float = 62.0
    position: tuple[float, float, float] = (0.0, 0.8, 3.2)
    target: tuple[float, float, float] = (0.0, 0.6, 0.0)
    R: NDArray[np.float64] = field(init=False)  # rows: camera x, y, z axes in world
    C: NDArray[np.float64] = field(init=False)

    def __post_init__(self) -> None:
        C = np.asarray(self.position, float)
        fwd = np.asarray(self.target, float) - C
        fwd /= np.linalg.norm(fwd)
        right = np.cross(fwd, [0.0, 1.0, 0.0])
        right /= np.linalg.norm(right)
        down = np.cross(fwd, right)
        self.R = np.stack([right, down, fwd])
        self.C = C

    @property
    def f(self) -> float:
        return 0.5 * self.width / math.tan(math.radians(self.hfov_deg) / 2)

    @property
    def cx(self) -> float:
        return self.width / 2.0

    @property
    def cy(self) -> float:
        return self.height / 2.0

    def to_cam(self, p: NDArray) -> NDArray[np.float64]:
        """World points (..., 3) -> camera frame."""
        return (np.asarray(p, float) - self.C) @ self.R.T

    def dir_to_cam(self, d: NDArray) -> NDArray[np.float64]:
        return np.asarray(d, float) @ self.R.T

    def project(self, p: NDArray) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """World points (N, 3) -> (pixels (N, 2), depth z (N,))."""
        q = self.to_cam(p)
        z = q[..., 2]
        uv = np.stack([self.cx + self.f * q[..., 0] / z, self.cy + self.f * q[..., 1] / z], -1)
        return uv, z

    def rays(self) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float32]]:
        """Unit ray directions (camera frame) through every pixel centre, as 3 (H, W) arrays."""
        return _rays(self.width, self.height, round(self.f, 6))

    def to_dict(self) -> dict:
        return {
            "width": self.width,
            "height": self.height,
            "hfov_deg": self.hfov_deg,
            "position": [round(float(v), 4) for v in self.position],
            "target": [round(float(v), 4) for v in self.target],
        }


@lru_cache(maxsize=8)
def _rays(w: int, h: int, f: float):
    u = (np.arange(w, dtype=np.float64) + 0.5 - w / 2) / f
    v = (np.arange(h, dtype=np.float64) + 0.5 - h / 2) / f
    X, Y = np.meshgrid(u, v)
    n = np.sqrt(X * X + Y * Y + 1.0)
    out = tuple((a / n).astype(np.float32) for a in (X, Y, np.ones_like(X)))
    for a in out:
        a.setflags(write=False)
    return out
