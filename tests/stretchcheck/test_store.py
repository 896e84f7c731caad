import json
import sqlite3
import subprocess
import sys

import pytest

from stretchcheck.store import SessionStore, StoreError


def test_session_round_trip_keeps_reviews_across_progress_saves(isolated_home):
    store = SessionStore()
    sid = store.create_session("live")
    flag = {"code": "trunk_lean_forward", "start_s": 2.0, "end_s": 3.5, "message": "Lift your chest"}
    store.save_progress(sid, side="left", hold_s=10.0, good_form_s=8.5, flags=[flag])
    first = store.get_session(sid)["flags"][0]
    store.review_flag(sid, first["id"], "confirmed", "clear forward lean <b>")
    # The next progress save rewrites the flag list; the therapist's review must survive it.
    store.save_progress(sid, side="left", hold_s=12.0, good_form_s=8.5, flags=[flag], status="complete")
    s = store.get_session(sid)
    assert (s["side"], s["hold_s"], s["status"]) == ("left", 12.0, "complete")
    assert s["flags"][0]["review"] == "confirmed"
    assert s["flags"][0]["review_note"] == "clear forward lean <b>"
    assert [x["id"] for x in store.list_sessions()] == [sid]


@pytest.mark.parametrize("bad", ["../../etc", "ABCDEF123456", "", "0" * 13, "../media"])
def test_ids_that_could_escape_the_home_are_refused(bad):
    store = SessionStore()
    with pytest.raises(StoreError):
        store.get_session(bad)
    with pytest.raises(StoreError):
        store.media_dir(bad)


def test_bad_values_are_refused():
    store = SessionStore()
    with pytest.raises(StoreError):
        store.create_session("webcam")
    sid = store.create_session("upload")
    with pytest.raises(StoreError):
        store.review_flag(sid, 999, "confirmed")
    with pytest.raises(StoreError):
        store.review_flag(sid, 1, "maybe")


def test_a_killed_writer_leaves_a_clean_database(isolated_home):
    # A child process saves progress every iteration and is killed with SIGKILL mid-way.
    code = (
        "import os, signal\n"
        "from stretchcheck.store import SessionStore\n"
        "s = SessionStore(); sid = s.create_session('live')\n"
        "for i in range(1, 40):\n"
        "    s.save_progress(sid, side='left', hold_s=float(i), good_form_s=0.0, flags=[])\n"
        "    if i == 25: os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], env={**__import__("os").environ}, timeout=60)
    assert proc.returncode == -9
    db = sqlite3.connect(isolated_home / "stretchcheck.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    (s,) = SessionStore().list_sessions()
    assert s["hold_s"] == 25.0  # every save that returned is there


def test_cli_lists_sessions_as_json(isolated_home):
    store = SessionStore()
    sid = store.create_session("cli", video_name="x.mp4")
    store.save_progress(sid, side="right", hold_s=5.0, good_form_s=4.0,
                        flags=[{"code": "no_glute_engagement", "start_s": 1.0, "end_s": 2.0}], status="complete")
    out = subprocess.run([sys.executable, "-m", "stretchcheck.cli", "sessions", "list", "--json"],
                         capture_output=True, text=True, check=True)
    (row,) = json.loads(out.stdout)
    assert row["id"] == sid and row["source"] == "cli" and row["side"] == "right"
    assert row["flags"] == [{"code": "no_glute_engagement", "start_s": 1.0, "end_s": 2.0}]
    shown = subprocess.run([sys.executable, "-m", "stretchcheck.cli", "sessions", "show", sid, "--json"],
                           capture_output=True, text=True, check=True)
    assert json.loads(shown.stdout)["flags"][0]["code"] == "no_glute_engagement"
    missing = subprocess.run([sys.executable, "-m", "stretchcheck.cli", "sessions", "show", "0" * 12],
                             capture_output=True, text=True)
    assert missing.returncode == 2 and "no session" in missing.stderr
