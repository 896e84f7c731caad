"""Z-buffered ray casting of the people over a pre-rendered room, then camera effects.

Per frame: copy the room's colour and depth, darken the floor under the people (contact
shadows), ray-cast every body primitive inside its own screen box with a depth test (so any
view angle, limb crossing or furniture occlusion is ordered correctly), shade only the pixels
that won, then soften edges and add sensor noise. Pure numpy + OpenCV, one core.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from tools.synth.camera import Camera
from tools.synth.raycast import (
    ellipsoid_bbox,
    ellipsoid_normal,
    ellipsoid_t,
    round_cone_boxes,
    round_cone_normal,
    round_cone_t,
)
from tools.synth.room import Background
from tools.synth.shading import Light, shade

SPECULAR = {"skin": 0.10, "lip": 0.15, "iris": 0.3, "eye_white": 0.2, "shoe": 0.08, "hair": 0.05}


@dataclass
class Figure:
    """One person to draw: world-frame primitives, their colours and shadow casters."""

    prims: list[tuple]
    palette: dict[str, np.ndarray]
    casters: list[tuple[np.ndarray, float]] = field(default_factory=list)  # (point, radius)
    # Decals painted on this figure's own surface: (world centre on the surface, radius m,
    # material). A surface pixel within the radius takes the material (stickers on the skin).
    decals: list[tuple[np.ndarray, float, str]] = field(default_factory=list)


@dataclass(frozen=True)
class CameraFx:
    blur_sigma: float = 0.6
    noise_sigma: float = 2.5
    seed: int = 0

    def to_dict(self) -> dict:
        return {"blur_sigma": self.blur_sigma, "noise_sigma": self.noise_sigma}


class Renderer:
    def __init__(self, cam: Camera, light: Light, background: Background, fx: CameraFx = CameraFx()):
        self.cam = cam
        self.light = light.in_camera(cam)
        self.bg = background
        self.fx = fx
        self.rx, self.ry, self.rz = cam.rays()
        rng = np.random.default_rng(fx.seed)
        shape = (cam.height, cam.width, 3)
        # Sensor noise as (positive, negative) uint8 pairs: two saturating cv2 adds are ~10x
        # cheaper per frame than a signed int16 round trip.
        self._noise = []
        for _ in range(3):
            n = np.clip(np.rint(rng.normal(0.0, fx.noise_sigma, shape)), -127, 127)
            self._noise.append((np.maximum(n, 0).astype(np.uint8), np.maximum(-n, 0).astype(np.uint8)))
        self._frame = 0

    # ---------------------------------------------------------------------------------------
    def render(self, figures: list[Figure]) -> np.ndarray:
        img = self.bg.colour.copy()
        depth = self.bg.depth.copy()
        for fig in figures:
            self._shadows(img, fig)
        # Deferred shading: the ray casts only write depth, normal and a material index;
        # one shading pass at the end colours every person pixel at once.
        self._normal = np.zeros((self.cam.height, self.cam.width, 3), np.float32)
        self._mat = np.full((self.cam.height, self.cam.width), -1, np.int16)
        self._box = None
        albedo, spec, items = [], [], []
        self._materials: list[tuple[int, str]] = []  # (figure index, material name) per id
        decals = []
        for k, fig in enumerate(figures):
            ids = {}
            for name, colour in fig.palette.items():
                ids[name] = len(albedo)
                self._materials.append((k, name))
                albedo.append(colour)
                spec.append(SPECULAR.get(name, 0.0))
            for p in fig.prims:
                item = self._to_camera(p)
                if item is not None:
                    items.append((item, ids[p[-1]]))
            own = np.array(sorted(set(ids.values())), np.int16)
            decals += [(centre, radius, ids[name], own) for centre, radius, name in fig.decals]
        items.sort(key=lambda it: it[0][1])  # near to far: later pixels mostly fail the z-test
        for item, mat_id in items:
            for bb in item[2]:
                self._cast(depth, item, mat_id, bb)
        painted = [self._decal(depth, *decal) for decal in decals]
        if self._box is not None:
            self._shade_people(img, np.asarray(albedo, np.float32), np.asarray(spec, np.float32))
        for p in painted:
            if p is not None:
                self._blend_decal(img, *p, albedo)
        self.depth = depth  # kept for the truth's landmark-occlusion test
        return self._post(img)

    def _decal(self, depth, centre, radius: float, mat_id: int, own):
        """A round patch of ``mat_id`` on one figure's visible surface within ``radius`` of
        ``centre``: it follows the skin and is hidden exactly where the skin is. Returns
        (box, coverage, material) for the blend after shading: each pixel is covered in
        proportion to how much of its footprint on the surface lies inside the patch (a
        camera integrates over the pixel; a 5-pixel sticker sampled at pixel centres only
        would shift by up to half a pixel). Pixels at least half covered take the material."""
        cam = self.cam
        c = cam.to_cam(centre)
        if c[2] <= 0.1:
            return None
        u, v = cam.cx + cam.f * c[0] / c[2], cam.cy + cam.f * c[1] / c[2]
        r_px = radius * cam.f / c[2] + 2.0
        x0, x1 = max(0, int(u - r_px)), min(cam.width, int(u + r_px) + 2)
        y0, y1 = max(0, int(v - r_px)), min(cam.height, int(v + r_px) + 2)
        if x0 >= x1 or y0 >= y1:
            return None
        mat = self._mat[y0:y1, x0:x1]
        t = depth[y0:y1, x0:x1]
        rays = np.stack([self.rx[y0:y1, x0:x1], self.ry[y0:y1, x0:x1], self.rz[y0:y1, x0:x1]], -1)
        dist = np.linalg.norm(rays * t[..., None] - c.astype(np.float32), axis=-1)
        # The pixel's footprint on the surface: t / f across, stretched where the surface is
        # seen at a grazing angle.
        cos_view = np.abs((self._normal[y0:y1, x0:x1] * rays).sum(-1))
        foot = t / cam.f / np.maximum(cos_view, 0.3)
        cover = np.clip((radius - dist) / foot + 0.5, 0.0, 1.0) * np.isin(mat, own)
        mat[cover >= 0.5] = mat_id
        return (x0, y0, x1, y1), cover.astype(np.float32), mat_id

    def _blend_decal(self, img, box, cover, mat_id: int, albedo) -> None:
        x0, y0, x1, y1 = box
        iy, ix = np.nonzero(cover > 0)
        if iy.size == 0:
            return
        n = self._normal[y0:y1, x0:x1][iy, ix]
        view = -np.stack([self.rx[y0:y1, x0:x1][iy, ix], self.ry[y0:y1, x0:x1][iy, ix], self.rz[y0:y1, x0:x1][iy, ix]], -1)
        col = shade(n, np.repeat(np.asarray(albedo[mat_id], np.float32)[None], iy.size, 0), self.light, view, 0.0)
        w = cover[iy, ix][:, None]
        region = img[y0:y1, x0:x1]
        region[iy, ix] = (w * col + (1.0 - w) * region[iy, ix]).astype(np.uint8)

    def person_mask(self) -> np.ndarray:
        """(H, W) bool: pixels the last ``render`` drew a person on (a perfect segmentation)."""
        return self._mat >= 0

    def material_at(self, x: int, y: int) -> tuple[int, str] | None:
        """(figure index, material name) drawn at pixel (x, y) by the last ``render``, or None."""
        if not (0 <= y < self._mat.shape[0] and 0 <= x < self._mat.shape[1]) or self._mat[y, x] < 0:
            return None
        return self._materials[int(self._mat[y, x])]

    def _shade_people(self, img, albedo, spec) -> None:
        x0, y0, x1, y1 = self._box
        mat = self._mat[y0:y1, x0:x1]
        iy, ix = np.nonzero(mat >= 0)
        m = mat[iy, ix]
        n = self._normal[y0:y1, x0:x1][iy, ix]
        view = -np.stack([self.rx[y0:y1, x0:x1][iy, ix], self.ry[y0:y1, x0:x1][iy, ix], self.rz[y0:y1, x0:x1][iy, ix]], -1)
        img[y0 + iy, x0 + ix] = shade(n, albedo[m], self.light, view, spec[m])

    # ---------------------------------------------------------------------------------------
    def _to_camera(self, p):
        """A primitive in camera coordinates, with its nearest depth and pixel boxes."""
        cam = self.cam
        f, cx, cy, W, H = cam.f, cam.cx, cam.cy, cam.width, cam.height
        if p[0] == "rc":
            pa, pb = cam.to_cam(p[1]), cam.to_cam(p[2])
            boxes = round_cone_boxes(pa, pb, p[3], p[4], f, cx, cy, W, H)
            if not boxes:
                return None
            return ("rc", min(pa[2] - p[3], pb[2] - p[4]), boxes, pa, pb, p[3], p[4], p[5])
        c = cam.to_cam(p[1])
        A = p[2] @ cam.R.T  # rows: the ellipsoid axes in the camera frame
        bb = ellipsoid_bbox(c, A, p[3], f, cx, cy, W, H)
        if bb is None:
            return None
        return ("el", c[2] - float(np.max(p[3])), [bb], c, A, p[3], p[4])

    def _cast(self, depth, it, mat_id: int, bb) -> None:
        """Ray-cast one primitive inside pixel box ``bb`` with the depth test."""
        x0, y0, x1, y1 = bb
        rx, ry, rz = self.rx[y0:y1, x0:x1], self.ry[y0:y1, x0:x1], self.rz[y0:y1, x0:x1]
        if it[0] == "rc":
            _, _, _, pa, pb, ra, rb, _ = it
            t, body, yy = round_cone_t(pa, pb, ra, rb, rx, ry, rz)
        else:
            _, _, _, c, A, r, _ = it
            t = ellipsoid_t(c, A, r, rx, ry, rz)
        zs = depth[y0:y1, x0:x1]
        iy, ix = np.nonzero(t < zs)
        if iy.size == 0:
            return
        tt = t[iy, ix]
        zs[iy, ix] = tt
        dx, dy, dz = rx[iy, ix], ry[iy, ix], rz[iy, ix]
        if it[0] == "rc":
            n = round_cone_normal(pa, pb, ra, rb, tt, dx, dy, dz, body[iy, ix], yy[iy, ix])
        else:
            n = ellipsoid_normal(c, A, r, tt, dx, dy, dz)
        self._normal[y0 + iy, x0 + ix] = n
        self._mat[y0 + iy, x0 + ix] = mat_id
        b = self._box
        self._box = bb if b is None else (min(b[0], x0), min(b[1], y0), max(b[2], x1), max(b[3], y1))

    def _shadows(self, img, fig: Figure) -> None:
        """Soft contact shadows: blurred ellipses on the floor below low body points."""
        if not fig.casters:
            return
        cam = self.cam
        mask = np.zeros((cam.height, cam.width), np.float32)
        drawn = False
        for p, r in fig.casters:
            hgt = float(p[1])
            if hgt > 0.6:
                continue
            g = np.array([[p[0], 0.0, p[2]], [p[0] + r, 0.0, p[2]], [p[0], 0.0, p[2] + r]])
            uv, z = cam.project(g)
            if (z <= 0.1).any():
                continue
            ax = (max(1, int(abs(uv[1, 0] - uv[0, 0]) + abs(uv[1, 1] - uv[0, 1]) * 0.3)),
                  max(1, int(abs(uv[2, 1] - uv[0, 1]) + abs(uv[1, 1] - uv[0, 1]))))
            strength = 0.45 * (1.0 - hgt / 0.6)
            cv2.ellipse(mask, (int(uv[0, 0]), int(uv[0, 1])), ax, 0, 0, 360, strength, -1, cv2.LINE_AA)
            drawn = True
        if not drawn:
            return
        ys, xs = np.nonzero(mask)
        if ys.size == 0:  # every shadow fell outside the frame
            return
        y0, y1 = max(0, ys.min() - 12), min(cam.height, ys.max() + 13)
        x0, x1 = max(0, xs.min() - 12), min(cam.width, xs.max() + 13)
        sub = cv2.GaussianBlur(mask[y0:y1, x0:x1], (0, 0), 4.0)
        sub *= self.bg.floor[y0:y1, x0:x1]
        region = img[y0:y1, x0:x1]
        region[:] = (region * (1.0 - sub[..., None])).astype(np.uint8)

    def _post(self, img):
        fx = self.fx
        if fx.blur_sigma > 0:
            img = cv2.GaussianBlur(img, (3, 3), fx.blur_sigma)
        if fx.noise_sigma > 0:
            pos, neg = self._noise[self._frame % len(self._noise)]
            self._frame += 1
            img = cv2.subtract(cv2.add(img, pos), neg)
        return img
