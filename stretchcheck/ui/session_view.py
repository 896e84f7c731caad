"""Views of one stored session shared by the upload and review pages: the timeline plot and
the gallery of flagged frames (with the therapist's review form on the review page)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from posture_rules.config import RulesConfig
from stretchcheck.outputs import INFERENCE_NOTES
from stretchcheck.plots import figure_png, read_series, timeline_figure
from stretchcheck.report import measured_text
from stretchcheck.store import REVIEW_STATES, StoreError
from stretchcheck.ui.common import error_panel, escape, inside, store

REVIEW_LABELS = {"pending": "Not reviewed", "confirmed": "Confirmed", "dismissed": "Dismissed"}


@st.cache_data(max_entries=16, show_spinner=False)
def _timeline_png(frames_csv: str, mtime: float, flags: tuple[tuple[str, float, float], ...],
                  _config: RulesConfig, for_pdf: bool) -> bytes:
    # Cached by file and modification time: re-drawing a long session on every click of a
    # review button would make the page sluggish.
    flag_dicts = [{"code": c, "start_s": s, "end_s": e} for c, s, e in flags]
    size = {"width_in": 10.0, "row_in": 1.0} if for_pdf else {}
    return figure_png(timeline_figure(read_series(Path(frames_csv)), flag_dicts, _config, **size))


def timeline_png(session: dict[str, Any], config: RulesConfig, for_pdf: bool = False) -> bytes | None:
    """The session's timeline as PNG bytes, or None when it has no frames.csv."""
    csv_path = inside(Path(session["media_dir"]), "frames.csv")
    if csv_path is None:
        return None
    flags = tuple((f["code"], f["start_s"], f["end_s"]) for f in session["flags"])
    return _timeline_png(str(csv_path), csv_path.stat().st_mtime, flags, config, for_pdf)


def timeline_ui(session: dict[str, Any], config: RulesConfig) -> bool:
    """The metrics over time with their allowed bands and flag episodes; False if no data."""
    st.subheader("Timeline")
    png = timeline_png(session, config)
    if png is None:
        st.info("No per-frame measurements were stored for this session.")
        return False
    st.image(png, width="stretch")
    return True


def flags_gallery_ui(session: dict[str, Any], config: RulesConfig, review: bool) -> list[dict]:
    """The flags with their peak frames: time, cue, measured value (and a review form)."""
    flags = session["flags"]
    st.subheader(f"Flags ({len(flags)})")
    tilt_note = ((session.get("summary") or {}).get("pelvic_tilt") or {}).get("note")
    if tilt_note:  # which method measured pelvic tilt, over how much of the stretch, how sure
        st.caption(tilt_note)
    if not flags:
        st.success("No form flags: the stretch was held with good form whenever it was measured.")
        return []
    media = Path(session["media_dir"])
    columns = st.columns(3)
    for i, flag in enumerate(flags):
        with columns[i % 3].container(border=True):
            picture = inside(media, flag.get("image"))
            if picture is not None:
                st.image(str(picture), width="stretch")
            else:
                st.caption("(no picture of this flag)")
            value = measured_text(flag, config)
            st.markdown(f"**{flag['start_s']:.1f}-{flag['end_s']:.1f} s** · `{flag['code']}`"
                        + (f" · worst {escape(value)}" if value else ""))
            st.markdown(escape(flag["message"]))
            if flag["code"] == "no_glute_engagement":
                st.caption(INFERENCE_NOTES["no_glute_engagement"])
            elif flag["code"] == "anterior_pelvic_tilt":
                st.caption(INFERENCE_NOTES["pelvic_tilt"])
            if flag.get("peak_frame") is not None:
                st.caption(f"Peak frame {flag['peak_frame']}")
            if review:
                _review_form(session["id"], flag)
    return flags


def _review_form(session_id: str, flag: dict[str, Any]) -> None:
    st.caption(f"Review: {REVIEW_LABELS.get(flag['review'], flag['review'])}")
    if flag["review_note"]:
        st.text(flag["review_note"])  # shown as literal text: a note is never rendered as markup
    with st.form(key=f"review_{flag['id']}", border=False):
        choice = st.radio("Verdict", REVIEW_STATES, index=REVIEW_STATES.index(flag["review"]),
                          format_func=REVIEW_LABELS.get, horizontal=True, key=f"verdict_{flag['id']}")
        note = st.text_input("Note", value=flag["review_note"], max_chars=2000, key=f"note_{flag['id']}")
        if st.form_submit_button("Save review"):
            try:
                store().review_flag(session_id, int(flag["id"]), choice, note)
            except StoreError as exc:
                error_panel(f"The review was not saved: {exc}.")
            else:
                st.rerun()
