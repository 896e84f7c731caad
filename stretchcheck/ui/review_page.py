"""The review page for a therapist: sessions by date, one session's flagged frames with a
confirm / dismiss verdict and a note, and CSV / PDF exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from stretchcheck.report import ExportError, export_path, flags_csv, pdf_report, write_bytes_atomic
from stretchcheck.store import StoreError, check_session_id
from stretchcheck.ui.common import error_panel, rules_config, store
from stretchcheck.ui.session_view import flags_gallery_ui, timeline_png, timeline_ui

SOURCE_LABELS = {"live": "live webcam", "upload": "uploaded video", "cli": "command line"}


def session_rows(sessions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sessions table: newest first, one row each, plain values."""
    rows = []
    for s in sessions:
        reviewed = sum(f["review"] != "pending" for f in s["flags"])
        rows.append({
            "date": s["started_at"].replace("T", " ")[:16],
            "session": s["id"],
            "source": SOURCE_LABELS.get(s["source"], s["source"]),
            "video": s["video_name"] or "",
            "side": s["side"] or "-",
            "hold s": round(s["hold_s"], 1),
            "good form s": round(s["good_form_s"], 1),
            "flags": len(s["flags"]),
            "reviewed": f"{reviewed}/{len(s['flags'])}",
            "status": "interrupted" if s["status"] == "recording" else s["status"],
        })
    return rows


def requested_session(ids: list[str]) -> tuple[str | None, str | None]:
    """The session named in the URL (``?session=ID``), validated; (id, error sentence)."""
    wanted = st.query_params.get("session")
    if not wanted:
        return None, None
    try:
        check_session_id(wanted)
    except StoreError:
        return None, "The link names no valid session id; pick a session from the list."
    if wanted not in ids:
        return None, f"There is no stored session {wanted}; pick one from the list."
    return wanted, None


def review_ui() -> dict:
    """The page; returns the chosen session id and how many sessions are listed."""
    st.title("Review sessions")
    sessions = store().list_sessions()
    if not sessions:
        st.info("No sessions stored yet. Record one on the Live page or analyse a video.")
        return {"session_id": None, "sessions": 0}
    st.dataframe(session_rows(sessions), hide_index=True, width="stretch")
    ids = [s["id"] for s in sessions]
    by_id = {s["id"]: s for s in sessions}
    from_url, url_error = requested_session(ids)
    if url_error:
        error_panel(url_error)
    chosen = st.selectbox(
        "Session", ids, index=ids.index(from_url) if from_url else 0, key="review_session",
        format_func=lambda i: f"{by_id[i]['started_at'][:16].replace('T', ' ')} · "
                              f"{SOURCE_LABELS.get(by_id[i]['source'], '')} · {len(by_id[i]['flags'])} flags · {i}")
    st.query_params["session"] = chosen
    try:
        session = store().get_session(chosen)
    except StoreError as exc:
        error_panel(f"That session cannot be opened: {exc}.")
        return {"session_id": None, "sessions": len(sessions)}
    session_detail_ui(session)
    return {"session_id": chosen, "sessions": len(sessions)}


def session_detail_ui(session: dict[str, Any]) -> None:
    config = rules_config()
    summary = session.get("summary") or {}
    st.header(f"Session {session['id']}")
    st.caption(f"{SOURCE_LABELS.get(session['source'], session['source'])}"
               f"{' (' + session['video_name'] + ')' if session['source'] != 'live' and session['video_name'] else ''}"
               f", started {session['started_at']}; stretched side {session['side'] or '-'}; held "
               f"{session['hold_s']:.1f} s, good form {session['good_form_s']:.1f} s.")
    if session["status"] == "recording":
        st.warning("This session did not finish cleanly (the app stopped while recording); "
                   "it holds what was saved up to its last second.")
    if summary.get("tool_session", {}).get("summary"):
        with st.expander("Tool session steps"):
            st.table(summary["tool_session"]["summary"])
    timeline_ui(session, config)
    flags_gallery_ui(session, config, review=True)
    export_ui(session)


def export_ui(session: dict[str, Any]) -> None:
    st.subheader("Export")
    name = st.text_input("Export name", value=f"stretchcheck_{session['id']}", key="export_name",
                         help="Letters, digits, '.', '_' and '-'; copies are saved in STRETCHCHECK_HOME/exports")
    media = Path(session["media_dir"])
    csv_bytes = flags_csv(session)

    def pdf_bytes() -> bytes:
        # Built only when asked for (download or save): a PDF per page rerun would be waste.
        return pdf_report(session, media, timeline_png(session, rules_config(), for_pdf=True), rules_config())

    try:
        csv_path = export_path(store().home, name, ".csv")
        pdf_path = export_path(store().home, name, ".pdf")
    except ExportError as exc:
        error_panel(str(exc))
        return
    a, b, c = st.columns(3)
    a.download_button("Download CSV", csv_bytes, file_name=csv_path.name, mime="text/csv", key="dl_csv")
    b.download_button("Download PDF report", pdf_bytes, file_name=pdf_path.name, mime="application/pdf",
                      key="dl_pdf")
    if c.button("Save copies in STRETCHCHECK_HOME", key="export_save"):
        write_bytes_atomic(csv_path, csv_bytes)
        write_bytes_atomic(pdf_path, pdf_bytes())
        st.success(f"Saved {csv_path.name} and {pdf_path.name} in {csv_path.parent}.")
