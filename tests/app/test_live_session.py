"""A live session end to end without a camera: frames in, cues out, the store kept current."""

import json
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from stretchcheck.live_session import LiveRunner, LiveSession
from stretchcheck.store import SessionStore
from tests.app.stubs import grey_frame, stub_analyzer

REPO = Path(__file__).resolve().parents[2]


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def run_frames(session: LiveSession, clock: FakeClock, seconds: float, fps: float = 30.0):
    out = None
    for i in range(int(seconds * fps)):
        clock.now = i / fps
        out = session.process(grey_frame(), i / fps)
    return out


def test_fault_raises_its_cue_and_is_stored_as_a_flag_with_its_picture(isolated_home):
    store = SessionStore()
    clock = FakeClock()
    session = LiveSession(store, stub_analyzer(), clock=clock)
    annotated, result, setup = run_frames(session, clock, 3.0)
    assert result.flags == ("trunk_lean_forward",)
    assert result.cues[0].startswith("Lift your chest")
    assert setup.ok
    assert annotated.shape == (480, 640, 3)

    # While recording, the flag still raised is already in the store (provisional).
    stored = store.get_session(session.id)
    assert stored["status"] == "recording"
    assert [f["code"] for f in stored["flags"]] == ["trunk_lean_forward"]
    assert stored["flags"][0]["start_s"] < 1.2

    summary = session.finish({"tool_session": {"index": 0}})
    stored = store.get_session(session.id)
    assert stored["status"] == "complete" and stored["side"] == "right"
    assert stored["good_form_s"] > 0.4
    flag = stored["flags"][0]
    assert flag["code"] == "trunk_lean_forward" and 1.0 <= flag["start_s"] < 1.2
    assert flag["peak_value"] > 25
    media = Path(stored["media_dir"])
    assert (media / flag["image"]).is_file()
    assert not list((media / "flags").glob("open_*.jpg"))  # provisional pictures are gone
    assert summary["tool_session"] == {"index": 0}
    assert json.loads((media / "summary.json").read_text())["flags"][0]["code"] == "trunk_lean_forward"
    rows = (media / "frames.csv").read_text().splitlines()
    assert len(rows) == 1 + 90


def test_progress_is_saved_about_once_a_second(isolated_home, monkeypatch):
    store = SessionStore()
    calls = []
    real = store.save_progress
    monkeypatch.setattr(store, "save_progress", lambda *a, **k: (calls.append(k.get("status")), real(*a, **k)))
    clock = FakeClock()
    session = LiveSession(store, stub_analyzer(), clock=clock)
    run_frames(session, clock, 5.0)
    assert 5 <= len(calls) <= 6  # 150 frames, one write per second of clock


def test_runner_hands_snapshots_to_another_thread_and_saves_on_end(isolated_home):
    runner = LiveRunner(analyzer_factory=stub_analyzer)
    seen = []
    stop = threading.Event()

    def page():  # the page thread polls while the webcam thread writes
        while not stop.is_set():
            seen.append(runner.snapshot())
            time.sleep(0.005)

    reader = threading.Thread(target=page)
    reader.start()
    for i in range(60):
        runner.process_rgb(grey_frame(), i / 30)
    stop.set()
    reader.join()
    snap = runner.snapshot()
    assert snap.frames == 60 and snap.session_id and snap.error is None
    assert all(s.frames <= 60 for s in seen)
    runner.set_extra(tool_session={"index": 2})
    session_id = runner.on_ended() or snap.session_id
    assert runner.finish() is None  # already finished: stopping twice saves nothing twice
    stored = SessionStore().get_session(session_id)
    assert stored["status"] == "complete" and stored["summary"]["tool_session"] == {"index": 2}
    assert runner.snapshot().saved == (session_id,)
    # The next frame starts a new session.
    runner.process_rgb(grey_frame(), 5.0)
    assert runner.snapshot().session_id not in (None, session_id)


def test_a_frame_that_fails_shows_an_error_and_passes_the_frame_through(isolated_home):
    def broken():
        analyzer = stub_analyzer(lambda t: 1 / 0)
        return analyzer

    runner = LiveRunner(analyzer_factory=broken)
    frame = grey_frame()
    assert runner.process_rgb(frame, 0.0) is frame
    assert "ZeroDivisionError" in runner.snapshot().error


KILLED_APP = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {repo!r})
    from stretchcheck.live_session import LiveRunner
    from tests.app.stubs import grey_frame, stub_analyzer
    runner = LiveRunner(analyzer_factory=stub_analyzer)
    runner.process_rgb(grey_frame(), 0.0)  # loads the model: pacing starts after it
    start = time.monotonic()
    i = 1
    while True:
        # Frames at the camera's pace, so frame time and the wall clock that times the
        # once-a-second saves advance together.
        time.sleep(max(0.0, start + i / 30 - time.monotonic()))
        t = i / 30
        runner.process_rgb(grey_frame(), t)
        print(f"{{t:.4f}}", flush=True)
        i += 1
""")


def test_a_killed_app_loses_at_most_the_last_second(isolated_home):
    proc = subprocess.Popen([sys.executable, "-c", KILLED_APP.format(repo=str(REPO))],
                            stdout=subprocess.PIPE, text=True)
    last = 0.0
    for line in proc.stdout:
        last = float(line)
        if last >= 3.0:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    sessions = SessionStore().list_sessions()  # the database opens clean after the kill
    assert len(sessions) == 1 and sessions[0]["status"] == "recording"
    stored = sessions[0]
    assert stored["flags"] and stored["flags"][0]["code"] == "trunk_lean_forward"
    assert stored["flags"][0]["end_s"] >= last - 1.0 - 2 / 30
    frames_csv = Path(SessionStore().get_session(stored["id"])["media_dir"]) / "frames.csv"
    assert float(frames_csv.read_text().splitlines()[-1].split(",")[1]) >= last - 2 / 30
