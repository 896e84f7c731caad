"""Time logic: sticky choices, the lunge phase machine and flag persistence with hysteresis.

Everything here is driven by each frame's own timestamp (seconds), never by a frame count, so
variable-frame-rate video and dropped live frames give the same timings as a steady 30 fps.
"""

from __future__ import annotations

from dataclasses import dataclass

from posture_rules.config import FlagTimingConfig, LungeConfig, RuleSpec
from posture_rules.types import FlagEpisode, Phase

# A gap between frames longer than this (a stall, a cut) is not counted as time in the
# stretch: we did not see the person during it.
MAX_COUNTED_GAP_S = 1.0


class StickyChoice:
    """A categorical value (facing, stretched side) that changes only after a new value persists.

    One frame of left/right confusion from the pose model must not flip the stretched side.
    """

    def __init__(self, switch_after_s: float):
        self.switch_after_s = switch_after_s
        self.value: str | None = None
        self._candidate: str | None = None
        self._candidate_since = 0.0

    def update(self, t: float, observed: str | None, switch_after_s: float | None = None) -> str | None:
        """The settled value after seeing ``observed`` at ``t``; ``switch_after_s`` overrides
        how long a new value must persist (longer while a stretch is held)."""
        wait = self.switch_after_s if switch_after_s is None else switch_after_s
        if observed is None or observed == self.value:
            self._candidate = None
            return self.value
        if self.value is None:
            self.value = observed
            return self.value
        if observed != self._candidate:
            self._candidate, self._candidate_since = observed, t
        elif t - self._candidate_since >= wait:
            self.value, self._candidate = observed, None
        return self.value


class PhaseTracker:
    """no person → setting up → stretch → out of the stretch (→ stretch again), plus hold time."""

    def __init__(self, cfg: LungeConfig):
        self.cfg = cfg
        self.phase = Phase.NO_PERSON
        self.hold_s = 0.0
        self._was_in_stretch = False
        self._pending_since: float | None = None  # when the opposite condition began
        self._absent_since: float | None = None
        self._last_t: float | None = None

    def update(self, t: float, person: bool, in_lunge: bool | None) -> Phase:
        dt = 0.0 if self._last_t is None else max(0.0, t - self._last_t)
        self._last_t = t
        if self.phase == Phase.STRETCH:
            self.hold_s += dt if dt <= MAX_COUNTED_GAP_S else 0.0
            leaving = (not person) or in_lunge is False
            if leaving:
                if self._pending_since is None:
                    self._pending_since = t
                if t - self._pending_since >= self.cfg.exit_after_s:
                    # The stretch ended when the person started leaving it, not when we noticed.
                    self.hold_s -= t - self._pending_since
                    self.phase = Phase.OUT_OF_STRETCH if person else Phase.NO_PERSON
                    self._pending_since = None
            elif in_lunge is True:
                self._pending_since = None
            return self.phase

        if not person:
            self._pending_since = None
            if self._absent_since is None:
                self._absent_since = t
            if t - self._absent_since >= self.cfg.exit_after_s or self.phase == Phase.NO_PERSON:
                self.phase = Phase.NO_PERSON
            return self.phase
        self._absent_since = None
        if self.phase == Phase.NO_PERSON:
            self.phase = Phase.OUT_OF_STRETCH if self._was_in_stretch else Phase.SETTING_UP
        if in_lunge is True:
            if self._pending_since is None:
                self._pending_since = t
            if t - self._pending_since >= self.cfg.enter_after_s:
                # Credit the time spent confirming the lunge: the hold began at its onset.
                self.hold_s += t - self._pending_since
                self.phase = Phase.STRETCH
                self._was_in_stretch = True
                self._pending_since = None
        elif in_lunge is False:
            self._pending_since = None
        return self.phase


@dataclass
class _Open:
    """A fault being watched: when it began and its worst frame so far."""

    onset_s: float
    peak_frame: int
    peak_excess: float
    peak_value: float
    cue: str
    # Whether the peak was seen while the stretch was confirmed. A fault often starts while
    # the person is still stepping in, where values swing furthest; the picture a therapist
    # reviews should show the held stretch, so a confirmed frame replaces an unconfirmed peak.
    peak_confirmed: bool = False
    # When the fault was first seen with the stretch confirmed (None: not yet).
    confirmed_since: float | None = None


