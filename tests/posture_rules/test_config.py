import subprocess
import sys

import pytest

from posture_rules.config import ConfigError, load_config


def write(tmp_path, text):
    p = tmp_path / "rules.toml"
    p.write_text(text)
    return p


def test_defaults_load_with_every_rule():
    cfg = load_config()
    assert {r.code for r in cfg.rules} == {
        "trunk_lean_forward", "trunk_lean_back", "front_knee_past_toes",
        "front_knee_angle", "no_glute_engagement", "anterior_pelvic_tilt",
    }
    assert all(r.cue_for(0.0) for r in cfg.rules)


def test_partial_override_keeps_other_defaults(tmp_path):
    cfg = load_config(write(tmp_path, "[rules.trunk_lean_forward]\nabove = 20.0\n[flags]\nraise_after_s = 1.0\n"))
    assert cfg.rule("trunk_lean_forward").above == 20.0
    assert cfg.rule("trunk_lean_forward").cue  # kept from the defaults
    assert cfg.flags.raise_after_s == 1.0
    assert cfg.flags.clear_after_s == load_config().flags.clear_after_s


def test_two_sided_rule_has_two_cues():
    rule = load_config().rule("front_knee_angle")
    assert "further forward" in rule.cue_for(50.0)
    assert "closer" in rule.cue_for(140.0)


@pytest.mark.parametrize(
    "text, named",
    [
        ("[flags]\nraise_after = 1.0\n", "[flags] raise_after"),
        ("[flags]\nraise_after_s = 'soon'\n", "[flags] raise_after_s"),
        ("[flags]\nraise_after_s = -1.0\n", "[flags] raise_after_s"),
        ("[landmarks]\nmin_confidence = 2.0\n", "min_confidence"),
        ("[rules.trunk_lean_forward]\nmetric = 'trunk_angle'\n", "[rules.trunk_lean_forward] metric"),
        ("[rules.trunk_lean_forward]\nabove = nan\n", "[rules.trunk_lean_forward] above"),
        ("[rules.trunk_lean_forward]\nabov = 3\n", "[rules.trunk_lean_forward] abov"),
        ("[rules.new_rule]\nmetric = 'trunk_lean_deg'\nabove = 3.0\n", "needs a 'cue'"),
        ("[rules.knee]\nmetric = 'front_knee_angle_deg'\nabove = 3.0\nbelow = 5.0\ncue='x'\n", "must be less"),
        ("[extra]\nx = 1\n", "[extra]"),
        ("this is = = not toml", "not valid TOML"),
    ],
)
def test_bad_file_names_the_bad_key(tmp_path, text, named):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    assert named in str(err.value)


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_core_imports_no_pixel_or_ui_library():
    code = (
        "import sys, posture_rules.checker, posture_rules.config, posture_rules.measurements;"
        "bad = [m for m in ('cv2', 'mediapipe', 'onnxruntime', 'streamlit', 'av') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
