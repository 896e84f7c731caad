"""Random and degenerate landmarks through the whole rules engine: it never raises and never
puts NaN or infinity in its outputs."""

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from posture_rules.checker import FormChecker
from vision.pose import Pose

coords = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from([0.0, -1.0, 1e9, -1e9, 640.0, 480.0]),
)
probs = st.floats(min_value=0.0, max_value=1.0)


@st.composite
def poses(draw, t):
    if draw(st.booleans()) and draw(st.booleans()):
        return Pose.empty((640, 480), t)
    kind = draw(st.sampled_from(["random", "zeros", "one_point", "outside"]))
    if kind == "random":
        xy = draw(arrays(np.float64, (33, 2), elements=coords))
    elif kind == "zeros":
        xy = np.zeros((33, 2))
    elif kind == "one_point":
        xy = np.full((33, 2), draw(st.floats(-1e6, 1e6)))
    else:
        xy = np.random.default_rng(draw(st.integers(0, 100))).uniform(-5000, 5000, (33, 2))
    vis = draw(arrays(np.float64, 33, elements=probs))
    pres = draw(arrays(np.float64, 33, elements=probs))
    return Pose(xy=xy, visibility=vis, presence=pres, image_size=(640, 480), timestamp_s=t)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_rules_never_raise_and_never_emit_nan(data):
    checker = FormChecker()
    n = data.draw(st.integers(1, 25))
    for i in range(n):
        result = checker.update(data.draw(poses(i / 30)), i)
        m = result.measurements
        for name in ("trunk_lean_deg", "front_knee_angle_deg", "knee_past_toes_ratio",
                     "rear_hip_extension_deg", "pelvic_tilt_deg"):
            meas = m.metric(name)
            assert meas.value is None or math.isfinite(meas.value), (name, meas)
            assert meas.value is not None or meas.reason
        assert math.isfinite(result.hold_s) and math.isfinite(result.good_form_s)
    for episode in checker.finish():
        assert math.isfinite(episode.peak_value)
        assert math.isfinite(episode.start_s) and math.isfinite(episode.end_s)
