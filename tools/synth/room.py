"""A randomised room behind the person: textured floor and walls, furniture, an exercise mat.

Real webcam footage has clutter, and a person detector that only ever saw a person on a plain
backdrop would be tested too kindly. The room is static for a clip (the camera does not move),
so it is ray-cast once into a background colour + depth image; people are drawn over it
with the depth test, so furniture in front of a person still hides them.

World frame: y up, floor at y = 0; the person kneels around x = 0, z = 0; the back wall is
the plane z = -wall_dist. Furniture is kept out of the person's box (|x| < 1.3, |z| < 0.6).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tools.synth.camera import Camera
from tools.synth.raycast import box_t, ellipsoid_t, plane_t
from tools.synth.shading import Light, shade

WALL_COLOURS = [(225, 220, 205), (200, 210, 215), (235, 230, 225), (190, 200, 180), (215, 195, 175), (160, 170, 185)]
WOOD = [(150, 105, 65), (185, 145, 100), (120, 80, 50), (200, 175, 140)]
FURNITURE_COLOURS = [(90, 70, 55), (140, 140, 145), (60, 65, 80), (180, 160, 130), (110, 40, 40), (230, 230, 225), (50, 90, 70)]


@dataclass
class Box:
    centre: tuple[float, float, float]
    half: tuple[float, float, float]
    colour: tuple[int, int, int]
    yaw_deg: float = 0.0
    kind: str = "box"


@dataclass
class Room:
    wall_dist: float = 1.8
    wall_colour: tuple[int, int, int] = WALL_COLOURS[0]
    wall_pattern: str = "paint"  # paint | stripes | brick
    floor_kind: str = "wood"  # wood | tiles | carpet
    floor_colour: tuple[int, int, int] = WOOD[0]
    boxes: list[Box] = field(default_factory=list)
    blobs: list[tuple] = field(default_factory=list)  # plant foliage: (centre, radii, colour)

    def to_dict(self) -> dict:
        return {
            "wall_dist": round(self.wall_dist, 3),
            "wall_colour": self.wall_colour,
            "wall_pattern": self.wall_pattern,
            "floor_kind": self.floor_kind,
            "floor_colour": self.floor_colour,
            "furniture": sorted({b.kind for b in self.boxes}),
        }


def _pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


def _furniture(rng, kind: str, x: float, z_back: float, colour) -> tuple[list[Box], list[tuple]]:
    """Boxes (and foliage blobs) of one piece of furniture whose back is at ``z_back``."""
    B, blobs = [], []
    if kind == "sofa":
        w, d = rng.uniform(0.8, 1.1), 0.45
        zc = z_back + d
        B += [Box((x, 0.22, zc), (w, 0.22, d), colour, kind=kind),
              Box((x, 0.55, z_back + 0.1), (w, 0.33, 0.1), colour, kind=kind)]
        for sx in (-1, 1):
            B.append(Box((x + sx * (w - 0.1), 0.35, zc), (0.1, 0.35, d), colour, kind=kind))
    elif kind == "shelf":
        w, hgt, d = rng.uniform(0.35, 0.6), rng.uniform(0.8, 1.0), 0.17
        zc = z_back + d
        B.append(Box((x, hgt, zc), (w, hgt, d), colour, kind=kind))
        for k in range(1, 4):  # rows of books in front of the shelf's face
            y = hgt * 2 * k / 4 - 0.2
            bx = x - w + 0.05
            while bx < x + w - 0.1:
                bw = rng.uniform(0.015, 0.04)
                bh = rng.uniform(0.09, 0.14)
                B.append(Box((bx + bw, y + bh, zc + d + 0.01), (bw, bh, 0.012), _pick(rng, FURNITURE_COLOURS + [(200, 60, 50), (50, 80, 160)]), kind="books"))
                bx += 2 * bw + 0.005
    elif kind == "table":
        w, d, hgt = rng.uniform(0.4, 0.7), rng.uniform(0.25, 0.4), 0.74
        zc = z_back + d
        B.append(Box((x, hgt, zc), (w, 0.02, d), colour, kind=kind))
        for sx in (-1, 1):
            for sz in (-1, 1):
                B.append(Box((x + sx * (w - 0.04), hgt / 2, zc + sz * (d - 0.04)), (0.025, hgt / 2, 0.025), colour, kind=kind))
    elif kind == "cabinet":
        w, hgt, d = rng.uniform(0.3, 0.6), rng.uniform(0.35, 0.5), 0.22
        B.append(Box((x, hgt, z_back + d), (w, hgt, d), colour, kind=kind))
    elif kind == "plant":
        r = rng.uniform(0.12, 0.18)
        B.append(Box((x, 0.18, z_back + r + 0.05), (r, 0.18, r), (170, 90, 60), kind=kind))
        for _ in range(4):
            c = (x + rng.uniform(-0.12, 0.12), rng.uniform(0.55, 0.85), z_back + r + 0.05 + rng.uniform(-0.1, 0.1))
            blobs.append((c, (rng.uniform(0.12, 0.2),) * 3, (int(rng.integers(40, 80)), int(rng.integers(100, 150)), 50)))
    return B, blobs


def sample_room(rng: np.random.Generator) -> Room:
    room = Room(
        wall_dist=float(rng.uniform(1.1, 2.6)),
        wall_colour=_pick(rng, WALL_COLOURS),
        wall_pattern=_pick(rng, ["paint", "paint", "stripes", "brick"]),
        floor_kind=_pick(rng, ["wood", "wood", "tiles", "carpet"]),
    )
    room.floor_colour = _pick(rng, WOOD) if room.floor_kind == "wood" else _pick(rng, [(170, 170, 165), (120, 110, 100), (80, 85, 95), (190, 180, 160)])
    zb = -room.wall_dist
    room.boxes.append(Box((0.0, 0.04, zb + 0.008), (20.0, 0.04, 0.008), (240, 240, 235), kind="skirting"))
    # Wall decor: pictures, a window or a door.
    for _ in range(int(rng.integers(1, 4))):
        kind = _pick(rng, ["picture", "picture", "window", "door"])
        x = float(rng.uniform(-3, 3))
        if kind == "door":
            room.boxes.append(Box((x, 1.02, zb + 0.02), (0.45, 1.02, 0.02), _pick(rng, FURNITURE_COLOURS), kind=kind))
        elif kind == "window":
            room.boxes.append(Box((x, 1.5, zb + 0.01), (0.6, 0.55, 0.01), (235, 240, 250), kind=kind))
        else:
            w, h = rng.uniform(0.2, 0.5), rng.uniform(0.15, 0.4)
            room.boxes.append(Box((x, rng.uniform(1.3, 1.8), zb + 0.015), (w, h, 0.015), tuple(int(v) for v in rng.integers(30, 230, 3)), kind="picture"))
    # Furniture along the back wall, kept out of the person's box unless the wall is far.
    x = float(rng.uniform(-4.0, -2.5))
    while x < 4.0:
        kind = _pick(rng, ["sofa", "shelf", "table", "cabinet", "plant", "none"])
        depth = {"sofa": 0.9, "shelf": 0.35, "table": 0.8, "cabinet": 0.45, "plant": 0.4}.get(kind, 0.0)
        near_person = abs(x) < 1.6
        if kind != "none" and (not near_person or zb + depth < -0.7):
            b, bl = _furniture(rng, kind, x, zb, _pick(rng, FURNITURE_COLOURS))
            room.boxes += b
            room.blobs += bl
        x += float(rng.uniform(1.0, 2.2))
    if rng.random() < 0.7:  # an exercise mat under the person
        room.boxes.append(Box((0.0, 0.003, 0.0), (1.0, 0.003, 0.33), tuple(int(v) for v in rng.integers(40, 200, 3)), kind="mat"))
    return room


def _hash(i):
    return (np.sin(i * 12.9898 + 78.233) * 43758.5453) % 1.0


def _wall_albedo(room: Room, x, y):
    base = np.array(room.wall_colour, np.float32)
    tone = np.ones_like(x, dtype=np.float32)
    if room.wall_pattern == "stripes":
        tone = np.where((np.floor(x / 0.12) % 2) == 0, 1.0, 0.9)
    elif room.wall_pattern == "brick":
        row = np.floor(y / 0.075)
        col = np.floor((x + 0.11 * (row % 2)) / 0.22)
        mortar = ((y % 0.075) < 0.01) | (((x + 0.11 * (row % 2)) % 0.22) < 0.01)
        tone = np.where(mortar, 1.15, 0.85 + 0.15 * _hash(row * 31 + col))
    tone = tone * (1 + 0.02 * np.sin(x * 7.1 + np.sin(y * 5.3)))
    return base[None, :] * tone[:, None]


def _floor_albedo(room: Room, x, z):
    base = np.array(room.floor_colour, np.float32)
    if room.floor_kind == "wood":
        row = np.floor(z / 0.14)
        plank = np.floor((x + 0.9 * _hash(row)) / 1.2)
        tone = 0.85 + 0.25 * _hash(row * 17 + plank) + 0.05 * np.sin(x * 45 + 3 * np.sin(z * 9 + row))
        tone = np.where((z % 0.14) < 0.006, 0.6, tone)
    elif room.floor_kind == "tiles":
        grout = ((x % 0.4) < 0.01) | ((z % 0.4) < 0.01)
        tone = np.where(grout, 1.2, 0.95 + 0.08 * _hash(np.floor(x / 0.4) * 7 + np.floor(z / 0.4)))
    else:
        tone = 0.95 + 0.05 * np.sin(x * 90) * np.sin(z * 87)
    return base[None, :] * tone[:, None]


@dataclass
class Background:
    colour: np.ndarray  # (H, W, 3) uint8 RGB
    depth: np.ndarray  # (H, W) float32 ray distance
    floor: np.ndarray  # (H, W) bool: floor or mat visible (receives contact shadows)


def render_background(room: Room, cam: Camera, light: Light) -> Background:
    rx, ry, rz = (a.astype(np.float64) for a in cam.rays())
    H, W = rx.shape
    depth = np.full((H, W), np.inf)
    albedo = np.zeros((H, W, 3), np.float32)
    normal = np.zeros((H, W, 3), np.float32)
    floor = np.zeros((H, W), bool)

    def put(t, alb_fn, n_cam, is_floor=False, bb=(0, 0, W, H)):
        x0, y0, x1, y1 = bb
        d = depth[y0:y1, x0:x1]
        m = t < d
        if not m.any():
            return
        d[m] = t[m]
        r3 = np.stack([rx[y0:y1, x0:x1][m], ry[y0:y1, x0:x1][m], rz[y0:y1, x0:x1][m]], -1)
        p_world = cam.C + (t[m, None] * r3) @ cam.R
        albedo[y0:y1, x0:x1][m] = alb_fn(p_world)
        normal[y0:y1, x0:x1][m] = n_cam if np.ndim(n_cam) == 1 else n_cam[m]
        floor[y0:y1, x0:x1][m] = is_floor

    def bbox(corners):
        uv, z = cam.project(np.asarray(corners, float))
        if (z <= 0.05).any():
            return (0, 0, W, H)
        x0, y0 = np.floor(uv.min(0)).astype(int) - 1
        x1, y1 = np.ceil(uv.max(0)).astype(int) + 2
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(W, x1), min(H, y1)
        return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else None

    def sl(a, bb):
        return a[bb[1]:bb[3], bb[0]:bb[2]]

    planes = [
        ((0, 0, 0), (0, 1, 0), lambda p: _floor_albedo(room, p[:, 0], p[:, 2]), True),
        ((0, 0, -room.wall_dist), (0, 0, 1), lambda p: _wall_albedo(room, p[:, 0], p[:, 1]), False),
    ]
    for p0, n, fn, is_floor in planes:
        n_cam = cam.dir_to_cam(np.array(n, float))
        put(plane_t(cam.to_cam(p0), n_cam, rx, ry, rz), fn, n_cam, is_floor)
    signs = np.array([[i, j, k] for i in (-1, 1) for j in (-1, 1) for k in (-1, 1)], float)
    for bx in room.boxes:
        a = np.radians(bx.yaw_deg)
        A = np.array([[np.cos(a), 0, -np.sin(a)], [0, 1, 0], [np.sin(a), 0, np.cos(a)]])  # rows = axes
        bb = bbox(np.asarray(bx.centre) + (signs * bx.half) @ A)
        if bb is None:
            continue
        A_cam = A @ cam.R.T
        t, axis, d = box_t(cam.to_cam(bx.centre), A_cam, bx.half, sl(rx, bb), sl(ry, bb), sl(rz, bb))
        sign = -np.sign(np.take_along_axis(d, axis[None], 0)[0])
        n_cam = (A_cam[axis] * sign[..., None]).astype(np.float32)
        colour = np.array(bx.colour, np.float32)
        put(t, lambda p, c=colour: np.broadcast_to(c, (len(p), 3)), n_cam, bx.kind == "mat", bb)
    for c, r, col in room.blobs:
        bb = bbox(np.asarray(c) + signs * np.asarray(r))
        if bb is None:
            continue
        cc = cam.to_cam(c)
        bx_, by_, bz_ = sl(rx, bb), sl(ry, bb), sl(rz, bb)
        t = ellipsoid_t(cc, cam.R.T.copy(), r, bx_.astype(np.float32), by_.astype(np.float32), bz_.astype(np.float32)).astype(float)
        p = np.stack([t * bx_, t * by_, t * bz_], -1) - cc
        with np.errstate(invalid="ignore"):
            n_cam = np.nan_to_num(p / np.linalg.norm(p, axis=-1, keepdims=True)).astype(np.float32)
        colour = np.array(col, np.float32)
        put(t, lambda p, c=colour: np.broadcast_to(c, (len(p), 3)), n_cam, False, bb)
    ok = np.isfinite(depth)
    colour = np.zeros((H, W, 3), np.uint8)
    view = -np.stack([rx[ok], ry[ok], rz[ok]], -1).astype(np.float32)
    colour[ok] = shade(normal[ok], albedo[ok], light.in_camera(cam), view, spec=0.0)
    return Background(colour, np.where(ok, depth, 1e9).astype(np.float32), floor)
