"""The bad-input corpus through the real CLI: exit 0 (ran) or 2 (refused), one line, no trace.

Person-free footage is enough here: these cases are about the container and the decoder.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability import corpus


def analyze(path: Path, out: Path) -> tuple[subprocess.CompletedProcess, dict | None]:
    proc = subprocess.run(
        [sys.executable, "-m", "stretchcheck.cli", "analyze", str(path), "--out", str(out),
         "--quiet", "--model", "lite", "--no-store"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    summary = json.loads((out / "summary.json").read_text()) if (out / "summary.json").exists() else None
    return proc, summary


def one_error_line(proc: subprocess.CompletedProcess, path: Path) -> str:
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("stretchcheck:")]
    assert len(lines) == 1, proc.stderr
    assert str(path) in lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def good_mp4(tmp_path_factory) -> Path:
    return corpus.write_mp4(tmp_path_factory.mktemp("src") / "clip.mp4", 90)


@pytest.mark.parametrize("keep", [0.10, 0.50, 0.99])
def test_truncated_mp4_analyses_the_frames_before_the_damage(tmp_path, good_mp4, keep):
    bad = corpus.truncated(tmp_path / f"cut_{int(keep * 100)}.mp4", good_mp4, keep)
    proc, summary = analyze(bad, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    frames = summary["clip"]["frames"]
    assert 0 < frames <= 90
    if keep < 0.9:
        assert frames < 90
    assert frames == len((tmp_path / "out" / "frames.csv").read_text().splitlines()) - 1


def test_truncated_mp4_without_an_index_is_refused(tmp_path):
    # moov at the end (no faststart): cutting the file loses the index; nothing is decodable.
    src = corpus.write_mp4(tmp_path / "src.mp4", 60, faststart=False)
    bad = corpus.truncated(tmp_path / "cut.mp4", src, 0.5)
    proc, _ = analyze(bad, tmp_path / "out")
    assert proc.returncode == 2
    assert "cannot open video" in one_error_line(proc, bad)


def test_corrupted_middle_keeps_going_or_says_where_it_stopped(tmp_path, good_mp4):
    bad = corpus.corrupted_middle(tmp_path / "corrupt.mp4", good_mp4)
    proc, summary = analyze(bad, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert summary["clip"]["frames"] >= 30  # everything before the damage at least
    if summary["clip"]["frames"] < 90:
        assert summary["reading_stopped"] or summary["clip"]["frames"] > 0


def test_audio_only_is_refused(tmp_path):
    bad = corpus.audio_only(tmp_path / "voice.mp4")
    proc, _ = analyze(bad, tmp_path / "out")
    assert proc.returncode == 2
    assert "no video stream" in one_error_line(proc, bad)


def test_one_frame_video(tmp_path):
    proc, summary = analyze(corpus.write_mp4(tmp_path / "one.mp4", 1), tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert summary["clip"]["frames"] == 1


def test_4k_video_is_scaled_down_for_analysis(tmp_path):
    proc, summary = analyze(corpus.write_mp4(tmp_path / "uhd.mp4", 5, size=(3840, 2160)), tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert (summary["clip"]["width"], summary["clip"]["height"]) == (1280, 720)


def test_portrait_rotation_metadata_is_applied(tmp_path):
    src = corpus.write_mp4(tmp_path / "portrait.mp4", 10, size=(320, 180), rotation=90)
    proc, summary = analyze(src, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert (summary["clip"]["width"], summary["clip"]["height"], summary["clip"]["rotation_deg"]) == (180, 320, 90)


def test_variable_frame_rate_keeps_container_timestamps(tmp_path):
    times = [0.0, 0.02, 0.09, 0.1, 0.25, 0.26, 0.5, 0.53, 0.9, 1.0]
    proc, _ = analyze(corpus.write_mp4(tmp_path / "vfr.mp4", len(times), times=times), tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    rows = (tmp_path / "out" / "frames.csv").read_text().splitlines()[1:]
    got = [float(r.split(",")[1]) for r in rows]
    assert got == pytest.approx(times, abs=0.002)


@pytest.mark.parametrize("name", ["still.png", "still_named.mp4"])
def test_still_image_is_analysed_as_one_frame(tmp_path, name):
    proc, summary = analyze(corpus.png(tmp_path / name), tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert summary["clip"]["frames"] == 1
