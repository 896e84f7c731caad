"""Forward kinematics give back exactly the angles that were asked for (docs/measurements.md)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posture_rules.geometry import forward_from_down_deg, interior_angle_deg, lean_from_vertical_deg
from tools.synth.body import BUILDS
from tools.synth.camera import Camera
from tools.synth.kinematics import forward_kinematics
from tools.synth.lunge import LungeParams, ground, lunge_pose
from tools.synth.person import Placement, pose_person
from tools.synth.truth import measure

CASES = [
    LungeParams(),
    LungeParams(trunk_lean_deg=20.0, rear_hip_ext_deg=12.0, pelvic_tilt_deg=-3.0),
    LungeParams(trunk_lean_deg=-15.0, front_knee_deg=105.0, pelvic_tilt_deg=23.0, front_leg="left"),
    LungeParams(front_knee_deg=135.0, rear_hip_ext_deg=-8.0),
    LungeParams(lateral_bend_deg=15.0, pelvic_tilt_deg=10.0, arms="overhead_left"),
    LungeParams(front_knee_deg=82.0, front_shin_deg=48.0, rear_knee_lift_m=None),
    LungeParams(front_knee_deg=None, front_shin_deg=10.0),
    LungeParams(front_heel_lift_deg=15.0, front_knee_deg=80.0, front_shin_deg=40.0, rear_knee_lift_m=None),
]


@pytest.mark.parametrize("build", sorted(BUILDS))
@pytest.mark.parametrize("p", CASES)
def test_requested_angles_come_back_exactly(build, p):
    b = BUILDS[build]
    t = measure(forward_kinematics(b, lunge_pose(b, p)))
    assert t.trunk_lean_deg == pytest.approx(p.trunk_lean_deg, abs=1e-6)
    assert t.rear_hip_extension_deg == pytest.approx(p.rear_hip_ext_deg, abs=1e-6)
    assert t.pelvic_tilt_deg == pytest.approx(p.pelvic_tilt_deg, abs=1e-6)
    assert t.lateral_bend_deg == pytest.approx(p.lateral_bend_deg, abs=1e-6)
    assert t.front_side == p.front_leg
    if p.front_knee_deg is not None:
        assert t.front_knee_angle_deg == pytest.approx(p.front_knee_deg, abs=1e-6)


@pytest.mark.parametrize("p", CASES)
def test_floor_contacts_hold(p):
    b = BUILDS["average"]
    pose = lunge_pose(b, p)
    assert ground(b, pose).root_y == pytest.approx(pose.root_y, abs=1e-9)  # already on the floor
    sk = forward_kinematics(b, pose)
    front = p.front_leg
    assert sk[f"{front}_toe_c"][1] - b.toe_radius == pytest.approx(0.0, abs=1e-9)
    if p.rear_knee_lift_m == 0.0:
        rear = "left" if front == "right" else "right"
        assert sk[f"{rear}_knee"][1] == pytest.approx(b.knee_contact_height, abs=1e-9)


def test_pelvic_tilt_moves_the_outline_not_the_hips():
    """Tilt rotates the pelvis about the hip axis: hips stay, sacrum and lumbar curve move."""
    b = BUILDS["average"]
    tucked = forward_kinematics(b, lunge_pose(b, LungeParams(pelvic_tilt_deg=2.0)))
    tipped = forward_kinematics(b, lunge_pose(b, LungeParams(pelvic_tilt_deg=24.0)))
    for k in ("left_hip", "right_hip", "left_knee", "right_knee"):
        np.testing.assert_allclose(tucked[k], tipped[k], atol=1e-12)
    assert tipped["left_asis"][1] < tucked["left_asis"][1]  # front of the pelvis drops
    assert tipped["sacrum"][0] > tucked["sacrum"][0]  # the sacrum swings forward...

    def lordosis(sk):  # ...so the lumbar spine bends more: angle sacrum->l3 vs t12->c7
        a = sk["l3"] - sk["sacrum"]
        c = sk["c7"] - sk["t12"]
        return math.degrees(math.atan2(a[0], a[1]) - math.atan2(c[0], c[1]))

    assert lordosis(tipped) > lordosis(tucked) + 10.0


def _side_view_2d(p: LungeParams, facing: str, dist: float = 3.0, hfov: float = 60.0):
    """The docs' 2D measurements from the true joints projected by a side-view camera."""
    b = BUILDS["average"]
    person = pose_person(b, lunge_pose(b, p), Placement(facing, 0.0))
    cam = Camera(hfov_deg=hfov, position=(0.0, 0.7, dist), target=(0.0, 0.7, 0.0))
    lm = {k: cam.project(v[None])[0][0] for k, v in person.landmarks_world().items()}
    f = 1.0 if facing == "right" else -1.0
    front, rear = p.front_leg, "left" if p.front_leg == "right" else "right"
    mid_hip = (lm["left_hip"] + lm["right_hip"]) / 2
    mid_sh = (lm["left_shoulder"] + lm["right_shoulder"]) / 2
    knee, ankle, toe = lm[f"{front}_knee"], lm[f"{front}_ankle"], lm[f"{front}_foot_index"]
    return np.array([
        float(lean_from_vertical_deg(mid_sh - mid_hip, f)),
        float(interior_angle_deg(lm[f"{front}_hip"], knee, ankle)),
        f * float(knee[0] - toe[0]) / float(np.linalg.norm(knee - ankle)),
        float(forward_from_down_deg(mid_hip - mid_sh, f) - forward_from_down_deg(lm[f"{rear}_knee"] - lm[f"{rear}_hip"], f)),
    ])


