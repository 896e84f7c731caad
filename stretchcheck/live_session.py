"""One live (webcam) session: the pipeline per frame, its record in the store, and the hand-off
from the webcam thread to the page.

streamlit-webrtc calls the frame callback on its own worker thread, never on the thread that
runs the page script. ``LiveRunner`` is the meeting point: the callback thread writes the
latest ``LiveSnapshot`` under a lock and the page reads it under the same lock, so the page
never sees half an update and never touches the (not thread-safe) estimator.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np
from numpy.typing import NDArray

from posture_rules.types import FlagEpisode, FrameResult, Phase
from stretchcheck import __version__
from stretchcheck.flag_pictures import FlagPictures
from stretchcheck.outputs import INFERENCE_NOTES, FramesCsv, write_json_atomic
from stretchcheck.pelvis_report import neutral_status
from stretchcheck.pipeline import LiveAnalyzer
from stretchcheck.setup_check import SetupCheck, check_setup, frame_brightness
from stretchcheck.store import SessionStore
from vision.draw import AMBER, BannerAnnotator

log = logging.getLogger(__name__)
SAVE_EVERY_S = 1.0  # a killed app loses at most this much of a live session


@dataclass(frozen=True)
class LiveSnapshot:
    """What the page shows: the latest frame's result, made by the callback thread."""

    session_id: str | None = None
    result: FrameResult | None = None
    setup: SetupCheck | None = None
    frames: int = 0
    fps: float = 0.0
    error: str | None = None
    saved: tuple[str, ...] = ()  # ids of sessions finished in this browser session
    neutral: dict[str, Any] | None = None  # the neutral-pelvis calibration (pelvis_report.neutral_status)


def episode_dict(e: FlagEpisode, image: str | None) -> dict[str, Any]:
    return {"code": e.code, "start_s": round(e.start_s, 3), "end_s": round(e.end_s, 3),
            "peak_frame": e.peak_frame, "peak_value": round(e.peak_value, 3),
            "message": e.message, "image": image}


