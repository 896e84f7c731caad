import itertools
from dataclasses import replace

import numpy as np
import pytest

from posture_rules.config import load_config
from posture_rules.measurements import estimate_facing, estimate_front_side, measure_frame
from posture_rules.types import FrameMeasurements
from tests.posture_rules.stick import FOOT, SHIN, lunge_pose, standing_pose
from vision.landmarks import Landmark
from vision.pose import Pose

CFG = load_config()
MIN_CONF = CFG.landmarks.min_confidence


def measure(pose: Pose) -> FrameMeasurements:
    facing = estimate_facing(pose, CFG.landmarks)
    front = estimate_front_side(pose, facing, CFG.landmarks)
    return measure_frame(pose, facing, front, CFG.landmarks, CFG.lunge)


@pytest.mark.parametrize("facing, front", list(itertools.product(["left", "right"], ["left", "right"])))
@pytest.mark.parametrize(
    "lean, knee, ext",
    [(0.0, 90.0, 20.0), (25.0, 90.0, 5.0), (-12.0, 120.0, 30.0), (5.0, 60.0, -5.0)],
)
def test_angles_recovered_exactly(facing, front, lean, knee, ext):
    m = measure(lunge_pose(facing=facing, front=front, trunk_lean_deg=lean,
                           front_knee_angle_deg=knee, rear_hip_extension_deg=ext))
    assert m.facing == facing
    assert m.front_side == front
    assert m.stretched_side == ("right" if front == "left" else "left")
    assert m.trunk_lean_deg.value == pytest.approx(lean, abs=1e-9)
    assert m.front_knee_angle_deg.value == pytest.approx(knee, abs=1e-9)
    assert m.rear_hip_extension_deg.value == pytest.approx(ext, abs=1e-9)


def test_knee_past_toes_by_hand():
    # Thigh 85 deg forward of vertical, knee 90 deg: the shin runs 5 deg backward from the knee
    # down to the ankle, so the knee is SHIN*sin(5 deg) ahead of the ankle, and the toe is FOOT
    # ahead of the ankle: the knee is behind the toes.
    m = measure(lunge_pose(front_thigh_deg=85.0, front_knee_angle_deg=90.0))
    expected = (SHIN * np.sin(np.radians(5.0)) - FOOT) / SHIN
    assert m.knee_past_toes_ratio.value == pytest.approx(expected)
    assert m.knee_past_toes_ratio.value < 0
    # Thigh only 50 deg forward, knee 90 deg: the shin leans 40 deg, the knee is
    # SHIN*sin(40 deg) = 122 px ahead of the ankle, past the toe (80 px): positive ratio.
    m = measure(lunge_pose(front_thigh_deg=50.0, front_knee_angle_deg=90.0))
    assert m.knee_past_toes_ratio.value == pytest.approx((SHIN * np.sin(np.radians(40.0)) - FOOT) / SHIN)
    assert m.knee_past_toes_ratio.value > 0


def test_translation_and_scale_do_not_change_measurements():
    base = measure(lunge_pose(trunk_lean_deg=7.0, front_knee_angle_deg=100.0))
    moved = measure(lunge_pose(trunk_lean_deg=7.0, front_knee_angle_deg=100.0, hip_xy=(150.0, 330.0), scale=0.4))
    for name in ("trunk_lean_deg", "front_knee_angle_deg", "knee_past_toes_ratio", "rear_hip_extension_deg"):
        assert moved.metric(name).value == pytest.approx(base.metric(name).value, abs=1e-9), name


def test_mirrored_pose_swaps_sides_and_keeps_angles():
    pose = lunge_pose(facing="right", front="left", trunk_lean_deg=11.0, front_knee_angle_deg=97.0,
                      rear_hip_extension_deg=14.0)
    a, b = measure(pose), measure(pose.mirrored())
    assert (a.facing, b.facing) == ("right", "left")
    assert (a.front_side, b.front_side) == ("left", "right")
    assert (a.stretched_side, b.stretched_side) == ("right", "left")
    for name in ("trunk_lean_deg", "front_knee_angle_deg", "knee_past_toes_ratio", "rear_hip_extension_deg"):
        assert b.metric(name).value == pytest.approx(a.metric(name).value, abs=1e-9), name


