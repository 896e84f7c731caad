"""Each page in Streamlit's AppTest: the webcam replaced by a stand-in (AppTest cannot render
streamlit-webrtc), everything else real: the store, the pipeline, the plots and reports."""

from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from stretchcheck.live_session import LiveRunner
from stretchcheck.store import SessionStore
from stretchcheck.ui import webcam
from tests.app.sessions import stored_session
from tests.app.stubs import grey_frame, stub_analyzer
from vision.video import VideoWriter

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 60


@pytest.fixture
def camera(monkeypatch):
    """Replace the webcam component: it reports ``playing`` as the test sets it."""
    state = {"playing": False}

    def stand_in(runner):
        st.caption("webcam stand-in")
        return state["playing"]

    monkeypatch.setattr(webcam, "show", stand_in)
    return state


def texts(at) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.success, *at.error, *at.info,
                               *at.warning, *at.text, *at.title, *at.subheader, *at.header)]
    return "\n".join(str(p) for p in parts)


def live_app(camera) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    runner = LiveRunner(analyzer_factory=stub_analyzer)
    at.session_state["live_runner"] = runner
    return at


def test_live_is_the_first_page_and_waits_for_the_camera(camera):
    at = live_app(camera)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Live form check"
    page = texts(at)
    assert "Press START to turn on the camera." in page
    assert "Set-up check" in page and "Tool session" in page
    assert "Left side, step 1 of 4: Psoas pressure" in page


def test_live_page_shows_the_cue_metrics_and_good_form_hold_of_the_latest_frame(camera):
    at = live_app(camera)
    runner = at.session_state["live_runner"]
    for i in range(90):  # the webcam thread's work: 3 s, leaning forward from 1 s
        runner.process_rgb(grey_frame(), i / 30)
    camera["playing"] = True
    at.run()
    assert not at.exception
    page = texts(at)
    assert "Lift your chest: stack your shoulders over your hips" in page
    assert "FLAG" in page and "+30°" in page  # trunk lean against -10° to +15°
    assert "**Phase:** Stretch" in page and "**Stretched side:** right" in page
    hold = {m.label: m.value for m in at.metric}["Good-form hold"]
    assert float(hold.split()[0]) > 0.4  # the good-form seconds before the lean
    assert "frames in this session" in page

    at.button(key="live_save").click().run()
    assert "Session saved" in texts(at)
    [session] = SessionStore().list_sessions()
    assert session["status"] == "complete" and session["flags"][0]["code"] == "trunk_lean_forward"


def test_stopping_the_camera_saves_the_session(camera):
    at = live_app(camera)
    runner = at.session_state["live_runner"]
    camera["playing"] = True
    at.run()
    for i in range(60):
        runner.process_rgb(grey_frame(), i / 30)
    camera["playing"] = False
    at.run()
    assert "Session saved" in texts(at)
    assert SessionStore().list_sessions()[0]["status"] == "complete"


def test_tool_session_timer_survives_reruns(camera):
    at = live_app(camera)
    at.run()
    at.button(key="timer_start").click().run()
    timer = at.session_state["tool_timer"]
    assert timer.running
    at.button(key="timer_next").click().run()
    at.run()  # an unrelated rerun keeps the state
    assert at.session_state["tool_timer"].current[1].key == "iliacus"
    assert "Window 30-90 s" in str([p.proto for p in at.get("progress")])
    assert "Left side, step 2 of 4: Iliacus pressure" in texts(at)
    assert "Under 30 s: too short" in str(at.session_state["tool_timer"].summary())


def upload_app() -> AppTest:
    return AppTest.from_function(_upload_script, default_timeout=TIMEOUT)


def _upload_script():
    from stretchcheck.ui.upload_page import upload_ui

    upload_ui()


def tiny_clip(path: Path) -> bytes:
    writer = VideoWriter(path, (160, 120), 10.0)
    for i in range(10):
        writer.write(np.full((120, 160, 3), 100, np.uint8), i / 10)
    writer.close()
    return path.read_bytes()


