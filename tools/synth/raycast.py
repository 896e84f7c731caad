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


def ellipsoid_bbox(c, A, r, f: float, cx: float, cy: float, w: int, h: int):
    """Exact pixel box (x0, y0, x1, y1) of an ellipsoid's silhouette, or None if off-screen.

    The silhouette is the conic C* = K Q* K^T, Q* the ellipsoid's dual quadric; a vertical
    image line x = u touches it where C00 - 2u C02 + u^2 C22 = 0 (likewise for y). An
    ellipsoid that reaches behind the camera plane has no bounded silhouette: whole frame.
    """
    # Plain-float arithmetic: this runs ~70 times a frame on 3x3 matrices, where numpy's
    # per-call overhead would cost more than the maths.
    c0, c1, c2 = (float(v) for v in c)
    (a00, a01, a02), (a10, a11, a12), (a20, a21, a22) = np.asarray(A, float).tolist()
    s0, s1, s2 = (float(v) ** 2 for v in r)
    # Q = A^T diag(r^2) A - c c^T (the dual quadric's 3x3 block, camera frame)
    q00 = s0 * a00 * a00 + s1 * a10 * a10 + s2 * a20 * a20 - c0 * c0
    q02 = s0 * a00 * a02 + s1 * a10 * a12 + s2 * a20 * a22 - c0 * c2
    q11 = s0 * a01 * a01 + s1 * a11 * a11 + s2 * a21 * a21 - c1 * c1
    q12 = s0 * a01 * a02 + s1 * a11 * a12 + s2 * a21 * a22 - c1 * c2
    q22 = s0 * a02 * a02 + s1 * a12 * a12 + s2 * a22 * a22 - c2 * c2
    if -q22 <= 0.05 * 0.05:  # q22 = extent_z^2 - cz^2 < 0 only when fully in front
        return (0, 0, w, h) if c2 > 0 else None
    # C = K Q K^T with K = [[f, 0, cx], [0, f, cy], [0, 0, 1]]
    C22 = q22
    C02 = f * q02 + cx * q22
    C12 = f * q12 + cy * q22
    C00 = f * f * q00 + 2 * f * cx * q02 + cx * cx * q22
    C11 = f * f * q11 + 2 * f * cy * q12 + cy * cy * q22
    out = []
    for Cii, Ci2 in ((C00, C02), (C11, C12)):
        disc = Ci2 * Ci2 - Cii * C22
        if disc < 0:
            return None
        s = math.sqrt(disc)
        a, b = (Ci2 - s) / C22, (Ci2 + s) / C22
        out += [min(a, b), max(a, b)]
    x0, x1 = int(max(0, math.floor(out[0]) - 1)), int(min(w, math.ceil(out[1]) + 1))
    y0, y1 = int(max(0, math.floor(out[2]) - 1)), int(min(h, math.ceil(out[3]) + 1))
    if x0 >= x1 or y0 >= y1:
        return None
    return x0, y0, x1, y1


_I3 = np.eye(3)


def union_bbox(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def sphere_bbox(c, r: float, f: float, cx: float, cy: float, w: int, h: int):
    """Exact pixel box of a sphere in camera coordinates, or None."""
    return ellipsoid_bbox(c, _I3, (r, r, r), f, cx, cy, w, h)


def round_cone_boxes(pa, pb, ra: float, rb: float, f: float, cx: float, cy: float, w: int, h: int):
    """Pixel boxes that together cover a round cone.

    A limb seen diagonally fills a small part of its bounding box, so a long diagonal cone is
    covered by up to four boxes along its axis, each bounding a capsule piece of the larger
    radius (the cone lies inside that capsule). Pixels in two boxes are tested twice; the
    depth test makes that harmless.
    """
    R = max(ra, rb)
    ends = []
    if pa[2] > R and pb[2] > R:
        ua = (cx + f * pa[0] / pa[2], cy + f * pa[1] / pa[2])
        ub = (cx + f * pb[0] / pb[2], cy + f * pb[1] / pb[2])
        rad = f * R / min(pa[2], pb[2])
        n = 1 + int(min(abs(ua[0] - ub[0]), abs(ua[1] - ub[1])) / (2.5 * rad + 1e-9))
        n = min(n, 4)
    else:
        n = 1
    pts = [pa + (pb - pa) * (k / n) for k in range(n + 1)]
    for k in range(n):
        bb = union_bbox(sphere_bbox(pts[k], R, f, cx, cy, w, h), sphere_bbox(pts[k + 1], R, f, cx, cy, w, h))
        if bb is not None:
            ends.append(bb)
    return ends


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
