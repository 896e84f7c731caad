"""The live panel's rows: each metric against its allowed range, and the cue to act on."""

from dataclasses import replace

import pytest

from posture_rules.config import load_config
from posture_rules.types import FrameMeasurements, FrameResult, Measurement, Phase
from stretchcheck.live_view import active_cue, allowed_range, allowed_text, metric_rows

CONFIG = load_config()


def frame(flags=(), cues=(), phase=Phase.STRETCH, **values) -> FrameResult:
    m = FrameMeasurements(person=True, facing="right", front_side="left",
                          **{k: Measurement(v, confidence=0.9) for k, v in values.items()})
    return FrameResult(frame=0, time_s=0.0, measurements=m, phase=phase, hold_s=3.0,
                       good_form_s=2.0, flags=tuple(flags), cues=tuple(cues))


@pytest.mark.parametrize(
    ("metric", "low", "high", "text"),
    [
        ("trunk_lean_deg", -10.0, 15.0, "-10° to +15°"),
        ("front_knee_angle_deg", 70.0, 115.0, "70° to 115°"),
        ("rear_hip_extension_deg", 5.0, None, "at least +5°"),
        ("pelvic_tilt_change_deg", None, 5.0, "at most 5° forward"),
        ("pelvic_tilt_deg", None, None, "no limit"),
    ],
)
def test_allowed_ranges_come_from_the_rules_file(metric, low, high, text):
    assert allowed_range(CONFIG, metric) == (low, high)
    assert allowed_text(CONFIG, metric) == text


def test_rows_mark_flagged_outside_ok_and_unknown():
    result = frame(flags=("trunk_lean_forward",), cues=("Lift your chest",),
                   trunk_lean_deg=22.0, front_knee_angle_deg=130.0, rear_hip_extension_deg=12.0)
    rows = {r.metric: r for r in metric_rows(result, CONFIG)}
    assert (rows["trunk_lean_deg"].state, rows["trunk_lean_deg"].value_text) == ("fault", "+22°")
    assert rows["front_knee_angle_deg"].state == "outside"  # past the limit, not raised yet
    assert rows["rear_hip_extension_deg"].state == "ok"
    assert rows["pelvic_tilt_deg"].state == "unknown"
    assert rows["pelvic_tilt_deg"].value_text == "no person in view"  # the reason is shown


def test_before_any_frame_everything_waits():
    assert {r.state for r in metric_rows(None, CONFIG)} == {"unknown"}
    assert active_cue(None)[0] == "info"


def test_cue_levels():
    assert active_cue(frame(flags=("x",), cues=("Lift your chest",))) == ("error", "Lift your chest")
    assert active_cue(frame())[0] == "success"
    assert active_cue(replace(frame(), phase=Phase.SETTING_UP)) == ("info", "Step one foot forward into the lunge.")


def test_inference_note_says_glute_is_inferred_and_tilt_unmeasured():
    from stretchcheck.live_view import inference_note

    assert "inferred" in inference_note(None) and "not measured" in inference_note(None)


def test_tilt_change_reads_as_tucked_or_forward_and_names_its_method():
    from stretchcheck.live_view import format_value, inference_note

    assert format_value("pelvic_tilt_change_deg", -8.2) == "8° tucked"
    assert format_value("pelvic_tilt_change_deg", 12.0) == "12° forward"
    m = FrameMeasurements(person=True, facing="right", front_side="left",
                          pelvic_tilt_change_deg=Measurement(-8.0, confidence=0.8, method="stickers, change from neutral"))
    note = inference_note(FrameResult(0, 0.0, m, Phase.STRETCH, 1.0, 1.0))
    assert "stickers, change from neutral" in note and "80%" in note and "inferred" in note


def test_a_value_through_a_hidden_joint_says_so_and_how_sure():
    m = FrameMeasurements(person=True, facing="right", front_side="left",
                          front_knee_angle_deg=Measurement(88.0, confidence=0.26, inferred=("left knee",)))
    result = FrameResult(frame=0, time_s=0.0, measurements=m, phase=Phase.STRETCH, hold_s=1.0, good_form_s=1.0)
    row = {r.metric: r for r in metric_rows(result, CONFIG)}["front_knee_angle_deg"]
    assert row.value_text == "88° (left knee hidden: 26% sure)"
    assert row.state == "ok"
