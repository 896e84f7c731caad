"""Golden results: each bundled sample clip, analysed end to end, gives its expected flags
and angles within the accuracy targets of its truth CSV.

The clips are rendered by tools/synth with known joint positions (sample_videos/README.md);
the expected flags are the faults the scenario was built with, not what the checker printed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stretchcheck.evaluate import MetricErrors, read_rows, score_clip
from stretchcheck.pipeline import AnalyzeOptions, analyze_video

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"
CLIPS = sorted(p.with_suffix("").with_suffix("") for p in SAMPLES.glob("*.meta.json"))

# Mean absolute error targets (issue #3) for side views of the held stretch.
TARGET_MAE = {"trunk_lean_deg": 4.0, "front_knee_angle_deg": 6.0, "rear_hip_extension_deg": 7.0}


def test_there_are_golden_clips():
    assert len(CLIPS) >= 4, f"expected sample clips with .meta.json in {SAMPLES}"


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    cache: dict[Path, tuple[dict, Path]] = {}

    def run(stem: Path) -> tuple[dict, Path]:
        if stem not in cache:
            out = tmp_path_factory.mktemp(stem.name)
            summary = analyze_video(stem.with_suffix(".mp4"), out, AnalyzeOptions(write_video=False))  # default model: heavy
            cache[stem] = (summary, out)
        return cache[stem]

    return run


def _needs_tilt(stem: Path) -> bool:
    return "anterior_pelvic_tilt" in json.loads(stem.with_suffix(".meta.json").read_text())["expected_flags"]


FLAG_CASES = [
    pytest.param(
        c,
        id=c.name,
        marks=[pytest.mark.xfail(strict=True, reason="no pelvic-tilt method yet: keypoints cannot see tilt (issue #7)")]
        if _needs_tilt(c)
        else [],
    )
    for c in CLIPS
]


@pytest.mark.parametrize("stem", FLAG_CASES)
def test_expected_flags_and_no_others(stem, analysed):
    meta = json.loads(stem.with_suffix(".meta.json").read_text())
    summary, _ = analysed(stem)
    raised = {f["code"] for f in summary["flags"]}
    assert raised == set(meta["expected_flags"]), summary["flags"]
    assert summary["stretched_side"] == meta["stretched_side"]
    assert summary["hold_s"] > 1.0


def test_angles_within_targets_over_the_golden_set(analysed):
    """The issue's targets are mean errors over footage, so they are checked over the set."""
    totals = {m: MetricErrors() for m in TARGET_MAE}
    for stem in CLIPS:
        _, out = analysed(stem)
        score = score_clip(read_rows(out / "frames.csv"), read_rows(stem.with_suffix(".truth.csv")))
        for metric in TARGET_MAE:
            totals[metric].add(score.metrics[metric])
    for metric, target in TARGET_MAE.items():
        stats = totals[metric].stats()
        assert stats["known_share"] >= 0.9, (metric, stats)
        assert stats["mae"] <= target, (metric, stats)


@pytest.mark.parametrize("stem", CLIPS, ids=[c.name for c in CLIPS])
def test_no_clip_is_far_off(stem, analysed):
    """One clip may miss the mean target (build, clothes and light move the pose model's joints
    by a few degrees), but none may be off by more than twice it: that is a failure, not noise."""
    _, out = analysed(stem)
    score = score_clip(read_rows(out / "frames.csv"), read_rows(stem.with_suffix(".truth.csv")))
    for metric, target in TARGET_MAE.items():
        stats = score.metrics[metric].stats()
        assert stats["mae"] <= 2 * target, (metric, stats)
