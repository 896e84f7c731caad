"""The live page: webcam with cues, the measurements against their limits, the set-up check,
and the tool-session timer beside them."""

from __future__ import annotations

import html

import streamlit as st

from posture_rules.pelvis import CALIBRATION_POSE
from posture_rules.types import Phase
from stretchcheck.live_session import LiveRunner, LiveSnapshot
from stretchcheck.live_view import MetricRow, active_cue, inference_note, metric_rows, phase_text
from stretchcheck.setup_check import SetupCheck
from stretchcheck.ui import webcam
from stretchcheck.ui.common import error_panel, rules_config
from stretchcheck.ui.timer_panel import session_timer, timer_ui
from stretchcheck.ui.upload_page import MARKER_COLOURS

RUNNER_KEY = "live_runner"
STATE_COLOURS = {"ok": "#1e8e3e", "fault": "#d93025", "outside": "#e37400", "unknown": "#80868b"}
STATE_WORDS = {"ok": "ok", "fault": "FLAG", "outside": "outside", "unknown": "–"}
CUE_STYLE = {
    "error": "background:#fce8e6;color:#a50e0e;border-left:6px solid #d93025",
    "success": "background:#e6f4ea;color:#0d652d;border-left:6px solid #1e8e3e",
    "info": "background:#e8f0fe;color:#174ea6;border-left:6px solid #1a73e8",
}


def live_runner() -> LiveRunner:
    """This browser session's runner. Not ``st.cache_resource``: the estimator inside is
    stateful and not thread-safe, so every webcam session needs its own."""
    if RUNNER_KEY not in st.session_state:
        st.session_state[RUNNER_KEY] = LiveRunner()
    return st.session_state[RUNNER_KEY]


def live_ui() -> dict:
    """The live page; returns whether the camera plays and the last saved session id."""
    st.title("Live form check")
    st.caption("Kneel side-on to the camera, press START, and follow the cue. "
               "Your session is saved when you stop the camera or press Save session.")
    runner = live_runner()
    timer = session_timer()
    pelvis_switches(runner)
    saved_now = None
    video, panel = st.columns([3, 2], gap="medium")
    with video:
        playing = webcam.show(runner)
        was_playing = st.session_state.get("live_was_playing", False)
        st.session_state["live_was_playing"] = playing
        runner.set_extra(tool_session=timer.to_dict())
        if was_playing and not playing:
            saved_now = runner.finish()  # usually already done by on_video_ended
        if st.button("Save session", key="live_save", type="primary"):
            saved_now = runner.save_now()
            if saved_now is None:
                st.info("Nothing to save yet: press START and step into view first.")
        saved = runner.snapshot().saved
        if saved_now or saved:
            st.success(f"Session saved: {saved_now or saved[-1]}. Open Review to see its flags.")
        # Fragments poll the runner's snapshot (written by the webcam thread) while the camera
        # or the timer runs, without rerunning the whole page and the webcam component.
        ticking = playing or timer.running
        st.fragment(_timer_panel, run_every=1.0 if ticking else None)(runner, playing, ticking)
    with panel:
        st.fragment(_cues_panel, run_every=0.5 if playing else None)(runner, playing)
    return {"playing": playing, "saved": saved_now}


def pelvis_switches(runner: LiveRunner) -> None:
    """Stickers and body outline for pelvic tilt; applied when the camera (re)starts."""
    with st.expander("Pelvic tilt: stickers, body outline, your neutral"):
        markers = st.checkbox("I wear pelvic stickers (front and back of the pelvis, camera side)", key="live_markers")
        colour = st.selectbox("Sticker colour", MARKER_COLOURS, key="live_marker_colour", disabled=not markers)
        outline = st.checkbox("Body outline (slower: fewer frames per second)", key="live_outline")
        runner.set_pelvis(colour if markers else None, outline)
        st.caption("Applies when you start the camera. Hip keypoints cannot see pelvic tilt; without "
                   "stickers or the outline it is not measured. Both need a plain background behind "
                   "your hips: an object there (a plant, a green one most of all) can merge into your "
                   "outline or pass for a sticker.")


