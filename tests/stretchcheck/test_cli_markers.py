"""`stretchcheck analyze --markers`: the stickers fill pelvic_tilt_deg in frames.csv."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "stretchcheck.cli", *args], capture_output=True, text=True, check=False,
                          timeout=300)


def test_markers_fill_pelvic_tilt_and_the_summary_names_the_method(tmp_path):
    out = tmp_path / "run"
    proc = _cli("analyze", str(SAMPLES / "markers_tucked.mp4"), "--out", str(out), "--markers", "--no-video",
                "--no-store", "--quiet", "--model", "lite")
    assert proc.returncode == 0, proc.stderr
    assert "Pelvic tilt measured by the stickers" in proc.stdout
    with (out / "frames.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    with (SAMPLES / "markers_tucked.truth.csv").open(newline="") as fh:
        truth = {int(r["frame"]): r for r in csv.DictReader(fh)}
    held = [r for r in rows if truth[int(r["frame"])]["phase"] == "stretch"]
    filled = [r for r in held if r["pelvic_tilt_deg"]]
    assert len(filled) >= 0.9 * len(held)
    assert {r["pelvic_tilt_method"] for r in filled} == {"stickers, change from neutral"}
    assert all(0.0 < float(r["pelvic_tilt_confidence"]) <= 1.0 for r in filled)
    summary = json.loads((out / "summary.json").read_text())
    tilt = summary["pelvic_tilt"]
    assert tilt["measured_frames"].get("stickers", 0) >= 0.9 * tilt["stretch_frames"]
    assert tilt["neutral"]["stickers_deg"] is not None
    assert "not a measurement of muscle activity" in summary["inferences"]["no_glute_engagement"]


def test_bad_marker_colour_is_refused_in_one_line(tmp_path):
    proc = _cli("analyze", str(SAMPLES / "markers_tucked.mp4"), "--out", str(tmp_path / "x"), "--marker-color",
                "chartreuse", "--no-store")
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("stretchcheck: error: marker colour 'chartreuse'")