def test_no_person_is_a_normal_result():
    m = measure(Pose.empty((640, 480), 0.0))
    assert not m.person
    assert m.trunk_lean_deg.value is None and m.trunk_lean_deg.reason
    assert m.in_lunge is None


def test_a_joint_out_of_frame_gives_unknown_with_reason_not_a_guess():
    pose = lunge_pose(facing="right", front="left")
    presence = pose.presence.copy()
    presence[Landmark.LEFT_ANKLE] = 0.1  # the model says the ankle is outside the frame
    vis = np.minimum(pose.visibility, presence)
    m = measure(Pose(pose.xy, vis, presence, pose.image_size, 0.0))
    assert m.front_knee_angle_deg.value is None
    assert "left ankle" in m.front_knee_angle_deg.reason
    assert m.trunk_lean_deg.known  # the trunk does not need the ankle


def test_a_hidden_knee_under_the_hands_is_used_with_its_low_confidence():
    """Hands resting on the front knee hide it (low visibility) but the model still places it:
    the stretch is still recognised and measured, at the knee's confidence, and named."""
    pose = lunge_pose(facing="right", front="left")
    vis = pose.visibility.copy()
    vis[Landmark.LEFT_KNEE] = 0.2
    m = measure(Pose(pose.xy, vis, pose.presence, pose.image_size, 0.0))
    assert m.in_lunge is True
    assert m.front_knee_angle_deg.value == pytest.approx(measure(pose).front_knee_angle_deg.value)
    assert m.front_knee_angle_deg.confidence == pytest.approx(0.2)
    assert m.front_knee_angle_deg.inferred == ("left knee",)
    assert m.hidden_joints == ("left knee",)
    assert m.leg_confidence == pytest.approx(0.2)
    assert measure(pose).front_knee_angle_deg.inferred == () and measure(pose).hidden_joints == ()


def test_a_hidden_joint_placed_where_no_limb_can_reach_is_refused():
    pose = lunge_pose(facing="right", front="left")
    vis, xy = pose.visibility.copy(), pose.xy.copy()
    vis[Landmark.LEFT_KNEE] = 0.2
    xy[Landmark.LEFT_KNEE] = xy[Landmark.LEFT_HIP] + (4.0, -2.0)  # a thigh 4 px long
    m = measure(Pose(xy, vis, pose.presence, pose.image_size, 0.0))
    assert m.front_knee_angle_deg.value is None
    assert "left knee" in m.front_knee_angle_deg.reason


def test_pelvic_tilt_is_unknown_from_keypoints():
    m = measure(lunge_pose())
    assert m.pelvic_tilt_deg.value is None
    assert "rotation axis" in m.pelvic_tilt_deg.reason


def test_lunge_recognised_and_standing_is_not():
    assert measure(lunge_pose()).in_lunge is True
    assert measure(lunge_pose(trunk_lean_deg=25.0, rear_hip_extension_deg=-5.0)).in_lunge is True
    assert measure(standing_pose()).in_lunge is False


def test_nan_landmarks_do_not_leak():
    pose = lunge_pose()
    xy = pose.xy.copy()
    xy[Landmark.RIGHT_KNEE] = np.nan
    m = measure(Pose(xy, pose.visibility, pose.presence, pose.image_size, 0.0))
    for name in ("trunk_lean_deg", "front_knee_angle_deg", "knee_past_toes_ratio", "rear_hip_extension_deg"):
        v = m.metric(name).value
        assert v is None or np.isfinite(v)
    assert m.rear_hip_extension_deg.value is None


