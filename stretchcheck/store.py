"""The session store: SQLite (WAL) plus a media folder per session, under STRETCHCHECK_HOME.

Every live session, uploaded video and CLI run is a row in ``sessions`` with its flag
episodes in ``flags``; pictures and annotated videos live in ``media/<session id>/``.
Why SQLite in WAL mode with synchronous=FULL: each commit is durable when it returns and a
killed process leaves a database that opens clean, so a live session that saves its progress
every second loses at most the last second.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SOURCES = ("live", "upload", "cli")
REVIEW_STATES = ("pending", "confirmed", "dismissed")
_ID = re.compile(r"^[0-9a-f]{12}$")

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id           TEXT PRIMARY KEY,
    started_at   TEXT NOT NULL,
    ended_at     TEXT,
    source       TEXT NOT NULL CHECK (source IN ('live', 'upload', 'cli')),
    video_name   TEXT,
    side         TEXT,
    hold_s       REAL NOT NULL DEFAULT 0,
    good_form_s  REAL NOT NULL DEFAULT 0,
    status       TEXT NOT NULL DEFAULT 'recording',
    summary_json TEXT
);
CREATE TABLE IF NOT EXISTS flags (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id   TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    code         TEXT NOT NULL,
    start_s      REAL NOT NULL,
    end_s        REAL NOT NULL,
    peak_frame   INTEGER,
    peak_value   REAL,
    message      TEXT NOT NULL DEFAULT '',
    image        TEXT,
    review       TEXT NOT NULL DEFAULT 'pending' CHECK (review IN ('pending', 'confirmed', 'dismissed')),
    review_note  TEXT NOT NULL DEFAULT '',
    reviewed_at  TEXT
);
CREATE INDEX IF NOT EXISTS flags_by_session ON flags(session_id);
"""


class StoreError(ValueError):
    """A request the store refuses (unknown id, bad value); the message says which."""


def default_home() -> Path:
    return Path(os.environ.get("STRETCHCHECK_HOME") or Path.home() / ".stretchcheck")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def check_session_id(session_id: str) -> str:
    """A session id is 12 lowercase hex digits; anything else (``../x``) is refused."""
    if not isinstance(session_id, str) or not _ID.match(session_id):
        raise StoreError(f"not a session id: {session_id!r} (expected 12 hex digits)")
    return session_id


