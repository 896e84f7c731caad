"""Pelvic stickers: two coloured discs on the skin (clothing) over the ASIS and the PSIS.

Clinicians mark the anterior (ASIS) and posterior (PSIS) superior iliac spines with stickers
and read pelvic tilt off the line between them. Here each sticker is a round patch painted on
the body's surface (a decal: every visible surface point within the radius of its centre)
right over its bone point, on the side facing the camera: the bone point is
pushed along the pelvis' own forward (ASIS) or backward (PSIS) axis until it meets the outer
surface of the pelvis-attached soft tissue. Both stickers therefore sit at the bone points'
own heights in the pelvis frame, so the line between them is parallel to the PSIS -> ASIS
line: in a side view the sticker line's angle *is* the true tilt (docs/measurements.md), and
a detector that finds both centres measures it without any calibration. The discs move
rigidly with the pelvis; arms, hands, a thigh or the far side of the body can hide them, and
the renderer's depth test decides that, as for any other surface.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.synth.kinematics import Skeleton

DEFAULT_COLOUR = (40, 220, 70)  # bright green, sRGB
DEFAULT_RADIUS_M = 0.02  # 4 cm discs: visible at 3 m in a 640x480 frame
NAMES = ("asis_sticker", "psis_sticker")


@dataclass(frozen=True)
class StickerSpec:
    colour: tuple[int, int, int] = DEFAULT_COLOUR
    radius_m: float = DEFAULT_RADIUS_M

    def to_dict(self) -> dict:
        return {"colour": list(self.colour), "radius_m": self.radius_m}


def _ray_ellipsoid(p: np.ndarray, d: np.ndarray, c: np.ndarray, axes: np.ndarray, radii: np.ndarray) -> float | None:
    """Nearest t >= 0 where p + t d meets the ellipsoid (rows of ``axes`` = its unit axes)."""
    q = (axes @ (p - c)) / radii
    e = (axes @ d) / radii
    a, b, cc = float(e @ e), float(2 * q @ e), float(q @ q - 1.0)
    disc = b * b - 4 * a * cc
    if disc < 0:
        return None
    r = np.sqrt(disc)
    for t in ((-b - r) / (2 * a), (-b + r) / (2 * a)):
        if t >= 0:
            return float(t)
    return None


def _pelvis_ellipsoids(prims: list[tuple], R_pelvis: np.ndarray) -> list[tuple]:
    """The body primitives that move with the pelvis (ellipsoids whose axes are the pelvis')."""
    return [p for p in prims if p[0] == "el" and np.allclose(p[2], R_pelvis.T, atol=1e-9)]


def sticker_points(sk: Skeleton, prims: list[tuple], near_side: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Body-frame (centre, outward normal) of the ASIS and PSIS stickers on ``near_side``."""
    R = sk.frames["pelvis"]
    fwd = R[:, 0]
    pelvis = _pelvis_ellipsoids(prims, R)
    out = {}
    for name, bone, direction in (("asis_sticker", f"{near_side}_asis", fwd), ("psis_sticker", f"{near_side}_psis", -fwd)):
        p0 = sk.joints[bone] + 0.5 * direction  # outside the body, on the bone's line
        d = -direction
        best = None
        for _, c, axes, radii, _ in pelvis:
            t = _ray_ellipsoid(p0, d, c, axes, radii)
            if t is not None and (best is None or t < best[0]):
                best = (t, c, axes, radii)
        if best is None:  # no soft tissue on that line: the sticker sits on the bone point
            out[name] = (sk.joints[bone].copy(), direction.copy())
            continue
        t, c, axes, radii = best
        hit = p0 + t * d
        n = axes.T @ ((axes @ (hit - c)) / radii**2)
        out[name] = (hit, n / np.linalg.norm(n))
    return out


def sticker_decals(points: dict[str, tuple[np.ndarray, np.ndarray]], spec: StickerSpec) -> list[tuple]:
    """(body-frame centre on the surface, radius, material) per sticker: the renderer paints
    them onto the visible skin (``render.Figure.decals``), so they follow its curvature."""
    return [(centre, spec.radius_m, "sticker") for centre, _ in points.values()]