@pytest.mark.parametrize("facing", ["left", "right"])
def test_trunk_lean_is_measured_before_the_lunge_when_no_leg_is_in_front(facing):
    """Standing relaxed (the neutral calibration) no leg is in front, but the trunk lean only
    needs the facing: the neutral keeps it, and the outline tilt method is refused when the
    lunge's lean strays from it."""
    pose = lunge_pose(facing=facing, trunk_lean_deg=7.0)
    knees = [Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE]
    vis = pose.visibility.copy()
    vis[knees] = 0.0
    presence = pose.presence.copy()
    presence[knees] = 0.0  # no knee in the frame: no leg can be put in front
    hidden = Pose(pose.xy, vis, presence, pose.image_size, 0.0)
    m = measure_frame(hidden, facing, None, CFG.landmarks, CFG.lunge)
    assert m.trunk_lean_deg.value == pytest.approx(7.0, abs=1e-9)
    assert m.front_knee_angle_deg.value is None and m.rear_hip_extension_deg.value is None
    assert "which leg is in front" in m.front_knee_angle_deg.reason
    # The settled side is not needed when the knees show which one is in front.
    assert measure_frame(pose, facing, None, CFG.landmarks, CFG.lunge).front_side == "left"
    assert measure_frame(pose, None, None, CFG.landmarks, CFG.lunge).trunk_lean_deg.value is None


@pytest.mark.parametrize("facing", ["left", "right"])
def test_facing_of_a_kneeling_person_with_the_face_to_the_camera(facing):
    """Upright on both knees, face turned to the camera (nose between the ears): the shins lie
    on the floor behind the knees and the feet rest on their tops with the toes pointing
    back, so heel -> toe points backwards; the knees are the forward end."""
    f = 1.0 if facing == "right" else -1.0
    xy, vis = np.zeros((33, 2)), np.zeros(33)

    def put(lm, x, y):
        xy[lm], vis[lm] = (320.0 + f * x, y), 0.99

    put(Landmark.NOSE, 0.0, 100.0)
    put(Landmark.LEFT_EAR, -8.0, 100.0)
    put(Landmark.RIGHT_EAR, 8.0, 100.0)
    for side, dz in (("LEFT", -3.0), ("RIGHT", 3.0)):
        put(Landmark[f"{side}_SHOULDER"], dz, 140.0)
        put(Landmark[f"{side}_HIP"], dz, 260.0)
        put(Landmark[f"{side}_KNEE"], dz, 360.0)  # thigh vertical, knee on the floor
        put(Landmark[f"{side}_ANKLE"], dz - 95.0, 352.0)  # shin along the floor, behind
        put(Landmark[f"{side}_HEEL"], dz - 100.0, 340.0)  # foot on its top: heel up...
        put(Landmark[f"{side}_FOOT_INDEX"], dz - 135.0, 362.0)  # ...toes back on the floor
    pose = Pose(xy=xy, visibility=vis, presence=vis.copy(), image_size=(640, 480), timestamp_s=0.0)
    assert estimate_facing(pose, CFG.landmarks) == facing
    m = measure(pose)
    assert m.person and m.in_lunge is False


def test_a_front_foot_still_swinging_in_is_not_a_lunge_yet():
    """Stepping in from kneeling, the front knee is up and bent but the foot is still behind
    it: the knee is further past the toes than a planted foot allows."""
    pose = lunge_pose(front_thigh_deg=45.0, front_knee_angle_deg=40.0)  # facing right, left leg front
    xy = pose.xy.copy()
    ankle = xy[Landmark.LEFT_ANKLE]
    xy[Landmark.LEFT_FOOT_INDEX] = ankle + (-FOOT, 10.0)  # the foot still points back, as it knelt
    xy[Landmark.LEFT_HEEL] = ankle + (0.25 * FOOT, -10.0)
    swinging = measure(replace(pose, xy=xy))
    assert swinging.knee_past_toes_ratio.value > CFG.lunge.max_knee_past_toes_shins
    assert swinging.in_lunge is False
    # The knee-past-toes fault itself (a planted foot, shin well forward) is still a lunge.
    fault = measure(lunge_pose(front_thigh_deg=80.0, front_knee_angle_deg=40.0))
    assert 0.05 < fault.knee_past_toes_ratio.value < CFG.lunge.max_knee_past_toes_shins
    assert fault.in_lunge is True


