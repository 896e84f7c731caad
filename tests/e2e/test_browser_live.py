"""The app in a real browser: Chromium with a fake webcam playing a clip with a known fault.

Press START, frames reach the checker, the fault's cue appears on the page within a few
seconds, STOP, and the session is in the store with that flag. Screenshots of every page go
to tests/e2e/screenshots/ (git-ignored) for a person to look at.

Needs Debian's chromium, Playwright's Python package, and root for a private network
namespace (``unshare -n``); CI has all three. Elsewhere the test skips with the reason,
except under CI=true, where a missing piece is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stretchcheck.store import SessionStore
from tests.e2e.y4m import clip_to_y4m

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHOTS = HERE / "screenshots"
CHROMIUM = os.environ.get("STRETCHCHECK_CHROMIUM", "/usr/bin/chromium")
# The fault clip the fake webcam plays, the flag it must raise, and the cue the page shows.
# A fault well past its limit: the browser's video round trip (VP8 re-encoding, dropped
# frames) moves lite's angles by a degree or two, and no_glute.mp4's rear hip reads 3.4 deg
# against a 5-deg limit, which made the cue come in some runs and not others (2 of 7).
# trunk_forward.mp4 leans 26 deg against a 15-deg limit.
FAULT_CLIP = REPO / "sample_videos" / "trunk_forward.mp4"
FAULT_FLAG = "trunk_lean_forward"
FAULT_CUE = "Lift your chest"


def missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser test cannot run in CI: {reason}")
    pytest.skip(reason)


def can_unshare() -> bool:
    try:
        return subprocess.run(["unshare", "-n", "true"], check=False, capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="module")
def fake_webcam(tmp_path_factory) -> Path:
    if not FAULT_CLIP.is_file():
        missing(f"fault clip {FAULT_CLIP.relative_to(REPO)} not found")
    y4m = tmp_path_factory.mktemp("webcam") / "webcam.y4m"
    clip_to_y4m(FAULT_CLIP, y4m)
    return y4m


def test_live_cue_in_chromium_and_the_flag_in_the_store(tmp_path, fake_webcam, isolated_home):
    if not Path(CHROMIUM).is_file():
        missing(f"{CHROMIUM} not found (apt-get install chromium)")
    if shutil.which("unshare") is None or not can_unshare():
        missing("cannot create a network namespace (needs root and util-linux's unshare)")
    pytest.importorskip("playwright")
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    cfg = {"screenshots": str(SHOTS), "home": str(isolated_home), "y4m": str(fake_webcam),
           "expect_cue": FAULT_CUE, "cue_timeout_s": 15, "upload": str(FAULT_CLIP)}
    cfg_path = tmp_path / "drive.json"
    cfg_path.write_text(json.dumps(cfg))
    proc = subprocess.run(["unshare", "-n", sys.executable, str(HERE / "drive_live.py"), str(cfg_path)],
                          check=False, capture_output=True, text=True, timeout=170, cwd=REPO)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    server_log = (SHOTS / "server.log").read_text() if (SHOTS / "server.log").is_file() else ""
    assert lines, f"driver printed no result\nstderr:\n{proc.stderr[-3000:]}\nserver:\n{server_log[-3000:]}"
    result = json.loads(lines[-1])
    assert result["ok"], f"{result}\nserver log:\n{server_log[-3000:]}"
    assert result["frames_after_s"] < 10
    assert result["cue_after_s"] < 15  # the fault begins in the clip's first seconds
    assert result["external_requests"] == []  # no CDN fonts, no STUN, no telemetry

    live = [s for s in SessionStore(isolated_home).list_sessions() if s["source"] == "live"]
    assert live, "the live session was not stored"
    assert live[0]["status"] == "complete"
    assert FAULT_FLAG in {f["code"] for f in live[0]["flags"]}
    uploads = [s for s in SessionStore(isolated_home).list_sessions() if s["source"] == "upload"]
    assert uploads and FAULT_FLAG in {f["code"] for f in uploads[0]["flags"]}
    for name in ("1_live_before_start", "2_live_running_cue", "3_live_stopped_saved", "4_review", "5_analyse"):
        assert (SHOTS / f"{name}.png").stat().st_size > 10_000