class SessionStore:
    """Sessions and their flags, safe to open from several threads and processes."""

    def __init__(self, home: str | Path | None = None):
        self.home = Path(home) if home is not None else default_home()
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "media").mkdir(exist_ok=True)
        self.db_path = self.home / "stretchcheck.db"
        with self._connect() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # A short-lived connection per call: sqlite3 connections must not cross threads, and
        # the webcam callback and the page run on different ones.
        db = sqlite3.connect(self.db_path, timeout=10.0)
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            with db:  # one transaction: committed on success, rolled back on error
                yield db
        finally:
            db.close()

    # -- writing -----------------------------------------------------------------------
    def create_session(self, source: str, video_name: str | None = None, started_at: str | None = None) -> str:
        if source not in SOURCES:
            raise StoreError(f"source must be one of {', '.join(SOURCES)}, got {source!r}")
        session_id = uuid.uuid4().hex[:12]
        with self._connect() as db:
            db.execute(
                "INSERT INTO sessions (id, started_at, source, video_name) VALUES (?, ?, ?, ?)",
                (session_id, started_at or now_iso(), source, video_name),
            )
        return session_id

    def save_progress(
        self,
        session_id: str,
        *,
        side: str | None,
        hold_s: float,
        good_form_s: float,
        flags: Iterable[dict[str, Any]],
        status: str = "recording",
        summary: dict[str, Any] | None = None,
    ) -> None:
        """Replace the session's running totals and flag list in one transaction.

        Reviews already given to a flag (matched by code and start time) are kept.
        """
        check_session_id(session_id)
        flags = list(flags)
        with self._connect() as db:
            if db.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is None:
                raise StoreError(f"no session {session_id}")
            kept = {
                (r["code"], round(r["start_s"], 3)): (r["review"], r["review_note"], r["reviewed_at"])
                for r in db.execute("SELECT * FROM flags WHERE session_id = ?", (session_id,))
            }
            db.execute(
                "UPDATE sessions SET side = ?, hold_s = ?, good_form_s = ?, status = ?, "
                "ended_at = CASE WHEN ? = 'recording' THEN ended_at ELSE ? END, "
                "summary_json = COALESCE(?, summary_json) WHERE id = ?",
                (side, float(hold_s), float(good_form_s), status, status, now_iso(),
                 json.dumps(summary) if summary is not None else None, session_id),
            )
            db.execute("DELETE FROM flags WHERE session_id = ?", (session_id,))
            for f in flags:
                review = kept.get((f["code"], round(float(f["start_s"]), 3)), ("pending", "", None))
                db.execute(
                    "INSERT INTO flags (session_id, code, start_s, end_s, peak_frame, peak_value, message, "
                    "image, review, review_note, reviewed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (session_id, f["code"], float(f["start_s"]), float(f["end_s"]), f.get("peak_frame"),
                     f.get("peak_value"), f.get("message", ""), f.get("image"), *review),
                )

    def media_dir(self, session_id: str) -> Path:
        """The session's media folder (created), always inside STRETCHCHECK_HOME/media."""
        path = self.home / "media" / check_session_id(session_id)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def save_analysis(self, summary: dict[str, Any], out_dir: str | Path, source: str) -> str:
        """Store a finished file analysis (CLI or upload) with copies of its pictures and video."""
        session_id = self.create_session(source, video_name=Path(summary["clip"]["file"]).name)
        media = self.media_dir(session_id)
        out = Path(out_dir)
        flags = []
        for f in summary["flags"]:
            f = dict(f)
            if f.get("image") and (out / f["image"]).is_file():
                (media / "flags").mkdir(exist_ok=True)
                shutil.copy2(out / f["image"], media / f["image"])
            flags.append(f)
        for name in ("annotated.mp4", "frames.csv", "summary.json"):
            if (out / name).is_file():
                shutil.copy2(out / name, media / name)
        self.save_progress(
            session_id,
            side=summary.get("stretched_side"),
            hold_s=summary.get("hold_s", 0.0),
            good_form_s=summary.get("good_form_s", 0.0),
            flags=flags,
            status="complete",
            summary=summary,
        )
        return session_id

    def review_flag(self, session_id: str, flag_id: int, review: str, note: str = "") -> None:
        check_session_id(session_id)
        if review not in REVIEW_STATES:
            raise StoreError(f"review must be one of {', '.join(REVIEW_STATES)}, got {review!r}")
        with self._connect() as db:
            cur = db.execute(
                "UPDATE flags SET review = ?, review_note = ?, reviewed_at = ? WHERE id = ? AND session_id = ?",
                (review, str(note)[:2000], now_iso(), int(flag_id), session_id),
            )
            if cur.rowcount != 1:
                raise StoreError(f"no flag {flag_id} in session {session_id}")

    # -- reading -----------------------------------------------------------------------
    def list_sessions(self) -> list[dict[str, Any]]:
        """All sessions, newest first, each with its flags (code, start_s, end_s, review)."""
        with self._connect() as db:
            rows = db.execute("SELECT * FROM sessions ORDER BY started_at DESC, rowid DESC").fetchall()
            flags = db.execute("SELECT * FROM flags ORDER BY session_id, start_s, id").fetchall()
        by_session: dict[str, list[dict[str, Any]]] = {}
        for f in flags:
            by_session.setdefault(f["session_id"], []).append(_flag(f))
        return [_session(r, by_session.get(r["id"], [])) for r in rows]

    def get_session(self, session_id: str) -> dict[str, Any]:
        check_session_id(session_id)
        with self._connect() as db:
            row = db.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if row is None:
                raise StoreError(f"no session {session_id}")
            flags = db.execute(
                "SELECT * FROM flags WHERE session_id = ? ORDER BY start_s, id", (session_id,)
            ).fetchall()
        session = _session(row, [_flag(f) for f in flags])
        session["summary"] = json.loads(row["summary_json"]) if row["summary_json"] else None
        session["media_dir"] = str(self.home / "media" / session_id)
        return session


def _flag(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "code": row["code"],
        "start_s": row["start_s"],
        "end_s": row["end_s"],
        "peak_frame": row["peak_frame"],
        "peak_value": row["peak_value"],
        "message": row["message"],
        "image": row["image"],
        "review": row["review"],
        "review_note": row["review_note"],
        "reviewed_at": row["reviewed_at"],
    }


def _session(row: sqlite3.Row, flags: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "started_at": row["started_at"],
        "ended_at": row["ended_at"],
        "source": row["source"],
        "video_name": row["video_name"],
        "side": row["side"],
        "hold_s": row["hold_s"],
        "good_form_s": row["good_form_s"],
        "status": row["status"],
        "flags": flags,
    }
