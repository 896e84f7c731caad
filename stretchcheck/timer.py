"""The tool-session timer: the protocol of shared/DOMAIN.md as a small state machine.

One session, per side (left, then right): psoas pressure, iliacus pressure, posterior hip
release with a ball, then the lunge stretch. Pressure steps have a 30-90 s window (under 30 s
is too short, over 90 s more than needed); the lunge step's time is not wall-clock time but the
checker's good-form hold, so it only grows while the person holds the stretch well.

Why a plain class with ``now`` passed in: Streamlit reruns the page script on every click,
so the timer must be a value that lives in ``st.session_state`` and is advanced by explicit
calls; passing the clock in makes every transition testable without sleeping.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SIDES = ("left", "right")


@dataclass(frozen=True)
class StepSpec:
    """One step of the protocol; ``min_s``/``max_s`` is its time window where it has one."""

    key: str
    title: str
    instruction: str
    min_s: float | None = None
    max_s: float | None = None
    from_checker: bool = False  # the lunge: time = the checker's good-form hold


PROTOCOL: tuple[StepSpec, ...] = (
    StepSpec("psoas", "Psoas pressure", "Lie on the tool and let it sink into the psoas.", 30.0, 90.0),
    StepSpec("iliacus", "Iliacus pressure",
             "Push the tool's lever so the tip presses into the iliacus; breathe. "
             "A release is usually felt after 30-60 s.", 30.0, 90.0),
    StepSpec("ball", "Posterior hip release",
             "Ball under the glutes, piriformis and QL (quadratus lumborum)."),
    StepSpec("lunge", "Lunge stretch",
             "Kneeling lunge with this hip behind you; the checker counts good-form seconds.",
             from_checker=True),
)


@dataclass
class StepRecord:
    side: str
    step: str
    elapsed_s: float = 0.0
    done: bool = False


@dataclass(frozen=True)
class StepStatus:
    """What the page shows for the current step: a level (info, ok, warn) and one sentence."""

    level: str
    message: str


def verdict(spec: StepSpec, elapsed_s: float) -> StepStatus:
    """How a step's time compares with its window (a step without a window is always ok)."""
    if spec.min_s is not None and elapsed_s < spec.min_s:
        return StepStatus("warn", f"Under {spec.min_s:.0f} s: too short for the muscle to release.")
    if spec.max_s is not None and elapsed_s > spec.max_s:
        return StepStatus("warn", f"Over {spec.max_s:.0f} s: more than needed.")
    if spec.min_s is not None:
        return StepStatus("ok", f"In the {spec.min_s:.0f}-{spec.max_s:.0f} s window.")
    return StepStatus("ok", "Done.")


@dataclass
class ToolSessionTimer:
    """Steps in protocol order for each side, with start, pause and next.

    ``next`` keeps the running state: someone lying on the tool should not have to press
    start again for every step.
    """

    index: int = 0
    running: bool = False
    since: float | None = None  # clock time the current run began (wall-clock steps)
    records: list[StepRecord] = field(
        default_factory=lambda: [StepRecord(side, s.key) for side in SIDES for s in PROTOCOL])
    # The last good-form total seen from the checker, with the live session it came from.
    checker_mark: tuple[str, float] | None = None
    side_mismatch: str | None = None

    # -- where we are ------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self.index >= len(self.records)

    @property
    def current(self) -> tuple[StepRecord, StepSpec] | None:
        if self.finished:
            return None
        record = self.records[self.index]
        return record, spec_for(record.step)

    def elapsed(self, now: float) -> float:
        """Seconds counted for the current step so far (0 when finished)."""
        cur = self.current
        if cur is None:
            return 0.0
        record, spec = cur
        if self.running and not spec.from_checker and self.since is not None:
            return record.elapsed_s + max(0.0, now - self.since)
        return record.elapsed_s

    # -- transitions -------------------------------------------------------------------
    def start(self, now: float) -> None:
        if self.finished or self.running:
            return
        self.running, self.since = True, now

    def pause(self, now: float) -> None:
        if not self.running:
            return
        self._bank(now)
        self.running, self.since = False, None

    def next(self, now: float) -> None:
        """End the current step (its time is kept) and move on, still running if it was."""
        if self.finished:
            return
        self._bank(now)
        self.records[self.index].done = True
        self.index += 1
        self.side_mismatch = None
        if self.finished:
            self.running, self.since = False, None
        elif self.running:
            self.since = now

    def reset(self) -> None:
        fresh = ToolSessionTimer()
        self.__dict__.update(fresh.__dict__)

    def _bank(self, now: float) -> None:
        cur = self.current
        if cur is None:
            return
        record, spec = cur
        if self.running and not spec.from_checker and self.since is not None:
            record.elapsed_s += max(0.0, now - self.since)
            self.since = now

    def observe_checker(self, live_session: str | None, good_form_s: float, stretched_side: str | None) -> None:
        """Credit the lunge step with the good-form seconds the checker added since last seen.

        Only while the lunge step runs and the checker sees this step's side stretched: the
        other hip's stretch does not count for this side. A new live session restarts the
        checker's total, so the mark is per session.
        """
        previous = self.checker_mark
        self.checker_mark = (live_session, good_form_s) if live_session else None
        cur = self.current
        if cur is None or not cur[1].from_checker or not self.running:
            self.side_mismatch = None
            return
        record, _ = cur
        if stretched_side is not None and stretched_side != record.side:
            self.side_mismatch = stretched_side
            return
        self.side_mismatch = None
        if previous is None or previous[0] != live_session or stretched_side is None:
            return
        record.elapsed_s += max(0.0, good_form_s - previous[1])

    # -- what to show ------------------------------------------------------------------
    def status(self, now: float) -> StepStatus:
        """The current step's window message, updated while it runs."""
        cur = self.current
        if cur is None:
            return StepStatus("ok", "Tool session complete for both sides.")
        record, spec = cur
        t = self.elapsed(now)
        if spec.from_checker:
            if self.side_mismatch:
                return StepStatus("warn", f"The checker sees the {self.side_mismatch} hip stretched; "
                                          f"this step is for the {record.side} hip.")
            return StepStatus("info", f"Good-form hold: {t:.0f} s (counted by the checker).")
        if spec.min_s is not None and t < spec.min_s:
            return StepStatus("info" if self.running else "warn",
                              f"{spec.min_s - t:.0f} s to the {spec.min_s:.0f} s minimum; "
                              f"under {spec.min_s:.0f} s is too short.")
        return verdict(spec, t)

    def summary(self) -> list[dict[str, Any]]:
        """One row per step done: side, step, seconds, and the window verdict."""
        rows = []
        for r in self.records:
            if not r.done:
                continue
            spec = spec_for(r.step)
            v = verdict(spec, r.elapsed_s)
            rows.append({"side": r.side, "step": spec.title, "seconds": round(r.elapsed_s, 1),
                         "verdict": v.message if v.level == "warn" else "ok"})
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "running": self.running,
                "records": [asdict(r) for r in self.records], "summary": self.summary()}


def spec_for(key: str) -> StepSpec:
    for spec in PROTOCOL:
        if spec.key == key:
            return spec
    raise KeyError(key)
