"""Ray-primitive intersection kernels, vectorised over a block of pixels.

All rays start at the camera centre (the origin of the camera frame) and have unit
direction, so the ray parameter ``t`` is the distance from the camera and one depth buffer
orders every primitive correctly, whatever the view angle. Kernels take the primitive in
camera coordinates and the three ray-direction arrays of a pixel block; they return ``t``
(``inf`` where the ray misses). Normals are computed afterwards only for the pixels that
won the depth test.

Round cones (two spheres joined by their common tangent cone; Inigo Quilez's closed form)
give tapered limbs; a capsule is a round cone with equal radii. Ellipsoids give muscle
bellies, torso and head parts.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

F32 = NDArray[np.float32]
INF = np.float32(np.inf)


def sphere_bbox(c, r: float, f: float, cx: float, cy: float, w: int, h: int):
    """Conservative pixel box (x0, y0, x1, y1) of a sphere in camera coordinates, or None."""
    z = c[2]
    if z - r <= 0.05:  # touches the camera plane: its projection is unbounded
        return (0, 0, w, h) if z + r > 0.05 else None
    u, v = cx + f * c[0] / z, cy + f * c[1] / z
    # The silhouette is an ellipse stretched away from the image centre; bounding it by the
    # radius at the sphere's nearest depth, plus the off-axis stretch, keeps it inside.
    rad = f * r / (z - r) * (1.0 + 0.5 * (c[0] ** 2 + c[1] ** 2) / z**2) + 2.0
    x0, x1 = int(max(0, math.floor(u - rad))), int(min(w, math.ceil(u + rad)))
    y0, y1 = int(max(0, math.floor(v - rad))), int(min(h, math.ceil(v + rad)))
    if x0 >= x1 or y0 >= y1:
        return None
    return x0, y0, x1, y1


def union_bbox(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def round_cone_t(pa, pb, ra: float, rb: float, rx: F32, ry: F32, rz: F32):
    """Distance to a round cone; also returns the body-hit flag and y (for the normal).

    Scalars are plain Python floats on purpose: a numpy float64 scalar would silently
    promote every float32 pixel array to float64 and double the cost.
    """
    pa = np.asarray(pa, float)
    pb = np.asarray(pb, float)
    ra, rb = float(ra), float(rb)
    bax, bay, baz = (pb - pa).tolist()
    pax, pay, paz = pa.tolist()
    pbx, pby, pbz = pb.tolist()
    rr = ra - rb
    m0 = bax * bax + bay * bay + baz * baz
    m1 = -(bax * pax + bay * pay + baz * paz)
    m5 = pax * pax + pay * pay + paz * paz
    m7 = pbx * pbx + pby * pby + pbz * pbz
    d2 = m0 - rr * rr
    m2 = bax * rx + bay * ry + baz * rz
    m3 = -(pax * rx + pay * ry + paz * rz)
    m6 = -(pbx * rx + pby * ry + pbz * rz)
    k2 = d2 - m2 * m2
    k1 = d2 * m3 + m2 * (rr * ra - m1)
    k0 = d2 * m5 - m1 * m1 + 2.0 * m1 * rr * ra - m0 * ra * ra
    h = k1 * k1 - k0 * k2
    hit = h >= 0.0
    sq = np.sqrt(np.maximum(h, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        tb = (-sq - k1) / k2
    y = (m1 - ra * rr) + tb * m2
    body = hit & (y > 0.0) & (y < d2)
    h1 = m3 * m3 + (ra * ra - m5)
    h2 = m6 * m6 + (rb * rb - m7)
    t1 = np.where(h1 > 0.0, -m3 - np.sqrt(np.maximum(h1, 0.0)), INF)
    t2 = np.where(h2 > 0.0, -m6 - np.sqrt(np.maximum(h2, 0.0)), INF)
    t = np.where(body, tb, np.minimum(t1, t2))
    t = np.where(hit & (t > 0.0), t, INF)
    return t, body, y


def round_cone_normal(pa, pb, ra, rb, t, rx, ry, rz, body, y):
    """Outward normals (N, 3) at hits with ray directions rx, ry, rz (1-D arrays)."""
    ba = pb - pa
    d2 = float(ba @ ba) - (ra - rb) ** 2
    p = np.stack([t * rx, t * ry, t * rz], -1)
    n_body = d2 * (p - pa) - ba[None, :] * y[:, None]
    da, db = p - pa, p - pb
    on_a = np.abs(np.linalg.norm(da, axis=-1) - ra) < np.abs(np.linalg.norm(db, axis=-1) - rb)
    cap = np.where(on_a[:, None], da, db)
    n = np.where(body[:, None], n_body, cap)
    return n / np.linalg.norm(n, axis=-1, keepdims=True)


def ellipsoid_t(c, A, r, rx: F32, ry: F32, rz: F32):
    """Distance to an ellipsoid with centre ``c``, axes ``A`` (rows, unit) and radii ``r``."""
    M = np.asarray(A, float) / np.asarray(r, float)[:, None]
    o0, o1, o2 = (-(M @ np.asarray(c, float))).tolist()
    (a00, a01, a02), (a10, a11, a12), (a20, a21, a22) = M.tolist()
    d0 = a00 * rx + a01 * ry + a02 * rz
    d1 = a10 * rx + a11 * ry + a12 * rz
    d2 = a20 * rx + a21 * ry + a22 * rz
    a = d0 * d0 + d1 * d1 + d2 * d2
    b = o0 * d0 + o1 * d1 + o2 * d2
    cc = o0 * o0 + o1 * o1 + o2 * o2 - 1.0
    h = b * b - a * cc
    t = (-b - np.sqrt(np.maximum(h, 0.0))) / a
    return np.where((h >= 0.0) & (t > 0.0), t, INF)


def ellipsoid_normal(c, A, r, t, rx, ry, rz):
    r = np.asarray(r, float)
    p = np.stack([t * rx, t * ry, t * rz], -1) - c
    q = (p @ A.T) / (r * r)  # gradient of the implicit function, in the local frame
    n = q @ A
    return n / np.linalg.norm(n, axis=-1, keepdims=True)


def box_t(c, A, half, rx, ry, rz):
    """Distance to an oriented box (slab method) and the local axis index of the face hit."""
    o = -(A @ c)  # ray origin in box coordinates
    d = np.stack([A[i, 0] * rx + A[i, 1] * ry + A[i, 2] * rz for i in range(3)])
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = 1.0 / d
        t1 = (-np.asarray(half)[:, None, None] - o[:, None, None]) * inv
        t2 = (np.asarray(half)[:, None, None] - o[:, None, None]) * inv
    tmin, tmax = np.minimum(t1, t2), np.maximum(t1, t2)
    axis = np.argmax(tmin, axis=0)
    tn, tf = tmin.max(0), tmax.min(0)
    hit = (tn <= tf) & (tn > 0)
    return np.where(hit, tn, np.inf), axis, d


def plane_t(p0, n, rx, ry, rz):
    denom = n[0] * rx + n[1] * ry + n[2] * rz
    with np.errstate(divide="ignore", invalid="ignore"):
        t = float(n @ p0) / denom
    return np.where((t > 0) & np.isfinite(t), t, np.inf)
