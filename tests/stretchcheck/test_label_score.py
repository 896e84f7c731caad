"""Scoring an analysis against labels made by eye (bench/real.py)."""

import json

import pytest

from stretchcheck.label_score import FrameRow, LabelError, load_manifest, parse_labels, score_clip

FPS = 10.0


def rows(duration_s, phase_at, flags_at):
    return [
        FrameRow(i / FPS, phase_at(i / FPS), tuple(flags_at(i / FPS)))
        for i in range(int(duration_s * FPS))
    ]


def test_found_caught_and_false_are_counted_from_the_ranges():
    labels = parse_labels(
        "c",
        {
            "stretch": [[2, 8]],
            "faults": {"trunk_lean_forward": [[3, 4]], "front_knee_angle": [[6, 7]]},
            "good": [[5, 8]],
        },
    )
    r = score_clip(
        labels,
        rows(
            10,
            lambda t: "stretch" if 2.5 <= t <= 8 else "setting_up",
            lambda t: (
                ["trunk_lean_forward"]
                if 3.5 <= t <= 4.6
                else (["no_glute_engagement"] if t >= 7.5 else [])
            ),
        ),
    )
    assert r.stretch_frames == 61 and r.stretch_found == 56
    caught = {f.label: f.caught for f in r.faults}
    assert caught == {"trunk_lean_forward": True, "front_knee_angle": False}
    # good 5.5-8 (the first 0.5 s is a flag's clearing time): 26 frames, 6 with a flag
    assert (r.good_frames, r.good_flagged) == (26, 6)
    assert r.flags_on_good == {"no_glute_engagement": 6}


def test_a_flag_after_the_range_counts_only_within_the_grace():
    labels = parse_labels("c", {"faults": {"no_glute_engagement": [[1, 2]]}})
    late = score_clip(
        labels, rows(5, lambda t: "stretch", lambda t: ["no_glute_engagement"] if t >= 2.8 else [])
    )
    too_late = score_clip(
        labels, rows(5, lambda t: "stretch", lambda t: ["no_glute_engagement"] if t >= 3.2 else [])
    )
    assert late.faults[0].caught and not too_late.faults[0].caught


def test_an_arched_low_back_is_answered_by_either_flag():
    labels = parse_labels("c", {"faults": {"arched_low_back": [[0, 2]]}})
    r = score_clip(labels, rows(3, lambda t: "stretch", lambda t: ["trunk_lean_back"]))
    assert r.faults[0].caught and r.faults[0].raised == ("trunk_lean_back",)


@pytest.mark.parametrize(
    "labels, word",
    [
        ({"stretch": [[3, 1]]}, "bad range"),
        ({"faults": {"slouching": [[0, 1]]}}, "unknown fault"),
        ({"good": "0-3"}, "list"),
    ],
)
def test_bad_labels_are_named(labels, word):
    with pytest.raises(LabelError, match=word):
        parse_labels("clip-x", labels)


def test_the_committed_manifest_loads_and_says_where_each_video_is_from():
    from pathlib import Path

    clips = load_manifest(Path(__file__).resolve().parents[2] / "bench" / "real" / "manifest.json")
    assert len(clips) >= 12
    assert len({c["clip_id"] for c in clips}) == len(clips)
    for c in clips:
        assert len(c["source"]["commit"]) == 40 and c["source"]["repo"] and c["source"]["path"]
        assert c["source"]["licence"] and len(c["sha256"]) == 64
    json.dumps(clips)  # plain data


def test_tilt_is_reported_on_the_arched_back_and_tucked_pelvis_ranges():
    labels = parse_labels(
        "c",
        {"stretch": [[0, 10]], "faults": {"arched_low_back": [[2, 4]]}, "tucked_pelvis": [[6, 9]]},
    )
    frames = [
        FrameRow(
            i / FPS,
            "stretch",
            ("anterior_pelvic_tilt",) if 2.5 <= i / FPS <= 4.5 else (),
            # Known over the arched range's second half only; a tuck read against a typical neutral.
            (12.0 if i / FPS >= 3 else None) if i / FPS < 5 else -6.0,
            "outline, change from neutral" if i / FPS < 5 else "outline, change from a typical neutral (not calibrated)",
        )
        for i in range(100)
    ]
    r = score_clip(labels, frames)
    arched, tucked = r.pelvis
    assert (arched.label, arched.frames, arched.known, arched.median_change) == ("arched_low_back", 21, 11, 12.0)
    assert arched.tilt_flag and r.faults[0].caught and r.faults[0].raised == ("anterior_pelvic_tilt",)
    assert (tucked.label, tucked.frames, tucked.known, tucked.assumed, tucked.median_change) == (
        "tucked_pelvis", 31, 31, 31, -6.0)
    assert not tucked.tilt_flag
    with pytest.raises(LabelError, match="tucked_pelvis"):
        parse_labels("c", {"tucked_pelvis": [[3, 1]]})
