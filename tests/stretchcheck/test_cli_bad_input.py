"""The CLI refuses bad input with one line naming the file and the cause, never a traceback."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from vision.video import VideoWriter


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "stretchcheck.cli", *args], capture_output=True, text=True, timeout=300
    )


def error_lines(proc: subprocess.CompletedProcess) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith("stretchcheck:")]


@pytest.fixture()
def blank_video(tmp_path: Path) -> Path:
    path = tmp_path / "empty_room.mp4"
    with VideoWriter(path, (320, 240), 30) as w:
        for i in range(20):
            w.write(np.full((240, 320, 3), 90, np.uint8), i / 30)
    return path


def _file(name: str, data: bytes):
    def make(d: Path) -> Path:
        (d / name).write_bytes(data)
        return d / name

    return make


@pytest.mark.parametrize(
    "make, cause",
    [
        (lambda d: d / "missing.mp4", "no such file"),
        (lambda d: d, "directory"),
        (_file("zero.mp4", b""), "empty"),
        (_file("notes.mp4", b"not a video\n"), "not a readable video"),
    ],
)
def test_refused_inputs_exit_2_with_one_line(tmp_path, make, cause):
    target = make(tmp_path)
    proc = run_cli("analyze", str(target), "--out", str(tmp_path / "out"), "--quiet")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = error_lines(proc)
    assert len(lines) == 1 and str(target) in lines[0] and cause in lines[0], proc.stderr


def test_bad_rules_file_is_named(tmp_path, blank_video):
    rules = tmp_path / "rules.toml"
    rules.write_text("[rules.trunk_lean_forward]\nabove = 'high'\n")
    proc = run_cli("analyze", str(blank_video), "--out", str(tmp_path / "out"), "--config", str(rules))
    assert proc.returncode == 2
    assert "[rules.trunk_lean_forward] above" in error_lines(proc)[0]


def test_video_without_a_person_is_a_normal_run(tmp_path, blank_video):
    out = tmp_path / "out"
    proc = run_cli("analyze", str(blank_video), "--out", str(out), "--quiet", "--model", "lite")
    assert proc.returncode == 0, proc.stderr
    assert "No person was found" in proc.stdout
    import json

    summary = json.loads((out / "summary.json").read_text())
    assert summary["person_found"] is False
    assert summary["clip"]["frames"] == 20
    rows = (out / "frames.csv").read_text().splitlines()
    assert len(rows) == 21  # header + one row per decoded frame
    assert rows[1].split(",")[4] == "no_person"