class LiveSession:
    """One camera run from its first frame to stop: a 'live' session in the store.

    Progress (totals and flags so far, including flags still raised) is written about once
    a second; frames.csv is flushed row by row. Not thread-safe: ``LiveRunner`` serialises calls.
    """

    def __init__(self, store: SessionStore, analyzer: LiveAnalyzer, clock: Callable[[], float] = time.monotonic):
        self.store = store
        self.analyzer = analyzer
        self.clock = clock
        self.id = store.create_session("live", video_name="webcam")
        self.media = store.media_dir(self.id)
        self.csv = FramesCsv(self.media / "frames.csv")
        self.pictures = FlagPictures(analyzer.annotator, self.media / "flags")
        self.banner = BannerAnnotator()
        self.frames = 0
        self.with_person = 0
        self.episodes: list[FlagEpisode] = []
        self.last: FrameResult | None = None
        self._t0: float | None = None
        self._last_t = -1.0
        self._last_save: float | None = None
        self.closed = False

    def process(self, image: NDArray[np.uint8], source_time_s: float | None) -> tuple[NDArray[np.uint8], FrameResult, SetupCheck]:
        """Run one RGB frame through the live pipeline; returns the picture to show."""
        t = self._time(source_time_s)
        annotated, pose, result = self.analyzer.process(image, t)
        setup = check_setup(pose, frame_brightness(image))
        if result.phase == Phase.SETTING_UP and not result.cues and setup.fixes:
            self.banner.annotate(annotated, setup.fixes[0], AMBER)
        self.csv.write(result)
        self.frames += 1
        self.with_person += int(result.measurements.person)
        self.last = result
        self.pictures.offer(image, pose, result)
        for episode in result.ended_episodes:
            self.episodes.append(episode)
            self.pictures.save(episode)
        now = self.clock()
        if self._last_save is None or now - self._last_save >= SAVE_EVERY_S:
            self.save_progress()
            self._last_save = now
        return annotated, result, setup

    def _time(self, source_time_s: float | None) -> float:
        """Seconds since the first frame, from the frame's own timestamp when it has one.

        Why the source's timestamp: frames wait in queues, so arrival time jitters; a
        timestamp that goes backwards (a renegotiated stream) falls back to the clock.
        """
        raw = source_time_s if source_time_s is not None else self.clock()
        if self._t0 is None:
            self._t0 = raw
        t = raw - self._t0
        if t <= self._last_t:
            t = self._last_t + 1.0 / 30.0
            self._t0 = raw - t
        self._last_t = t
        return t

    def _open_flags(self) -> list[dict[str, Any]]:
        """Flags still raised, as episodes so far (true onset and peak, ending now); the
        checker's finished episode replaces each when the flag clears or the session ends."""
        return [
            episode_dict(e, self.pictures.save_open(e.code)) for e in self.analyzer.checker.open_episodes()
        ]

    def _totals(self) -> dict[str, Any]:
        checker = self.analyzer.checker
        return {"side": checker.stretched_side, "hold_s": checker.hold_s, "good_form_s": checker.good_form_s}

    def save_progress(self) -> None:
        flags = [episode_dict(e, self.pictures.image_for(e)) for e in self.episodes] + self._open_flags()
        self.store.save_progress(self.id, flags=flags, **self._totals())

    def finish(self, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """Close the estimator and every open flag; store the session as complete."""
        if self.closed:
            raise RuntimeError("live session already finished")
        self.closed = True
        episodes = self.analyzer.close()
        self.csv.close()
        for episode in episodes:
            if self.pictures.image_for(episode) is None:
                self.pictures.save(episode)
        self.pictures.drop_open()
        duration = self.last.time_s if self.last is not None else 0.0
        totals = self._totals()
        summary: dict[str, Any] = {
            "tool": {"name": "stretchcheck", "version": __version__},
            "analysed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "clip": {"file": "webcam", "frames": self.frames, "duration_s": round(duration, 3),
                     "fps": round(self.frames / duration, 3) if duration > 0 else 0.0},
            "pose": {"backend": self.analyzer.estimator.name, "model": "lite"},
            "person_found": self.with_person > 0,
            "frames_with_person": self.with_person,
            "message": _headline(self.with_person, totals["hold_s"], episodes),
            "stretched_side": totals["side"],
            "hold_s": round(totals["hold_s"], 3),
            "good_form_s": round(totals["good_form_s"], 3),
            "flags": [episode_dict(e, self.pictures.image_for(e)) for e in episodes],
            "inferences": INFERENCE_NOTES,
            "outputs": {"frames_csv": "frames.csv", "annotated_video": None},
            **(extra or {}),
        }
        write_json_atomic(self.media / "summary.json", summary)
        self.store.save_progress(self.id, side=totals["side"], hold_s=totals["hold_s"],
                                 good_form_s=totals["good_form_s"], flags=summary["flags"],
                                 status="complete", summary=summary)
        return summary


def _headline(with_person: int, hold_s: float, episodes: list[FlagEpisode]) -> str:
    if with_person == 0:
        return "No person was seen by the camera."
    if hold_s <= 0:
        return "A person was seen, but no lunge stretch was held."
    if not episodes:
        return "Lunge stretch held with good form throughout."
    return f"Lunge stretch held; form flags: {', '.join(sorted({e.code for e in episodes}))}."


@dataclass
class _Rate:
    """Frames processed per second over the last second or so."""

    stamps: list[float] = field(default_factory=list)

    def tick(self, now: float) -> float:
        self.stamps.append(now)
        while self.stamps and now - self.stamps[0] > 2.0:
            self.stamps.pop(0)
        span = self.stamps[-1] - self.stamps[0]
        return (len(self.stamps) - 1) / span if span > 0 else 0.0


