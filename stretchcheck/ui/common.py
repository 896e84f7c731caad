"""Helpers every page shares: the store, the rules, error panels and safe text."""

from __future__ import annotations

import html
import logging
import sqlite3
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import streamlit as st

from posture_rules.config import RulesConfig, load_config
from stretchcheck.store import SessionStore, default_home

log = logging.getLogger("stretchcheck.ui")


@st.cache_resource
def rules_config() -> RulesConfig:
    """The shipped rules; a frozen value, so one copy is safe to share between sessions."""
    return load_config()


def store() -> SessionStore:
    # Not cached: it is cheap to open and reads STRETCHCHECK_HOME each time, so a test (or
    # a person) pointing the variable elsewhere gets that store.
    return SessionStore()


def error_panel(sentence: str) -> None:
    """One clear sentence in an error box: what went wrong and what to do."""
    st.error(sentence)


def guarded(page: Callable[[], Any]) -> Callable[[], Any]:
    """Run a page so that an unexpected failure shows an error panel, not a traceback.

    Streamlit's own control-flow exceptions (rerun, stop) must pass through untouched.
    """

    @wraps(page)
    def run() -> Any:
        try:
            return page()
        except (OSError, sqlite3.Error) as exc:
            log.exception("store failed")
            error_panel(f"The session store in {default_home()} cannot be used "
                        f"({getattr(exc, 'strerror', None) or exc}); check that the folder is writable "
                        "and has free space, or set STRETCHCHECK_HOME to another folder.")
            return None
        except Exception as exc:
            if type(exc).__module__.startswith("streamlit"):
                raise
            log.exception("page failed")
            error_panel(f"Something went wrong on this page ({type(exc).__name__}); "
                        "reload the page, and if it happens again report it with the app's log.")
            return None

    return run


def escape(text: Any) -> str:
    """User text made safe to place inside markdown or HTML: shown literally, never run."""
    escaped = html.escape(str(text), quote=True)
    for ch in "\\`*_{}[]()#+-.!|~>":
        escaped = escaped.replace(ch, "\\" + ch)
    return escaped


def inside(folder: Path, relative: str | None) -> Path | None:
    """``folder/relative`` if it exists and stays inside ``folder``, else None."""
    if not relative:
        return None
    path = (folder / relative).resolve()
    try:
        path.relative_to(folder.resolve())
    except ValueError:
        return None
    return path if path.is_file() else None
