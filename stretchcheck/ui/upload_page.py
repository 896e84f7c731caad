"""The analyse-a-video page: upload, progress, then the CLI's analysis shown in the page."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import streamlit as st

from posture_rules.pelvis import CALIBRATION_POSE
from stretchcheck.pipeline import AnalyzeOptions, analyze_video
from stretchcheck.store import StoreError, check_session_id
from stretchcheck.ui.common import error_panel, rules_config, store
from stretchcheck.ui.session_view import flags_gallery_ui, timeline_ui
from vision.video import VideoError

VIDEO_TYPES = ("mp4", "mov", "m4v", "webm", "avi", "mkv")
MARKER_COLOURS = ("green", "blue", "pink", "orange", "yellow")  # vision.markers.NAMED_COLOURS
MAX_UPLOAD_MB = 200  # also server.maxUploadSize in .streamlit/config.toml
RESULT_KEY = "upload_session"


def check_upload(name: str, size: int) -> str | None:
    """Why an upload is refused (one sentence), or None when it may be analysed.

    The uploader already filters by extension; this is checked again here because a client
    can send anything, and the file's content is checked by actually opening it.
    """
    ext = Path(name).suffix.lower().lstrip(".")
    if ext not in VIDEO_TYPES:
        return f"'{name}' is not a video file this app reads; use one of: {', '.join(VIDEO_TYPES)}."
    if size <= 0:
        return f"'{name}' is empty."
    if size > MAX_UPLOAD_MB * 1024 * 1024:
        return f"'{name}' is {size / 1024 / 1024:.0f} MB; the limit is {MAX_UPLOAD_MB} MB: trim the clip to the stretch."
    return None


def upload_ui() -> dict:
    """The page; returns the analysed session's id (or None) and any error shown."""
    st.title("Analyse a video")
    st.caption("Upload a side-on video of the kneeling lunge stretch. The analysis is the same "
               "as `stretchcheck analyze`, and the result is saved for review.")
    uploaded = st.file_uploader("Video of the stretch", type=list(VIDEO_TYPES), key="upload_file",
                                max_upload_size=MAX_UPLOAD_MB)
    model = st.selectbox("Pose model", ("heavy", "full", "lite"), key="upload_model",
                         help="heavy: the CLI's default and the only one that met the accuracy "
                              "targets; full and lite: 2-4x faster, less accurate")
    backend = st.selectbox("Pose backend", ("onnx", "mediapipe"), key="upload_backend",
                           help="onnx: ONNX Runtime, the default, ~1.5x faster on a small CPU; "
                                "mediapipe: MediaPipe Tasks. Same model weights: the landmarks "
                                "agree to well under a pixel")
    outline = st.checkbox("Pelvic tilt from the body outline", value=True, key="upload_outline",
                          help="Reads the lower back's curve from the pose model's body mask (about 15% "
                               "slower). Gives the change from your relaxed neutral: before the lunge, "
                               f"{CALIBRATION_POSE}, for 3 s.")
    markers = st.checkbox("Pelvic stickers (markers)", value=False, key="upload_markers",
                          help="Two coloured stickers on the front (ASIS) and back (PSIS) of the pelvis, on "
                               "the camera's side: the line between them is the tilt itself. Pick a colour "
                               "that neither your clothes nor anything behind your hips has.")
    colour = st.selectbox("Sticker colour", MARKER_COLOURS, key="upload_marker_colour", disabled=not markers)
    error = None
    if uploaded is not None and st.button("Analyse", key="upload_go", type="primary"):
        error = check_upload(uploaded.name, uploaded.size)
        if error is None:
            session_id, error = analyse_upload(uploaded.name, uploaded.getvalue(), model, backend,
                                               markers=colour if markers else None, outline=outline)
            if session_id:
                st.session_state[RESULT_KEY] = session_id
        if error:
            error_panel(error)
    session_id = st.session_state.get(RESULT_KEY)
    if session_id and not error:
        show_result(session_id)
    return {"session_id": session_id, "error": error}


def analyse_upload(name: str, data: bytes, model: str, backend: str = "onnx", markers: str | None = None,
                   outline: bool = True) -> tuple[str | None, str | None]:
    """Analyse the uploaded bytes with a progress bar; (session id, None) or (None, error)."""
    s = store()
    # The upload is written under a name we make up: the user's file name is only a label.
    work = s.home / "uploads" / uuid.uuid4().hex[:12]
    work.mkdir(parents=True)
    video = work / f"upload{Path(name).suffix.lower()}"
    video.write_bytes(data)
    bar = st.progress(0.0, text="Analysing...")

    def progress(done: int, total: int | None) -> None:
        fraction = min(1.0, done / total) if total else 0.0
        bar.progress(fraction, text=f"Analysing: frame {done}" + (f" of {total}" if total else ""))

    try:
        options = AnalyzeOptions(model=model, backend=backend, rules=rules_config(), markers=markers, outline=outline)
        summary = analyze_video(video, work / "out", options, progress)
        summary["clip"]["file"] = Path(name).name  # the label shown in review, not our temp path
        session_id = s.save_analysis(summary, work / "out", source="upload")
    except VideoError as exc:
        return None, f"'{name}' could not be analysed: {str(exc).split(': ', 1)[-1]}."
    except (OSError, StoreError) as exc:
        return None, f"The analysis could not be saved ({exc}); check free disk space in STRETCHCHECK_HOME."
    finally:
        bar.empty()
        shutil.rmtree(work, ignore_errors=True)
    return session_id, None


def show_result(session_id: str) -> None:
    try:
        session = store().get_session(check_session_id(session_id))
    except StoreError as exc:
        error_panel(f"That analysis is no longer stored ({exc}).")
        return
    summary = session.get("summary") or {}
    media = Path(session["media_dir"])
    st.subheader(summary.get("message", "Analysis"))
    clip = summary.get("clip", {})
    st.caption(f"{clip.get('file', '')}: {clip.get('frames', 0)} frames, {clip.get('duration_s', 0):.1f} s; "
               f"stretched side {session['side'] or '-'}; held {session['hold_s']:.1f} s, "
               f"good form {session['good_form_s']:.1f} s. Saved as session {session_id}.")
    if summary.get("reading_stopped"):
        st.warning(f"Reading stopped early: {summary['reading_stopped']}; the frames before it were analysed.")
    if summary.get("pelvic_tilt"):
        st.caption(summary["pelvic_tilt"]["note"] + " Glute engagement is inferred from movement, "
                   "not a measurement of muscle activity.")
    if (media / "annotated.mp4").is_file():
        st.video((media / "annotated.mp4").read_bytes(), format="video/mp4")
    timeline_ui(session, rules_config())
    flags_gallery_ui(session, rules_config(), review=False)
