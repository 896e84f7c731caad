"""``FormChecker``: the stateful rules pipeline for one video or one live session.

Feed it one ``Pose`` per frame in time order; it returns a ``FrameResult`` with the
measurements, the phase, the raised flags with their cues, and the hold timers.
"""

from __future__ import annotations

from posture_rules.config import RulesConfig, load_config
from posture_rules.measurements import estimate_facing, estimate_front_side, measure_frame
from posture_rules.temporal import MAX_COUNTED_GAP_S, FlagTracker, PhaseTracker, StickyChoice
from posture_rules.types import FlagEpisode, FrameResult, Phase
from vision.pose import Pose


class FormChecker:
    """Measures each frame, tracks the phase and raises flags that persist."""

    def __init__(self, config: RulesConfig | None = None):
        self.config = config or load_config()
        self._facing = StickyChoice(self.config.orientation.switch_after_s)
        self._front = StickyChoice(self.config.orientation.switch_after_s)
        self._phase = PhaseTracker(self.config.lunge)
        self._trackers = [FlagTracker(r, self.config.flags) for r in self.config.rules if r.enabled]
        self.episodes: list[FlagEpisode] = []
        self.good_form_s = 0.0
        self._last_t: float | None = None
        self._last_flags: tuple[str, ...] = ()
        self._last_phase = Phase.NO_PERSON

    @property
    def hold_s(self) -> float:
        """Total time held in the stretch so far."""
        return self._phase.hold_s

    @property
    def stretched_side(self) -> str | None:
        """The rear leg's side, as settled over time (None before a leg was ever seen)."""
        front = self._front.value
        return None if front is None else ("right" if front == "left" else "left")

    def update(self, pose: Pose, frame: int) -> FrameResult:
        t = pose.timestamp_s
        min_conf = self.config.landmarks.min_confidence
        facing = self._facing.update(t, estimate_facing(pose, min_conf))
        # Measure with this frame's own front leg (robust to the model swapping left/right
        # labels); report the stretched side from the settled value.
        front_now = estimate_front_side(pose, facing, min_conf)
        self._front.update(t, front_now)
        m = measure_frame(pose, facing, front_now, min_conf, self.config.lunge)
        phase = self._phase.update(t, m.person, m.in_lunge)

        # Faults are timed from the lunge's onset (not from the moment the phase is confirmed),
        # so a fault present from the start is flagged ~raise_after_s after the lunge begins.
        watching = m.in_lunge if m.in_lunge is not None else phase == Phase.STRETCH
        ended: list[FlagEpisode] = []
        for tracker in self._trackers:
            if watching:
                episode = tracker.update(t, frame, m.metric(tracker.rule.metric).value, phase == Phase.STRETCH)
            else:
                episode = tracker.stop(t)
            if episode is not None:
                ended.append(episode)
        self.episodes.extend(ended)

        in_stretch = phase == Phase.STRETCH
        raised = [tr for tr in self._trackers if tr.active and in_stretch]
        if self._last_t is not None and self._last_phase == Phase.STRETCH and in_stretch:
            dt = t - self._last_t
            if 0.0 < dt <= MAX_COUNTED_GAP_S and not self._last_flags:
                self.good_form_s += dt
        self._last_t, self._last_phase = t, phase
        self._last_flags = tuple(tr.rule.code for tr in raised)
        return FrameResult(
            frame=frame,
            time_s=t,
            measurements=m,
            phase=phase,
            hold_s=self._phase.hold_s,
            good_form_s=self.good_form_s,
            flags=self._last_flags,
            cues=tuple(tr.cue for tr in raised),
            ended_episodes=tuple(ended),
            new_peaks=tuple(tr.rule.code for tr in self._trackers if tr.peak_frame == frame),
        )

    def open_episodes(self) -> list[FlagEpisode]:
        """Flags raised right now, as episodes running up to the last frame seen.

        Lets a live session store a flag while it is still up, with its true onset and peak.
        """
        if self._last_t is None or self._last_phase != Phase.STRETCH:
            return []
        snaps = (tracker.snapshot(self._last_t) for tracker in self._trackers)
        return [e for e in snaps if e is not None]

    def finish(self) -> list[FlagEpisode]:
        """Close any episode still open at the end of the stream; returns all episodes."""
        if self._last_t is not None:
            for tracker in self._trackers:
                episode = tracker.stop(self._last_t)
                if episode is not None:
                    self.episodes.append(episode)
        self.episodes.sort(key=lambda e: (e.start_s, e.code))
        return self.episodes
