"""Exports: names that cannot escape STRETCHCHECK_HOME, a CSV safe for spreadsheets, and a
one-page PDF."""

import csv
import io
import subprocess

import numpy as np
import pytest

from posture_rules.config import load_config
from stretchcheck.flag_pictures import write_jpeg_atomic
from stretchcheck.plots import figure_png, read_series, timeline_figure
from stretchcheck.report import ExportError, export_path, flag_summary, flags_csv, pdf_report
from stretchcheck.store import SessionStore
from tests.app.sessions import stored_session

CONFIG = load_config()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report", "report.csv"),
        ("../../etc/passwd", "passwd.csv"),          # path parts are dropped
        ("/abs/path/x.csv", "x.csv"),                # so is an absolute path, and the suffix
        ("séance 3; rm -rf", "s_ance_3_rm_-rf.csv"),  # odd characters become _
        ("..hidden", "hidden.csv"),
    ],
)
def test_export_names_stay_in_the_exports_folder(tmp_path, name, expected):
    path = export_path(tmp_path, name, ".csv")
    assert path == (tmp_path / "exports" / expected).resolve()


@pytest.mark.parametrize("name", ["", "..", "/", "../..", "***"])
def test_export_names_with_nothing_usable_are_refused(tmp_path, name):
    with pytest.raises(ExportError):
        export_path(tmp_path, name, ".pdf")


def test_csv_has_one_row_per_flag_and_neutralises_formulas(isolated_home):
    store = SessionStore()
    sid = stored_session(store)
    first = store.get_session(sid)["flags"][0]
    store.review_flag(sid, first["id"], "confirmed", '=HYPERLINK("http://x")')
    rows = list(csv.DictReader(io.StringIO(flags_csv(store.get_session(sid)).decode())))
    assert [r["code"] for r in rows] == ["trunk_lean_forward", "no_glute_engagement"]
    assert rows[0]["review"] == "confirmed" and rows[0]["review_note"].startswith("'=")
    assert rows[0]["duration_s"] == "2.5"


def test_flag_summary_counts_episodes_and_reviews(isolated_home):
    store = SessionStore()
    session = store.get_session(stored_session(store))
    summary = {r["code"]: r for r in flag_summary(session)}
    assert summary["no_glute_engagement"]["total_s"] == 3.0
    assert summary["trunk_lean_forward"]["reviews"] == "1 pending"


def test_timeline_plot_draws_every_measured_metric(isolated_home):
    store = SessionStore()
    session = store.get_session(stored_session(store))
    series = read_series(store.media_dir(session["id"]) / "frames.csv")
    fig = timeline_figure(series, session["flags"], CONFIG)
    assert len(fig.axes) == 4  # pelvic tilt was never measured: named in the title instead
    assert "Pelvic tilt" in fig._suptitle.get_text()
    assert figure_png(fig)[:8] == b"\x89PNG\r\n\x1a\n"


def test_pdf_report_is_one_page_with_the_flags(isolated_home, tmp_path):
    store = SessionStore()
    session = store.get_session(stored_session(store))
    media = store.media_dir(session["id"])
    png = figure_png(timeline_figure(read_series(media / "frames.csv"), session["flags"], CONFIG))
    pdf = pdf_report(session, media, png, CONFIG)
    assert pdf.startswith(b"%PDF") and b"/Count 1" in pdf  # exactly one page
    out = tmp_path / "r.pdf"
    out.write_bytes(pdf)
    try:
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    except FileNotFoundError:
        pytest.skip("pdftotext (poppler-utils) not installed")
    assert "trunk_lean_forward" in text and "Inferred, not measured" in text


def test_flag_picture_is_written_whole(tmp_path):
    write_jpeg_atomic(tmp_path / "a.jpg", np.zeros((10, 10, 3), np.uint8))
    assert (tmp_path / "a.jpg").read_bytes()[:2] == b"\xff\xd8"
    assert not list(tmp_path.glob(".*.tmp"))
