"""Exports of a stored session for a therapist: a flags CSV and a one-page PDF report.

Why build bytes, not files: the review page hands them to the browser as downloads; a copy
kept under STRETCHCHECK_HOME/exports goes through ``export_path``, which is the only place a
user-typed name becomes a path, and it cannot leave that folder.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import matplotlib
from fpdf import FPDF

from posture_rules.config import RulesConfig
from stretchcheck.live_view import UNITS, format_value
from stretchcheck.outputs import INFERENCE_NOTES

CSV_COLUMNS = ("session_id", "flag_id", "code", "start_s", "end_s", "duration_s", "peak_frame",
               "peak_value", "message", "review", "review_note", "reviewed_at")
_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"  # DejaVu ships with matplotlib
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class ExportError(ValueError):
    """An export name that cannot be used; the message says why."""


def export_path(home: Path, name: str, suffix: str) -> Path:
    """``home/exports/<name><suffix>`` with ``name`` reduced to safe characters.

    Slashes, dots leading the name and anything but letters, digits, ``._-`` are dropped,
    so ``../../etc/passwd`` becomes ``etc_passwd``; the result is checked to lie inside.
    """
    stem = _SAFE_NAME.sub("_", Path(str(name)).name if name else "").strip("._-")[:80]
    if stem.lower().endswith(suffix.lower()):
        stem = stem[: -len(suffix)].rstrip("._-")
    if not stem:
        raise ExportError("Give the export a name made of letters, digits, '.', '_' or '-'.")
    folder = (home / "exports").resolve()
    path = (folder / f"{stem}{suffix}").resolve()
    if path.parent != folder:
        raise ExportError("That export name points outside the exports folder.")
    folder.mkdir(parents=True, exist_ok=True)
    return path


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary name beside ``path`` and rename: never half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _cell(value: Any) -> Any:
    # A note starting with = + - @ would run as a formula when the CSV is opened in a
    # spreadsheet; a leading apostrophe keeps it text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def flags_csv(session: dict[str, Any]) -> bytes:
    """One row per flag with its review, UTF-8 with a header."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for f in session["flags"]:
        w.writerow([_cell(v) for v in (
            session["id"], f["id"], f["code"], f["start_s"], f["end_s"],
            round(f["end_s"] - f["start_s"], 3), f["peak_frame"], f["peak_value"], f["message"],
            f["review"], f["review_note"], f["reviewed_at"])])
    return buf.getvalue().encode("utf-8")


def flag_summary(session: dict[str, Any]) -> list[dict[str, Any]]:
    """Per flag code: how often, for how long in total, and how it was reviewed."""
    by_code: dict[str, dict[str, Any]] = {}
    for f in session["flags"]:
        row = by_code.setdefault(f["code"], {"code": f["code"], "episodes": 0, "total_s": 0.0,
                                             "message": f["message"], "reviews": Counter()})
        row["episodes"] += 1
        row["total_s"] += max(0.0, f["end_s"] - f["start_s"])
        row["reviews"][f["review"]] += 1
    return [dict(r, total_s=round(r["total_s"], 1),
                 reviews=", ".join(f"{n} {k}" for k, n in sorted(r["reviews"].items())))
            for r in by_code.values()]


def measured_text(flag: dict[str, Any], config: RulesConfig) -> str:
    """The flag's worst value with its unit ("-22° trunk lean"), or "" when unknown."""
    if flag.get("peak_value") is None:
        return ""
    try:
        metric = config.rule(flag["code"]).metric
    except KeyError:
        return f"{flag['peak_value']}"
    return format_value(metric, float(flag["peak_value"])) if metric in UNITS else f"{flag['peak_value']}"


class _Pdf(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.add_font("DejaVu", "", str(_FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(_FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(False)  # one page: content is sized to fit instead
        self.set_margins(12, 12, 12)


def pdf_report(session: dict[str, Any], media_dir: Path, plot_png: bytes | None, config: RulesConfig) -> bytes:
    """A one-page A4 report: the session, a flag summary, the timeline plot, key frames."""
    pdf = _Pdf()
    pdf.add_page()
    epw = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("DejaVu", "B", 15)
    pdf.cell(epw, 8, "stretchcheck - lunge stretch session report", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    source = session["video_name"] if session["source"] != "live" else "live webcam"
    pdf.multi_cell(epw, 4.5, (
        f"Session {session['id']} ({session['source']}: {source}), started {session['started_at']}, "
        f"status {session['status']}. Stretched side: {session['side'] or '-'}; held "
        f"{session['hold_s']:.1f} s, of which good form {session['good_form_s']:.1f} s."),
        new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)

    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(epw, 6, "Flags", new_x="LMARGIN", new_y="NEXT")
    summary = flag_summary(session)
    pdf.set_font("DejaVu", "", 8)
    if not summary:
        pdf.cell(epw, 5, "No form flags in this session.", new_x="LMARGIN", new_y="NEXT")
    else:
        with pdf.table(col_widths=(38, 18, 14, 68, 48), line_height=4.2, text_align="LEFT",
                       first_row_as_headings=True) as table:
            table.row(("flag", "episodes", "total s", "cue", "reviews"))
            for r in summary[:8]:
                table.row((r["code"], str(r["episodes"]), f"{r['total_s']:.1f}", r["message"], r["reviews"]))
    pdf.ln(2)

    if plot_png:
        pdf.image(io.BytesIO(plot_png), x=pdf.l_margin, w=epw, h=min(105.0, pdf.h - pdf.get_y() - 80), keep_aspect_ratio=True)
        pdf.ln(1)

    pictured = [f for f in session["flags"] if f.get("image") and (media_dir / f["image"]).is_file()][:4]
    if pictured:
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(epw, 6, "Key frames (worst moment of each flag)", new_x="LMARGIN", new_y="NEXT")
        gap = 3.0
        w = (epw - gap * 3) / 4
        y = pdf.get_y()
        for i, f in enumerate(pictured):
            x = pdf.l_margin + i * (w + gap)
            pdf.image(str(media_dir / f["image"]), x=x, y=y, w=w, h=w * 0.75, keep_aspect_ratio=True)
            pdf.set_xy(x, y + w * 0.75 + 0.5)
            pdf.set_font("DejaVu", "", 6.5)
            value = measured_text(f, config)
            pdf.multi_cell(w, 3, f"{f['start_s']:.1f}-{f['end_s']:.1f} s  {f['code']}"
                           f"{'  ' + value if value else ''}\n[{f['review']}]")
        pdf.set_y(y + w * 0.75 + 8)

    pdf.set_font("DejaVu", "", 6.5)
    pdf.set_y(max(pdf.get_y() + 2, pdf.h - 22))
    tilt_note = ((session.get("summary") or {}).get("pelvic_tilt") or {}).get("note")
    pdf.multi_cell(epw, 3, "Glute engagement: " + INFERENCE_NOTES["no_glute_engagement"] + " "
                   + INFERENCE_NOTES["pelvic_tilt"] + (" This session: " + tilt_note if tilt_note else ""))
    return bytes(pdf.output())
