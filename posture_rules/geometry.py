"""Plane geometry on image points (x right, y down), in degrees.

Every function accepts single 2-vectors or arrays of them (trailing dimension 2), so the same
code serves one live frame and a whole recorded series.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def _xy(v: ArrayLike) -> NDArray[np.float64]:
    return np.asarray(v, dtype=np.float64)


def interior_angle_deg(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> NDArray[np.float64]:
    """Angle ABC at vertex ``b`` in [0, 180]; 180 when a, b, c lie on a straight line.

    Uses atan2 of the cross and dot products, which stays accurate near 0° and 180° where
    arccos of a normalised dot product loses precision.
    """
    u = _xy(a) - _xy(b)
    v = _xy(c) - _xy(b)
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    dot = (u * v).sum(axis=-1)
    return np.degrees(np.arctan2(np.abs(cross), dot))


def lean_from_vertical_deg(v: ArrayLike, forward: float) -> NDArray[np.float64]:
    """Signed angle of an upward-pointing vector from vertical-up; + leans toward ``forward``.

    ``forward`` is +1 when the person faces image-right, -1 when facing image-left. Image y
    points down, so "up" is -y.
    """
    v = _xy(v)
    return np.degrees(np.arctan2(forward * v[..., 0], -v[..., 1]))


def forward_from_down_deg(v: ArrayLike, forward: float) -> NDArray[np.float64]:
    """Signed angle of a downward-pointing vector from vertical-down; + points forward."""
    v = _xy(v)
    return np.degrees(np.arctan2(forward * v[..., 0], v[..., 1]))


def wrap_deg(angle: ArrayLike) -> NDArray[np.float64]:
    """Wrap angles to (-180, 180]."""
    a = np.mod(_xy(angle) + 180.0, 360.0) - 180.0
    return np.where(a == -180.0, 180.0, a)


def length(v: ArrayLike) -> NDArray[np.float64]:
    return np.linalg.norm(_xy(v), axis=-1)
