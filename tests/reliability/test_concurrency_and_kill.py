"""Two browser tabs at once, and a kill -9 during an upload analysis: the store stays whole."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from stretchcheck.live_session import LiveRunner
from stretchcheck.store import SessionStore
from tests.app.stubs import grey_frame, stub_analyzer
from tests.posture_rules.stick import lunge_pose

REPO = Path(__file__).resolve().parents[2]


def leaning(t: float):
    return lunge_pose(scale=0.6, hip_xy=(320.0, 300.0), t=t, trunk_lean_deg=0.0 if t < 1.0 else 30.0)


def no_glute(t: float):
    return lunge_pose(scale=0.6, hip_xy=(320.0, 300.0), t=t, rear_hip_extension_deg=20.0 if t < 1.0 else -8.0)


def test_two_tabs_at_once_keep_their_own_sessions(isolated_home):
    # Each tab has its own runner (st.session_state); both write to one store at the same time.
    tabs = {"lean": LiveRunner(analyzer_factory=lambda: stub_analyzer(leaning)),
            "glute": LiveRunner(analyzer_factory=lambda: stub_analyzer(no_glute))}
    ids: dict[str, str] = {}

    def feed(name: str) -> None:
        runner = tabs[name]
        for i in range(120):
            runner.process_rgb(grey_frame(), i / 30)
        ids[name] = runner.snapshot().session_id
        runner.on_ended()

    threads = [threading.Thread(target=feed, args=(n,)) for n in tabs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store = SessionStore()
    lean, glute = store.get_session(ids["lean"]), store.get_session(ids["glute"])
    assert ids["lean"] != ids["glute"]
    assert {f["code"] for f in lean["flags"]} == {"trunk_lean_forward"}
    assert {f["code"] for f in glute["flags"]} == {"no_glute_engagement"}
    assert lean["status"] == glute["status"] == "complete"
    assert Path(lean["media_dir"]) != Path(glute["media_dir"])


UPLOAD = """
import sys
sys.path.insert(0, {repo!r})
from stretchcheck.pipeline import AnalyzeOptions, analyze_video
from stretchcheck.store import SessionStore

store = SessionStore()
done = store.create_session("cli", video_name="earlier.mp4")
store.save_progress(done, side="left", hold_s=3.0, good_form_s=2.0, flags=[], status="complete")
print("ready", flush=True)
analyze_video({clip!r}, {out!r}, AnalyzeOptions(model="lite", write_video=True), lambda i, n: print(i, flush=True))
"""


def test_kill_9_during_an_upload_analysis_leaves_a_clean_store(isolated_home, tmp_path):
    code = UPLOAD.format(repo=str(REPO), clip=str(REPO / "sample_videos" / "no_glute.mp4"), out=str(tmp_path / "out"))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    frames = 0
    for line in proc.stdout:
        if line.strip().isdigit():
            frames = int(line)
            if frames >= 40:
                break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert frames >= 40
    db = sqlite3.connect(isolated_home / "stretchcheck.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    (earlier,) = SessionStore().list_sessions()
    assert earlier["video_name"] == "earlier.mp4" and earlier["status"] == "complete"
    # What was analysed before the kill is on disk, row by row; no half summary.json.
    rows = (tmp_path / "out" / "frames.csv").read_text().splitlines()
    assert len(rows) - 1 >= 20
    assert not (tmp_path / "out" / "summary.json").exists()
