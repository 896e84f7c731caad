"""What the summary warns about the footage."""


def test_much_of_the_stretch_on_hidden_joints_is_said_in_the_summary():
    from stretchcheck.pipeline import hidden_joint_warnings

    assert hidden_joint_warnings(100, 20) == []
    (line,) = hidden_joint_warnings(100, 85)
    assert "85%" in line and "hidden" in line and "leg_confidence" in line
    assert hidden_joint_warnings(0, 0) == []