@pytest.mark.parametrize("p", CASES[:4])
def test_mirror_keeps_the_angles(p):
    """Facing left with the other leg forward is the exact mirror image of facing right."""
    mirrored = p.with_(front_leg="left" if p.front_leg == "right" else "right")
    np.testing.assert_allclose(_side_view_2d(p, "right"), _side_view_2d(mirrored, "left"), atol=1e-9)


@pytest.mark.parametrize("p", CASES[:4])
def test_far_side_view_matches_the_3d_truth(p):
    """Seen from far away (almost orthographic), the 2D definitions equal the 3D truth."""
    t = measure(forward_kinematics(BUILDS["average"], lunge_pose(BUILDS["average"], p)))
    truth = np.array([t.trunk_lean_deg, t.front_knee_angle_deg, t.knee_past_toes_ratio, t.rear_hip_extension_deg])
    np.testing.assert_allclose(_side_view_2d(p, "right", dist=300.0, hfov=1.0), truth, atol=0.05)


def test_upright_kneeling_is_on_both_knees_and_not_a_lunge_to_the_checker():
    """The neutral-pelvis calibration pose: both knees on the floor under the hips, and the
    checker does not take it for the lunge (so it can calibrate on it)."""
    from posture_rules.config import load_config
    from posture_rules.measurements import estimate_facing, estimate_front_side, measure_frame
    from tools.synth.lunge import kneeling_pose
    from vision.landmarks import Landmark
    from vision.pose import Pose

    b = BUILDS["average"]
    kneel = kneeling_pose(b)
    assert ground(b, kneel).root_y == pytest.approx(kneel.root_y, abs=1e-9)  # already on the floor
    sk = forward_kinematics(b, kneel)
    for side in ("left", "right"):
        assert sk[f"{side}_knee"][1] == pytest.approx(b.knee_contact_height, abs=1e-9)
        assert sk[f"{side}_knee"][0] == pytest.approx(sk[f"{side}_hip"][0], abs=1e-9)  # thigh vertical

    person = pose_person(b, kneel, Placement("right", 0.0))
    cam = Camera(hfov_deg=60.0, position=(0.0, 0.7, 3.0), target=(0.0, 0.7, 0.0))
    xy, vis = np.zeros((33, 2)), np.zeros(33)
    for name, p in person.landmarks_world().items():
        xy[Landmark[name.upper()]], vis[Landmark[name.upper()]] = cam.project(p[None])[0][0], 0.99
    pose = Pose(xy=xy, visibility=vis, presence=vis.copy(), image_size=(640, 480), timestamp_s=0.0)
    cfg = load_config()
    marks = cfg.landmarks
    facing = estimate_facing(pose, marks)
    m = measure_frame(pose, facing, estimate_front_side(pose, facing, marks), marks, cfg.lunge)
    assert m.person and m.in_lunge is False