class FlagTracker:
    """Raises one rule's flag after the fault persists; clears it with hysteresis.

    ``raise_after_s`` of continuous fault raises the flag; the value must then come back inside
    the limit by ``hysteresis`` for ``clear_after_s`` to clear it. An episode reports the time
    the fault was actually present: from its onset to the first frame it was gone.
    """

    def __init__(self, rule: RuleSpec, timing: FlagTimingConfig):
        self.rule = rule
        self.timing = timing
        self.active = False
        self._open: _Open | None = None
        self._ok_since: float | None = None
        self._unknown_since: float | None = None

    def excess(self, value: float, margin: float = 0.0) -> float:
        """How far ``value`` is past the rule's limits (> 0 = faulty), shrunk by ``margin``."""
        r = self.rule
        out = float("-inf")
        if r.above is not None:
            out = max(out, value - (r.above - margin))
        if r.below is not None:
            out = max(out, (r.below + margin) - value)
        return out

    def _close(self, end_s: float) -> FlagEpisode | None:
        episode = None
        if self.active and self._open is not None:
            o = self._open
            episode = FlagEpisode(self.rule.code, o.onset_s, end_s, o.peak_frame, o.peak_value, o.cue)
        self.active, self._open, self._ok_since, self._unknown_since = False, None, None, None
        return episode

    def snapshot(self, t: float) -> FlagEpisode | None:
        """The raised flag's episode so far (ending at ``t``), or None if it is not raised."""
        if not self.active or self._open is None:
            return None
        o = self._open
        return FlagEpisode(self.rule.code, o.onset_s, t, o.peak_frame, o.peak_value, o.cue)

    def stop(self, t: float) -> FlagEpisode | None:
        """The watch ends (the stretch is over, or the video ended): close any open episode."""
        return self._close(t)

    def gate_open(self, gate: float | None, uncertainty: float = 0.0) -> bool:
        """The rule's second condition (``and_metric``): met, or not judged because unknown.
        Only a value past its limit by more than its ``uncertainty`` closes the gate: an
        uncertain reading cannot clear a fault."""
        r = self.rule
        if not r.and_metric or gate is None:
            return True
        return ((r.and_above is not None and gate > r.and_above - uncertainty)
                or (r.and_below is not None and gate < r.and_below + uncertainty))

    def update(self, t: float, frame: int, value: float | None, confirmed: bool = True,
               gate: float | None = None, uncertainty: float = 0.0,
               gate_uncertainty: float = 0.0) -> FlagEpisode | None:
        """Feed one frame's value (None = unknown); returns an episode if one just ended.

        ``confirmed`` says the stretch phase is confirmed at this frame (see ``_Open``).
        ``gate`` is the value of the rule's ``and_metric`` (None = unknown or no such rule):
        when known and not past its limit, the frame counts as no fault. ``uncertainty``
        (``Measurement.uncertainty``): the value must be past the limit by more than this;
        ``gate_uncertainty``, the gate's: it must be past its limit by more than this to close.
        """
        if value is None:
            self._ok_since = None
            if not self.active:
                self._open = None
                return None
            if self._unknown_since is None:
                self._unknown_since = t
            if t - self._unknown_since >= self.timing.unknown_clears_after_s:
                return self._close(self._unknown_since)
            return None
        self._unknown_since = None
        # Inside the hysteresis band an active flag stays up, an inactive one stays down.
        margin = (self.rule.hysteresis if self.active else 0.0) - uncertainty
        faulty = self.excess(value, margin) > 0.0 and self.gate_open(gate, gate_uncertainty)
        if faulty:
            self._ok_since = None
            exc = self.excess(value)
            o = self._open
            if o is None:
                o = self._open = _Open(t, frame, exc, value, self.rule.cue_for(value), confirmed)
            elif (confirmed and not o.peak_confirmed) or (confirmed == o.peak_confirmed and exc > o.peak_excess):
                o.peak_frame, o.peak_excess, o.peak_value = frame, exc, value
                o.cue, o.peak_confirmed = self.rule.cue_for(value), confirmed
            if confirmed and o.confirmed_since is None:
                o.confirmed_since = t
            # A fault that began while the person stepped in (the front knee still opening or
            # closing) must also last ``raise_in_stretch_s`` into the confirmed stretch: the
            # step-in's passing values are gone by then, a held fault is not.
            if (not self.active and t - o.onset_s >= self.timing.raise_after_s
                    and o.confirmed_since is not None
                    and t - o.confirmed_since >= self.timing.raise_in_stretch_s):
                self.active = True
            return None
        if not self.active:
            self._open = None
            return None
        if self._ok_since is None:
            self._ok_since = t
        if t - self._ok_since >= self.timing.clear_after_s:
            return self._close(self._ok_since)
        return None

    @property
    def peak_frame(self) -> int | None:
        """The worst frame of the fault being watched, or None when there is none."""
        return self._open.peak_frame if self._open is not None else None

    @property
    def cue(self) -> str:
        return self._open.cue if self._open is not None else self.rule.cue_for(0.0)
