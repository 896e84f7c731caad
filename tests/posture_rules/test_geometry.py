import numpy as np
import pytest

from posture_rules.geometry import (
    forward_from_down_deg,
    interior_angle_deg,
    lean_from_vertical_deg,
    wrap_deg,
)


@pytest.mark.parametrize(
    "a, b, c, expected",
    [
        ((0, 0), (1, 0), (2, 0), 180.0),  # straight line
        ((1, 0), (0, 0), (0, 1), 90.0),  # right angle
        ((1, 0), (0, 0), (1, 1), 45.0),
        ((1, 0), (0, 0), (-1, 1), 135.0),
        ((1, 0), (0, 0), (1, 1e-9), 0.0),  # folded back on itself
    ],
)
def test_interior_angle_by_hand(a, b, c, expected):
    assert interior_angle_deg(a, b, c) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    "v, forward, expected",
    [
        ((0, -1), 1, 0.0),  # straight up (image y is down)
        ((1, -1), 1, 45.0),  # up and toward the facing direction
        ((1, -1), -1, -45.0),  # same vector, person faces the other way: leaning back
        ((-1, -1), -1, 45.0),
        ((1, 0), 1, 90.0),  # horizontal
    ],
)
def test_lean_from_vertical_by_hand(v, forward, expected):
    assert lean_from_vertical_deg(v, forward) == pytest.approx(expected)


@pytest.mark.parametrize(
    "v, forward, expected",
    [((0, 1), 1, 0.0), ((1, 1), 1, 45.0), ((-1, 1), 1, -45.0), ((1, 1), -1, -45.0)],
)
def test_forward_from_down_by_hand(v, forward, expected):
    assert forward_from_down_deg(v, forward) == pytest.approx(expected)


def test_angles_vectorised_over_frames():
    a = np.array([[0, 0], [1, 0]])
    b = np.array([[1, 0], [0, 0]])
    c = np.array([[2, 0], [0, 1]])
    np.testing.assert_allclose(interior_angle_deg(a, b, c), [180.0, 90.0])


def test_wrap():
    np.testing.assert_allclose(wrap_deg([190.0, -190.0, 180.0, -180.0, 0.0]), [-170.0, 170.0, 180.0, 180.0, 0.0])


def test_angles_invariant_under_translation_and_scale():
    rng = np.random.default_rng(0)
    for _ in range(50):
        a, b, c = rng.normal(size=(3, 2)) * 100
        shift, k = rng.normal(size=2) * 500, rng.uniform(0.1, 10)
        assert interior_angle_deg(a, b, c) == pytest.approx(
            interior_angle_deg(a * k + shift, b * k + shift, c * k + shift), abs=1e-7
        )
        assert lean_from_vertical_deg(a - b, 1) == pytest.approx(lean_from_vertical_deg((a - b) * k, 1))
