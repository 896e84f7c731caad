"""Clip files: the truth CSV contract, determinism, and scenario values far from the limits."""

from __future__ import annotations

import csv
import json

import pytest

from stretchcheck.outputs import FRAME_COLUMNS as CHECKER_COLUMNS
from tools.synth.clip import FRAME_COLUMNS, generate_clip
from tools.synth.kinematics import forward_kinematics
from tools.synth.lunge import lunge_pose
from tools.synth.scenarios import BY_NAME, SCENARIOS
from tools.synth.truth import fault_flags, load_rules, measure
from tools.synth.variation import sample_setup

BRIEF_COLUMNS = ["frame", "time_s", "person", "facing", "phase", "trunk_lean_deg", "front_knee_angle_deg", "knee_past_toes_ratio", "rear_hip_extension_deg", "pelvic_tilt_deg", "flags"]
SMALL = {"size": (160, 120), "max_frames": 8}


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_truth_csv_has_the_checker_columns_first(tmp_path):
    generate_clip(BY_NAME["good_left_side_facing_right"], 1, tmp_path, "c", **SMALL)
    with open(tmp_path / "c.truth.csv", newline="") as fh:
        header = next(csv.reader(fh))
    assert header[:11] == BRIEF_COLUMNS == FRAME_COLUMNS
    assert header[:11] == list(CHECKER_COLUMNS[:11])
    rows = _rows(tmp_path / "c.truth.csv")
    assert len(rows) == 8
    assert {r["phase"] for r in rows} <= {"no_person", "setting_up", "stretch", "out_of_stretch"}
    assert all(r["person"] == "1" and r["facing"] == "right" for r in rows)
    meta = json.loads((tmp_path / "c.meta.json").read_text())
    assert meta["seed"] == 1 and meta["scenario"]["name"] == "good_left_side_facing_right"
    assert (tmp_path / "c.mp4").stat().st_size > 0 and (tmp_path / "c.joints.csv").exists()


def test_same_seed_same_clip_other_seed_other_clip(tmp_path):
    sc = BY_NAME["passerby"]
    a = generate_clip(sc, 7, tmp_path / "a", "x", **SMALL)
    b = generate_clip(sc, 7, tmp_path / "b", "x", **SMALL)
    c = generate_clip(sc, 8, tmp_path / "c", "x", write_video=False, **SMALL)
    assert (tmp_path / "a/x.mp4").read_bytes() == (tmp_path / "b/x.mp4").read_bytes()
    for suffix in (".truth.csv", ".joints.csv", ".meta.json"):
        assert (tmp_path / f"a/x{suffix}").read_text() == (tmp_path / f"b/x{suffix}").read_text()
    assert a["frames"] == b["frames"]
    assert (tmp_path / "a/x.meta.json").read_text() != (tmp_path / "c/x.meta.json").read_text()
    assert c["frames_rgb"] and c["frames_rgb"][0].shape == (120, 160, 3)


# How far a held value must stay from every rule limit: never a coin flip.
MIN_MARGIN = {"knee_past_toes_ratio": 0.1}
MIN_MARGIN_DEG = 5.0


@pytest.mark.parametrize("sc", SCENARIOS, ids=lambda s: s.name)
def test_held_poses_show_exactly_the_expected_faults_with_margin(sc):
    rules = load_rules()
    for seed in range(6):
        setup = sample_setup(sc, seed)
        seen = set()
        for params in [setup.hold] + ([setup.fault] if setup.fault else []):
            t = measure(forward_kinematics(setup.build, lunge_pose(setup.build, params)), setup.neutral_tilt_deg)
            flags, _ = fault_flags(t, rules)
            seen.update(flags)
            if setup.fault is not None and params is setup.hold:
                assert flags == [], "a come-and-go fault must be absent before it comes"
            for code, (metric, lo, hi) in rules.items():
                v = getattr(t, metric)
                for limit in (lo, hi):
                    if limit is not None:
                        assert abs(v - limit) >= MIN_MARGIN.get(metric, MIN_MARGIN_DEG), (code, v, limit)
        assert seen == set(sc.expected_flags)


def test_walk_out_ends_with_nobody(tmp_path):
    generate_clip(BY_NAME["walk_out"], 3, tmp_path, "w", render=False)
    rows = _rows(tmp_path / "w.truth.csv")
    assert rows[-1]["person"] == "0" and rows[-1]["phase"] == "no_person"
    assert rows[-1]["trunk_lean_deg"] == "" and rows[-1]["flags"] == ""
    phases = [r["phase"] for r in rows]
    assert phases.index("setting_up") < phases.index("stretch") < phases.index("out_of_stretch") < phases.index("no_person")
