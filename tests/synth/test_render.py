"""Renderer sanity: exact ray-primitive hits, depth ordering, the person where the joints are."""

from __future__ import annotations

import numpy as np
import pytest

from tools.synth.appearance import Appearance
from tools.synth.body import BUILDS
from tools.synth.camera import Camera
from tools.synth.lunge import LungeParams, lunge_pose
from tools.synth.person import Placement, figure, pose_person
from tools.synth.raycast import ellipsoid_bbox, ellipsoid_t, round_cone_normal, round_cone_t
from tools.synth.render import CameraFx, Renderer
from tools.synth.room import Room, render_background
from tools.synth.shading import Light


def _sd_round_cone(p, a, b, ra, rb):
    """Brute-force distance to the convex hull of two spheres (dense sampling)."""
    s = np.linspace(0, 1, 401)
    c = a[None] + s[:, None] * (b - a)[None]
    r = ra + (rb - ra) * s
    return (np.linalg.norm(p[:, None, :] - c[None], axis=-1) - r[None]).min(1)


def test_round_cone_hits_lie_on_the_surface_with_true_normals():
    rng = np.random.default_rng(0)
    for _ in range(5):
        a = rng.normal(0, 0.3, 3) + [0, 0, 3]
        b = a + rng.normal(0, 0.3, 3)
        ra, rb = rng.uniform(0.03, 0.12, 2)
        d = rng.normal(0, 1, (300, 3)) * [0.1, 0.1, 0] + [0, 0, 1]
        d[:, :2] += (a[:2] + b[:2]) / 2 / 3
        d = (d / np.linalg.norm(d, axis=1, keepdims=True)).astype(np.float32)
        t, body, y = round_cone_t(a, b, ra, rb, d[:, 0], d[:, 1], d[:, 2])
        hit = np.isfinite(t)
        assert hit.any() and not hit.all()
        p = t[hit, None].astype(float) * d[hit]
        assert np.abs(_sd_round_cone(p, a, b, ra, rb)).max() < 1e-4
        n = round_cone_normal(a, b, ra, rb, t[hit], d[hit, 0], d[hit, 1], d[hit, 2], body[hit], y[hit])
        eps = 1e-4
        g = np.stack([(_sd_round_cone(p + eps * e, a, b, ra, rb) - _sd_round_cone(p - eps * e, a, b, ra, rb)) / (2 * eps)
                      for e in np.eye(3)], -1)
        g /= np.linalg.norm(g, axis=1, keepdims=True)
        assert (n * g).sum(1).min() > 0.999
        miss = d[~hit][:10]
        ts = np.linspace(0.5, 6, 300)
        pts = (ts[None, :, None] * miss[:, None, :]).reshape(-1, 3)
        assert _sd_round_cone(pts, a, b, ra, rb).min() > -1e-3


def test_ellipsoid_box_contains_its_silhouette():
    cam = Camera(width=320, height=240)
    rx, ry, rz = cam.rays()
    rng = np.random.default_rng(1)
    for _ in range(50):
        c = np.array([rng.uniform(-1, 1), rng.uniform(-0.7, 0.7), rng.uniform(0.8, 4)])
        A, _ = np.linalg.qr(rng.normal(size=(3, 3)))
        r = rng.uniform(0.02, 0.3, 3)
        ys, xs = np.nonzero(np.isfinite(ellipsoid_t(c, A, r, rx, ry, rz)))
        if xs.size:
            x0, y0, x1, y1 = ellipsoid_bbox(c, A, r, cam.f, cam.cx, cam.cy, 320, 240)
            assert x0 <= xs.min() and xs.max() < x1 and y0 <= ys.min() and ys.max() < y1


@pytest.fixture(scope="module")
def scene():
    b = BUILDS["average"]
    person = pose_person(b, lunge_pose(b, LungeParams(front_leg="right")), Placement("right", -0.2))
    cam = Camera(width=200, height=150, position=(0.3, 0.8, 3.0), target=(0.0, 0.6, 0.0))
    light = Light()
    bg = render_background(Room(), cam, light)
    fig = figure(person, Appearance())
    return person, cam, light, bg, fig


def test_depth_buffer_is_the_nearest_surface_whatever_the_drawing_order(scene):
    _person, cam, light, bg, fig = scene
    fx = CameraFx(blur_sigma=0.0, noise_sigma=0.0)
    r1 = Renderer(cam, light, bg, fx)
    img1 = r1.render([fig])
    fig_rev = type(fig)(list(reversed(fig.prims)), fig.palette, fig.casters)
    r2 = Renderer(cam, light, bg, fx)
    img2 = r2.render([fig_rev])
    np.testing.assert_array_equal(r1.depth, r2.depth)
    assert (img1 != img2).any(axis=-1).mean() < 0.002  # ties between touching parts only
    # Brute force: nearest hit over every primitive, every pixel.
    rx, ry, rz = cam.rays()
    near = bg.depth.copy()
    for p in fig.prims:
        if p[0] == "rc":
            t = round_cone_t(cam.to_cam(p[1]), cam.to_cam(p[2]), p[3], p[4], rx, ry, rz)[0]
        else:
            t = ellipsoid_t(cam.to_cam(p[1]), p[2] @ cam.R.T, p[3], rx, ry, rz)
        near = np.minimum(near, t)
    np.testing.assert_allclose(r1.depth, near, rtol=1e-5)


def test_person_pixels_are_where_the_joints_project(scene):
    person, cam, light, bg, fig = scene
    img = Renderer(cam, light, bg, CameraFx(blur_sigma=0.0, noise_sigma=0.0)).render([fig])
    mask = (img.astype(int) - bg.colour.astype(int)).any(-1)
    lms = person.landmarks_world()
    for k in ("nose", "right_shoulder", "right_hip", "right_knee", "right_ankle", "left_knee"):
        uv, _ = cam.project(lms[k][None])
        u, v = int(uv[0, 0]), int(uv[0, 1])
        assert mask[v - 1:v + 2, u - 1:u + 2].any(), k
    # The near (right) knee is in front: the depth there is the right knee's surface.
    uv, _ = cam.project(lms["right_knee"][None])
    d = Renderer(cam, light, bg, CameraFx(0.0, 0.0))
    d.render([fig])
    knee_dist = np.linalg.norm(lms["right_knee"] - cam.C)
    assert knee_dist - 0.12 < d.depth[int(uv[0, 1]), int(uv[0, 0])] < knee_dist
    # Far from the person: untouched background.
    assert not mask[:10, :10].any() and not mask[:10, -10:].any()
