"""Golden results: each bundled sample clip, analysed end to end, gives its expected flags
and angles within the accuracy targets of its truth CSV.

Clips whose meta.json says the person wears pelvic stickers are analysed with ``--markers``
(as a person who wears them would); every clip is analysed with the body outline on (the
default for files).

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
            markers = "green" if _meta(stem).get("stickers") else None
            summary = analyze_video(stem.with_suffix(".mp4"), out,  # default model: heavy, outline on
                                    AnalyzeOptions(write_video=False, markers=markers))
            cache[stem] = (summary, out)
        return cache[stem]

    return run


def _meta(stem: Path) -> dict:
    return json.loads(stem.with_suffix(".meta.json").read_text())


@pytest.mark.parametrize("stem", CLIPS, ids=[c.name for c in CLIPS])
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


STICKER_CLIPS = [c for c in CLIPS if _meta(c).get("stickers")]
# Pelvic tilt targets (issue #7) over the side-view golden clips: stickers measure the tilt
# itself; the outline only its change from the person's neutral.
TILT_TARGET_MAE = {"stickers": 2.0, "outline": 3.0}


def test_there_are_sticker_clips():
    assert len(STICKER_CLIPS) >= 2, "expected sample clips with pelvic stickers (tools.synth samples)"


@pytest.mark.parametrize("stem", STICKER_CLIPS, ids=[c.name for c in STICKER_CLIPS])
def test_markers_fill_pelvic_tilt_in_frames_csv(stem, analysed):
    """With --markers and the stickers in view, frames.csv's pelvic_tilt_deg is filled during
    the stretch, by the stickers, within the sticker target of the truth."""
    summary, out = analysed(stem)
    rows = read_rows(out / "frames.csv")
    truth = {int(r["frame"]): r for r in read_rows(stem.with_suffix(".truth.csv"))}
    held = [r for r in rows if truth[int(r["frame"])]["phase"] == "stretch"]
    filled = [r for r in held if r["pelvic_tilt_deg"]]
    assert len(filled) >= 0.9 * len(held), summary["pelvic_tilt"]
    assert all(r["pelvic_tilt_method"].startswith("stickers") for r in filled)
    errors = [abs(float(r["pelvic_tilt_deg"]) - float(truth[int(r["frame"])]["pelvic_tilt_deg"])) for r in filled]
    assert sum(errors) / len(errors) <= TILT_TARGET_MAE["stickers"]
    assert summary["pelvic_tilt"]["neutral"].get("stickers_deg") is not None  # calibrated before the lunge


def test_outline_tilt_change_within_target_on_the_anterior_tilt_clip(analysed):
    """The default file analysis (no stickers) measures the tilt change from the body outline."""
    stem = SAMPLES / "anterior_tilt"
    _, out = analysed(stem)
    score = score_clip(read_rows(out / "frames.csv"), read_rows(stem.with_suffix(".truth.csv")))
    stats = score.metrics["pelvic_tilt_change_deg"].stats()
    assert stats["known_share"] >= 0.9, stats
    assert stats["mae"] <= TILT_TARGET_MAE["outline"], stats
