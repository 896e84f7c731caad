"""The tool-session timer panel: the current step, its time window, start / pause / next."""

from __future__ import annotations

import time

import streamlit as st

from stretchcheck.timer import PROTOCOL, ToolSessionTimer

TIMER_KEY = "tool_timer"


def session_timer() -> ToolSessionTimer:
    """The page's timer, kept in session state so that it survives Streamlit reruns."""
    if TIMER_KEY not in st.session_state:
        st.session_state[TIMER_KEY] = ToolSessionTimer()
    return st.session_state[TIMER_KEY]


def timer_ui(timer: ToolSessionTimer) -> dict:
    """Draw the timer; returns what it shows (step, seconds, status) as plain values."""
    now = time.monotonic()
    st.subheader("Tool session")
    cur = timer.current
    if cur is None:
        st.success("Tool session complete for both sides.")
        _summary(timer)
        st.button("Start over", key="timer_reset", on_click=timer.reset)
        return {"step": None, "seconds": 0.0, "status": "complete"}
    record, spec = cur
    number = [s.key for s in PROTOCOL].index(spec.key) + 1
    st.markdown(f"**{record.side.capitalize()} side, step {number} of {len(PROTOCOL)}: {spec.title}**")
    st.caption(spec.instruction)
    seconds = timer.elapsed(now)
    label = "Good-form hold" if spec.from_checker else "Time"
    st.metric(label, f"{seconds:.0f} s", help="Counted only while the checker sees good form"
              if spec.from_checker else None)
    if spec.max_s is not None:
        st.progress(min(1.0, seconds / spec.max_s),
                    text=f"Window {spec.min_s:.0f}-{spec.max_s:.0f} s"
                         f"{' (release usually felt after 30-60 s)' if spec.key == 'iliacus' else ''}")
    status = timer.status(now)
    {"ok": st.success, "warn": st.warning}.get(status.level, st.info)(status.message)
    start, pause, nxt = st.columns(3)
    start.button("Start", key="timer_start", disabled=timer.running, width="stretch",
                 on_click=lambda: timer.start(time.monotonic()))
    pause.button("Pause", key="timer_pause", disabled=not timer.running, width="stretch",
                 on_click=lambda: timer.pause(time.monotonic()))
    nxt.button("Next", key="timer_next", width="stretch",
               on_click=lambda: timer.next(time.monotonic()))
    _summary(timer)
    return {"step": f"{record.side}:{spec.key}", "seconds": seconds, "status": status.level}


def _summary(timer: ToolSessionTimer) -> None:
    rows = timer.summary()
    if rows:
        with st.expander(f"Steps done ({len(rows)})"):
            st.table(rows)