def neutral_ui(runner: LiveRunner, snap: LiveSnapshot) -> None:
    """The guided 3-second neutral calibration: button, progress and what was found."""
    st.markdown("**Your neutral pelvis**")
    status = snap.neutral or {"state": "waiting", "progress": 0.0,
                              "text": f"Start the camera, {CALIBRATION_POSE}, then press Calibrate."}
    if status["state"] == "collecting":
        st.progress(status["progress"], text=status["text"])
    else:
        st.caption(status["text"])
    if st.button("Calibrate neutral (3 s)", key="live_calibrate",
                 help=f"{CALIBRATION_POSE.capitalize()}, still, for 3 seconds, then step one foot forward "
                      "into the stretch: tilt is then judged as the change from this, because absolute "
                      "tilt differs from person to person. Kneeling measures best: the pose model then "
                      "sees the calibration and the stretch alike."):
        runner.calibrate()


def _cues_panel(runner: LiveRunner, playing: bool) -> None:
    snap = runner.snapshot()
    cues_ui(snap, playing)
    if playing or snap.neutral:
        neutral_ui(runner, snap)


def _timer_panel(runner: LiveRunner, playing: bool, ticking: bool) -> None:
    snap = runner.snapshot()
    timer = session_timer()
    result = snap.result
    if result is not None and snap.session_id:
        timer.observe_checker(snap.session_id, result.good_form_s, result.measurements.stretched_side)
    runner.set_extra(tool_session=timer.to_dict())
    timer_ui(timer)
    if (playing or timer.running) != ticking:
        # Start or pause changed whether the clock must tick: a fragment's refresh rate is
        # fixed when the page runs, so run the page again to set it.
        st.rerun()


def cues_ui(snap: LiveSnapshot, playing: bool) -> dict:
    """The cue in large text, phase, side, good-form hold, metrics and the set-up check."""
    if snap.error:
        error_panel(snap.error)
    result = snap.result if (playing or snap.session_id) else None
    level, cue = active_cue(result)
    st.markdown(f'<div class="stretchcheck-cue" style="{CUE_STYLE[level]};padding:0.6rem 0.9rem;'
                f'border-radius:0.4rem;font-size:1.6rem;font-weight:600;line-height:1.25">'
                f"{html.escape(cue)}</div>", unsafe_allow_html=True)
    side = result.measurements.stretched_side if result is not None else None
    hold, facts = st.columns([2, 3])
    hold.metric("Good-form hold", f"{result.good_form_s:.1f} s" if result else "0.0 s",
                help="Seconds in the stretch with no flag raised: only good form counts.")
    facts.markdown(f"**Phase:** {phase_text(result)}  \n**Stretched side:** {side or '-'}  \n"
                   f"**Total hold:** {result.hold_s if result else 0.0:.1f} s")
    rows = metric_rows(result, rules_config())
    st.markdown(metrics_table(rows), unsafe_allow_html=True)
    st.caption(inference_note(result))
    if result is None or result.phase != Phase.STRETCH:
        setup_ui(snap.setup if result is not None else None)
    if playing:
        st.caption(f"{snap.fps:.0f} frames/s processed; {snap.frames} frames in this session; "
                   "progress saved every second.")
    return {"cue": cue, "level": level, "rows": rows}


def metrics_table(rows: list[MetricRow]) -> str:
    """An HTML table of the metrics: value, allowed range and state, every cell escaped.

    An unknown value shows its reason when that is short, else "not measured" with the
    reason as a tooltip (the pelvic-tilt reason is a sentence).
    """
    cells = []
    for r in rows:
        colour = STATE_COLOURS[r.state]
        value, tip = r.value_text, ""
        if r.value is None and len(value) > 24:
            value, tip = "not measured", r.value_text
        cells.append(
            f"<tr><td>{html.escape(r.label)}</td>"
            f'<td style="color:{colour};font-weight:600" title="{html.escape(tip)}">{html.escape(value)}</td>'
            f"<td>{html.escape(r.allowed_text)}</td>"
            f'<td style="color:{colour};font-weight:600;white-space:nowrap">{STATE_WORDS[r.state]}</td></tr>')
    return ('<table class="stretchcheck-metrics" style="width:100%;font-size:0.9rem">'
            "<tr><th>Measurement</th><th>Now</th><th>Allowed</th><th></th></tr>"
            + "".join(cells) + "</table>")


def setup_ui(setup: SetupCheck | None) -> None:
    """Before the stretch: is the camera set up so the checker can see the person?"""
    st.markdown("**Set-up check**")
    if setup is None:
        st.caption("Starts with the camera: whole body in view, side-on, enough light.")
        return
    lines = []
    for item in setup.items:
        mark = {True: "✓", False: "✗", None: "…"}[item.ok]
        lines.append(f"- {mark} **{item.label}**: {html.escape(item.message)}")
    st.markdown("\n".join(lines))