def test_upload_page_analyses_a_video_and_stores_it(tmp_path):
    at = upload_app()
    at.run()
    at.file_uploader(key="upload_file").upload("my clip.mp4", tiny_clip(tmp_path / "c.mp4"), "video/mp4")
    at.selectbox(key="upload_model").set_value("lite")
    at.run()
    at.button(key="upload_go").click().run()
    assert not at.exception and not at.error
    page = texts(at)
    assert "No person was found in the video." in page and "Timeline" in page
    [session] = SessionStore().list_sessions()
    assert session["source"] == "upload" and session["video_name"] == "my clip.mp4"
    assert not list((SessionStore().home / "uploads").glob("*"))  # the upload copy is removed


@pytest.mark.parametrize(
    ("name", "content", "sentence"),
    [
        ("broken.mp4", b"this is not a video" * 50, "could not be analysed: not a readable video"),
        ("empty.mp4", b"", "is empty"),
    ],
)
def test_upload_page_refuses_a_bad_file_with_one_sentence(name, content, sentence):
    at = upload_app()
    at.run()
    at.file_uploader(key="upload_file").upload(name, content, "video/mp4")
    at.run()
    at.button(key="upload_go").click().run()
    assert not at.exception
    assert len(at.error) == 1 and sentence in at.error[0].value
    assert "Traceback" not in texts(at)
    assert SessionStore().list_sessions() == []


def test_upload_size_and_type_checks():
    from stretchcheck.ui.upload_page import MAX_UPLOAD_MB, check_upload

    assert check_upload("a.mp4", 10) is None
    assert "not a video file" in check_upload("notes.txt", 10)
    assert "the limit is" in check_upload("a.mov", (MAX_UPLOAD_MB + 1) * 1024 * 1024)


def review_app() -> AppTest:
    return AppTest.from_function(_review_script, default_timeout=TIMEOUT)


def _review_script():
    from stretchcheck.ui.review_page import review_ui

    review_ui()


def test_review_page_with_no_sessions():
    at = review_app()
    at.run()
    assert "No sessions stored yet" in texts(at)


def test_review_lists_sessions_shows_the_gallery_and_records_a_review():
    store = SessionStore()
    older = stored_session(store, source="cli")
    sid = stored_session(store)
    at = review_app()
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["session"]) == [sid, older]  # newest first
    page = texts(at)
    assert "Lift your chest" in page and "22°" in page  # the cue and the measured value
    assert len(at.get("image")) == 3  # the timeline plot and the two flag pictures

    flag_id = store.get_session(sid)["flags"][0]["id"]
    note = "<script>alert(1)</script> **not bold**"
    at.radio(key=f"verdict_{flag_id}").set_value("confirmed")
    at.text_input(key=f"note_{flag_id}").input(note)
    [submit] = [b for b in at.button if b.label == "Save review"][:1]
    submit.click().run()
    flag = store.get_session(sid)["flags"][0]
    assert (flag["review"], flag["review_note"]) == ("confirmed", note)
    assert note in [t.value for t in at.text]  # shown as literal text, never as markup
    assert not any("<script>" in m.value for m in at.markdown)


def test_review_refuses_a_bad_session_id_from_the_url():
    stored_session(SessionStore())
    at = review_app()
    at.query_params["session"] = "../../etc/passwd"
    at.run()
    assert not at.exception
    assert "no valid session id" in at.error[0].value


def test_review_exports_stay_inside_the_home(isolated_home):
    sid = stored_session(SessionStore())
    at = review_app()
    at.run()
    at.text_input(key="export_name").input("../../outside/report").run()
    at.button(key="export_save").click().run()
    assert not at.exception
    exported = sorted(p.name for p in (isolated_home / "exports").iterdir())
    assert exported == ["report.csv", "report.pdf"]
    assert not (isolated_home.parent / "outside").exists()
    assert sid in (isolated_home / "exports" / "report.csv").read_text()


def test_an_unusable_store_shows_one_sentence_not_a_traceback(tmp_path, monkeypatch):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the store's folder should be")
    monkeypatch.setenv("STRETCHCHECK_HOME", str(blocker))
    at = AppTest.from_string(
        "from stretchcheck.ui.common import guarded\n"
        "from stretchcheck.ui.review_page import review_ui\n"
        "guarded(review_ui)()\n", default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and "session store" in at.error[0].value