@pytest.mark.parametrize("facing", ["left", "right"])
def test_a_lunges_legs_decide_the_facing_even_with_the_head_thrown_back(facing):
    """A back-bend with the arms overhead: the nose points up and back, behind the ears; the
    knee on the floor behind and the raised knee in front still say which way the person faces."""
    pose = lunge_pose(facing=facing, trunk_lean_deg=-20.0)
    xy = pose.xy.copy()
    f = 1.0 if facing == "right" else -1.0
    xy[Landmark.NOSE] = xy[Landmark.LEFT_EAR] + (-f * 30.0, -10.0)  # face turned up and back
    for side in ("LEFT", "RIGHT"):
        xy[Landmark[f"{side}_WRIST"]] = xy[Landmark.LEFT_SHOULDER] + (-f * 60.0, -200.0)  # overhead
    thrown_back = Pose(xy, pose.visibility, pose.presence, pose.image_size, 0.0)
    m = measure(thrown_back)
    assert m.facing == facing
    assert m.trunk_lean_deg.value == pytest.approx(-20.0, abs=1e-9)
    assert m.head_lean_deg.value < -5.0
    assert m.rear_hip_extension_deg.value == pytest.approx(20.0, abs=1e-9)


def test_out_of_a_lunge_the_face_decides_the_facing():
    pose = standing_pose(facing="left")
    assert estimate_facing(pose, CFG.landmarks) == "left"


def test_sitting_tall_keeps_the_head_over_the_hips():
    """The shoulder points read behind the hips (-12 deg) but the head sits over them."""
    pose = lunge_pose(facing="right", trunk_lean_deg=-12.0)
    xy = pose.xy.copy()
    hip = xy[Landmark.LEFT_HIP]
    for lm in (Landmark.LEFT_EAR, Landmark.RIGHT_EAR):
        xy[lm] = hip + (5.0, -300.0)
    m = measure(Pose(xy, pose.visibility, pose.presence, pose.image_size, 0.0))
    assert m.trunk_lean_deg.value == pytest.approx(-12.0, abs=1e-9)
    assert abs(m.head_lean_deg.value) < 2.0


def _sunk(hip_above_floor_thighs: float) -> Pose:
    """A deep low lunge, facing right: the rear knee on the floor far behind, the hips sunk to
    ``hip_above_floor_thighs`` above the floor, the rear thigh swung back toward horizontal."""
    from tests.posture_rules.stick import THIGH

    pose = lunge_pose(facing="right", front="left")
    xy = pose.xy.copy()
    floor = xy[Landmark.LEFT_ANKLE, 1]  # the front foot is on the floor
    hip = np.array([xy[Landmark.LEFT_HIP, 0], floor - hip_above_floor_thighs * THIGH])
    shift = hip - xy[Landmark.LEFT_HIP]
    for lm in Landmark:  # the upper body sinks with the hips
        if xy[lm, 1] < xy[Landmark.LEFT_HIP, 1] + 1:
            xy[lm] += shift
    rear_knee = hip + (-np.sqrt(THIGH**2 - (floor - hip[1]) ** 2), floor - hip[1])
    xy[Landmark.RIGHT_KNEE] = rear_knee
    for lm, dx in ((Landmark.RIGHT_ANKLE, -180.0), (Landmark.RIGHT_HEEL, -160.0), (Landmark.RIGHT_FOOT_INDEX, -250.0)):
        xy[lm] = rear_knee + (dx, 0.0)
    return Pose(xy, pose.visibility, pose.presence, (900, 700), 0.0)


def test_a_deep_low_lunge_with_the_rear_knee_on_the_floor_is_a_lunge():
    """Hips sunk forward: the rear knee is only 0.42 thighs below the hips, but on the floor."""
    m = measure(_sunk(0.42))
    assert m.in_lunge is True
    assert m.rear_hip_extension_deg.value > 50.0


def test_sitting_on_the_floor_is_not_a_lunge():
    assert measure(_sunk(0.15)).in_lunge is False
