"""The set-up check says what to fix: person, whole body, side-on, light."""

import numpy as np
import pytest

from stretchcheck.setup_check import check_setup, frame_brightness
from tests.posture_rules.stick import lunge_pose
from vision.landmarks import Landmark
from vision.pose import Pose


def in_frame(**kw) -> Pose:
    """The stick lunge scaled to sit well inside a 640x480 frame, head to toes."""
    return lunge_pose(scale=0.6, hip_xy=(320.0, 300.0), **kw)


def test_a_side_on_lunge_in_good_light_passes():
    check = check_setup(in_frame(), brightness=120.0)
    assert check.ok and check.fixes == []


def test_no_person_says_step_into_view_and_waits_on_the_rest():
    check = check_setup(Pose.empty((640, 480), 0.0), brightness=120.0)
    assert not check.ok
    assert check.fixes == ["Step into view, side-on to the camera."]
    assert [i.ok for i in check.items] == [False, None, None, True]


def test_feet_out_of_frame_says_step_back():
    pose = lunge_pose(scale=0.6, hip_xy=(320.0, 360.0))  # the front foot ends below the bottom edge
    check = check_setup(pose, brightness=120.0)
    assert check.fixes == ["Your feet are out of view: step back or tilt the camera down."]


def test_head_out_of_frame_says_tilt_up():
    check = check_setup(lunge_pose(), brightness=120.0)  # full size: the head is above the top
    assert check.fixes == ["Your head is out of view: step back or tilt the camera up."]


def test_facing_the_camera_says_turn_side_on():
    pose = in_frame()
    xy = pose.xy.copy()
    # Spread shoulders and hips across the image as a frontal view shows them.
    xy[Landmark.LEFT_SHOULDER, 0] -= 90
    xy[Landmark.RIGHT_SHOULDER, 0] += 90
    check = check_setup(pose.with_xy(xy), brightness=120.0)
    assert [f for f in check.fixes if "side-on" in f]


def test_dark_frame_says_add_light():
    check = check_setup(in_frame(), brightness=20.0)
    assert check.fixes == ["Too dark: turn on a light in front of you, not behind you."]


@pytest.mark.parametrize(("value", "expected"), [(0, 0.0), (255, 255.0), (100, 100.0)])
def test_brightness_of_uniform_frames(value, expected):
    image = np.full((48, 64, 3), value, np.uint8)
    assert frame_brightness(image) == pytest.approx(expected, abs=0.5)