class LiveRunner:
    """Per browser session: owns the current ``LiveSession`` and the snapshot for the page.

    The webcam worker thread calls ``on_frame``/``on_ended``; the page thread calls
    ``snapshot``, ``save_now`` and ``set_extra``. ``_lock`` serialises everything that touches
    the session (a frame takes ~20 ms, so the page waits at most that long).
    """

    def __init__(self, store_factory: Callable[[], SessionStore] = SessionStore,
                 analyzer_factory: Callable[[], LiveAnalyzer] | None = None):
        self._store_factory = store_factory
        # The pelvic-tilt switches of the page; they apply to the next camera session.
        self.markers: str | None = None
        self.outline = False
        self._analyzer_factory = analyzer_factory or (
            lambda: LiveAnalyzer(model="lite", markers=self.markers, outline=self.outline))
        self._calibrate_next = False
        self._lock = threading.Lock()
        self._session: LiveSession | None = None
        self._snapshot = LiveSnapshot()
        self._saved: list[str] = []
        self._extra: dict[str, Any] = {}
        self._rate = _Rate()

    # -- webcam thread -----------------------------------------------------------------
    def on_frame(self, frame: Any) -> Any:
        """streamlit-webrtc's ``video_frame_callback``: av.VideoFrame in, annotated frame out."""
        import av

        image = frame.to_ndarray(format="rgb24")
        out = self.process_rgb(image, frame.time)
        new = av.VideoFrame.from_ndarray(out, format="rgb24")
        new.pts, new.time_base = frame.pts, frame.time_base
        return new

    def process_rgb(self, image: NDArray[np.uint8], source_time_s: float | None) -> NDArray[np.uint8]:
        with self._lock:
            try:
                if self._session is None:
                    self._session = LiveSession(self._store_factory(), self._analyzer_factory())
                if self._calibrate_next:
                    self._session.analyzer.request_calibration()
                    self._calibrate_next = False
                annotated, result, setup = self._session.process(image, source_time_s)
            except Exception as exc:  # a bad frame must not kill the camera thread
                log.exception("live frame failed")
                self._publish(error=f"The checker stopped on a frame: {type(exc).__name__}: {exc}")
                return image
            self._publish(session_id=self._session.id, result=result, setup=setup,
                          frames=self._session.frames, fps=self._rate.tick(time.monotonic()), error=None,
                          neutral=neutral_status(self._session.analyzer.checker.neutral, result.time_s))
            return annotated

    def on_ended(self) -> None:
        """The camera stopped (STOP pressed, tab closed): store the session as complete."""
        self.finish()

    # -- page thread -------------------------------------------------------------------
    def snapshot(self) -> LiveSnapshot:
        with self._lock:
            return self._snapshot

    def set_pelvis(self, markers: str | None, outline: bool) -> None:
        """The page's pelvic-tilt switches: sticker colour (None = no stickers) and body
        outline. Applied from the next camera session (the estimator is made per session)."""
        with self._lock:
            self.markers, self.outline = markers, outline

    def calibrate(self) -> None:
        """Calibrate the neutral pelvis over the next 3 s (the page's guided calibration)."""
        with self._lock:
            self._calibrate_next = True

    def set_extra(self, **extra: Any) -> None:
        """Data from the page saved with the session (the tool-session timer's steps)."""
        with self._lock:
            self._extra.update(extra)

    def finish(self) -> str | None:
        """Finish the current session, if any; the next frame starts a new one. Returns its id."""
        with self._lock:
            session, self._session = self._session, None
            if session is None:
                return None
            try:
                session.finish(dict(self._extra))
            except Exception as exc:
                log.exception("saving the live session failed")
                self._publish(error=f"The session could not be saved: {exc}")
                return None
            self._saved.append(session.id)
            self._publish(session_id=None, saved=tuple(self._saved))
            return session.id

    save_now = finish  # the "Save session" button

    def _publish(self, **changes: Any) -> None:
        # Called with _lock held: a new frozen snapshot replaces the old one in one step.
        fields_ = {**self._snapshot.__dict__, **changes}
        self._snapshot = LiveSnapshot(**fields_)
