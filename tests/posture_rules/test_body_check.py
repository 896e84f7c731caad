"""A skeleton no body can have is refused, with a reason, and never measured as a fault."""

import numpy as np

from posture_rules.types import Phase
from tests.posture_rules.stick import lunge_pose
from tests.posture_rules.test_checker import FPS, run, seq
from vision.landmarks import LEG
from vision.pose import Pose


def _moved(pose: Pose, **points) -> Pose:
    """``pose`` with landmarks moved: name=(dx, dy)."""
    xy = pose.xy.copy()
    for name, (dx, dy) in points.items():
        side, part = name.split("_")
        xy[LEG[side][part]] += (dx, dy)
    return Pose(xy, pose.visibility, pose.presence, pose.image_size, pose.timestamp_s)


def _collapsed(pose: Pose) -> Pose:
    """Both legs on one line: the rear (right) knee and ankle put on the front (left) leg's."""
    xy = pose.xy.copy()
    for part in ("knee", "ankle", "heel", "toe"):
        xy[LEG["right"][part]] = xy[LEG["left"][part]] + (2.0, 1.0)
    return Pose(xy, pose.visibility, pose.presence, pose.image_size, pose.timestamp_s)


def test_a_steady_lunge_is_never_refused():
    results, _, _ = run(seq(4.0))
    assert all(
        "cannot be a body" not in r.measurements.front_knee_angle_deg.reason for r in results
    )
    assert results[-1].phase == Phase.STRETCH


def test_a_shin_twice_its_length_is_refused_and_raises_nothing():
    good = seq(3.0)
    # For 0.8 s the front ankle snaps far down (the shin reads about twice its length).
    snapped = [_moved(p, left_ankle=(0.0, 190.0)) for p in seq(0.8, start_s=3.0)]
    results, episodes, _ = run(good + snapped + seq(1.0, start_s=3.8))
    during = results[len(good) + 3 : len(good) + len(snapped)]
    assert all(r.measurements.front_knee_angle_deg.value is None for r in during)
    assert "front shin" in during[0].measurements.front_knee_angle_deg.reason
    assert all(r.phase == Phase.STRETCH for r in during)  # the stretch goes on
    assert episodes == []


def test_both_legs_on_one_line_mid_lunge_is_refused():
    good = seq(3.0)
    merged = [_collapsed(p) for p in seq(0.6, start_s=3.0)]
    results, episodes, _ = run(good + merged + seq(1.0, start_s=3.6))
    during = results[len(good) + 2 : len(good) + len(merged)]
    assert all(
        "both legs on one line" in r.measurements.rear_hip_extension_deg.reason for r in during
    )
    assert all(r.phase == Phase.STRETCH for r in during)
    assert episodes == []


def test_a_change_that_lasts_is_taken_as_the_body_after_a_while():
    """Refusals that go on (the person turned; the camera moved) end: the new lengths stand."""
    good = seq(3.0)
    longer = [_moved(p, left_ankle=(0.0, 190.0)) for p in seq(3.0, start_s=3.0)]
    results, _, _ = run(good + longer)
    refused = [
        "cannot be a body" in r.measurements.front_knee_angle_deg.reason
        for r in results[len(good) :]
    ]
    assert refused[2] and not refused[-1]
    first_accepted = refused.index(False, 2)
    assert 1.3 <= first_accepted / FPS <= 1.7


def test_legs_together_before_any_lunge_are_a_body():
    """Standing or kneeling with the legs side by side, seen from the side: nothing refused."""
    poses = [_collapsed(lunge_pose(t=i / FPS)) for i in range(int(2 * FPS))]
    results, _, _ = run(poses)
    assert not any(
        "cannot be a body" in r.measurements.rear_hip_extension_deg.reason for r in results
    )
    assert np.isfinite([r.time_s for r in results]).all()


def test_a_body_turning_side_on_is_not_refused():
    """Both shins grow back from foreshortened to full length together (the person turns from
    facing the camera to side-on, or the video cuts): no snapped joint, nothing refused."""
    short = [_moved(p, left_ankle=(0.0, -120.0), right_ankle=(90.0, 0.0)) for p in seq(3.0)]
    results, _, _ = run(short + seq(2.0, start_s=3.0))
    assert not any(
        "cannot be a body" in r.measurements.front_knee_angle_deg.reason for r in results
    )
