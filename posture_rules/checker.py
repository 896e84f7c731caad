"""``FormChecker``: the stateful rules pipeline for one video or one live session.

Feed it one ``Pose`` per frame in time order; it returns a ``FrameResult`` with the
measurements, the phase, the raised flags with their cues, and the hold timers.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from posture_rules.body_check import BodyCheck
from posture_rules.config import RulesConfig, load_config
from posture_rules.joints import Joints
from posture_rules.measurements import (
    facing_of,
    front_side_of,
    measure_joints,
    refuse_legs,
    trunk_line,
)
from posture_rules.pelvis import (
    ASSUMED_CUE_NOTE,
    ASSUMED_NEUTRAL,
    ArmPassing,
    NeutralTilt,
    OutlineReading,
    RecentMedian,
    StickerPair,
    arm_segments,
    calibration_reading,
    combine,
    outline_reading,
    pick_sticker_pair,
    sticker_tilt_deg,
    wrists_raised,
)
from posture_rules.temporal import MAX_COUNTED_GAP_S, FlagTracker, PhaseTracker, StickyChoice
from posture_rules.types import FlagEpisode, FrameMeasurements, FrameResult, Measurement, Phase
from vision.landmarks import Landmark
from vision.pose import Pose

# Where a hand may cover a pelvic sticker: the wrist, the index and pinky knuckles, the thumb.
HAND_POINTS = tuple(Landmark[f"{side}_{part}"] for side in ("LEFT", "RIGHT")
                    for part in ("WRIST", "INDEX", "PINKY", "THUMB"))


def _gate_uncertainty(gate: Measurement | None) -> float:
    """How far off a rule's second condition may be. Pelvic tilt against an assumed neutral
    never clears a fault: an arm or a loose shirt over the lower back's hollow makes it
    shallower, which reads as a tucked pelvis, so its error is one-sided and unbounded that
    way (real footage, no calibration: people with no glute work read 20-30 deg "tucked")."""
    if gate is None:
        return 0.0
    return math.inf if ASSUMED_NEUTRAL in gate.method else gate.uncertainty


class FormChecker:
    """Measures each frame, tracks the phase and raises flags that persist.

    ``neutral_from_s``: where the person's relaxed neutral pelvis is calibrated (seconds from
    the start, ``neutral_s`` long); None = found automatically, the first seconds the person
    holds still before the lunge (``posture_rules.pelvis.NeutralTilt``).
    """

    def __init__(self, config: RulesConfig | None = None, neutral_from_s: float | None = None):
        self.config = config or load_config()
        self.neutral = NeutralTilt(self.config.pelvis, neutral_from_s)
        self._assumed: set[str] = set()  # flags up while judged against an assumed neutral
        self._steady_stickers, self._steady_outline = RecentMedian(), RecentMedian()
        self._arm_passing = ArmPassing(self.config.pelvis.outline_hold_s)
        self._facing = StickyChoice(self.config.orientation.switch_after_s)
        self._front = StickyChoice(self.config.orientation.switch_after_s)
        self._phase = PhaseTracker(self.config.lunge)
        self._body = BodyCheck(self.config.body_check)
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
        marks = self.config.landmarks
        orient = self.config.orientation
        # One facing and one front leg per stretch (see [orientation] switch_in_stretch_s).
        wait = orient.switch_in_stretch_s if self._last_phase == Phase.STRETCH else orient.switch_after_s
        # One sorting of the joints into seen and inferred serves every step of the frame.
        joints = None if pose.is_empty else Joints(pose, marks)
        facing = self._facing.update(t, facing_of(joints) if joints is not None else None, wait)
        # The legs are assigned by position in each frame (robust to the model swapping its
        # left/right labels); the settled front side only breaks ties and names the stretched side.
        self._front.update(t, front_side_of(joints, facing) if joints is not None else None, wait)
        if joints is None:
            m = FrameMeasurements(person=False, facing=None, front_side=None)
        else:
            m, legs = measure_joints(joints, facing, self._front.value, self.config.lunge)
            refused = self._body.check(t, joints, legs)
            if refused is not None:
                m = refuse_legs(m, refused)
        m = self._pelvis(pose, m, joints)
        phase = self._phase.update(t, m.person, m.in_lunge)

        # Faults are timed from the lunge's onset (not from the moment the phase is confirmed),
        # so a fault present from the start is flagged ~raise_after_s after the lunge begins
        # (if it is still there raise_in_stretch_s into the confirmed stretch: FlagTracker).
        watching = m.in_lunge if m.in_lunge is not None else phase == Phase.STRETCH
        ended: list[FlagEpisode] = []
        for tracker in self._trackers:
            if watching:
                gate = m.metric(tracker.rule.and_metric) if tracker.rule.and_metric else None
                watched = m.metric(tracker.rule.metric)
                episode = tracker.update(t, frame, watched.value, phase == Phase.STRETCH,
                                         None if gate is None else gate.value, watched.uncertainty,
                                         _gate_uncertainty(gate))
                if tracker.active and ASSUMED_NEUTRAL in watched.method:
                    self._assumed.add(tracker.rule.code)
            else:
                episode = tracker.stop(t)
            if episode is not None:
                ended.append(self._noted(episode, closed=True))
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
            cues=tuple(tr.cue + (ASSUMED_CUE_NOTE if tr.rule.code in self._assumed else "") for tr in raised),
            ended_episodes=tuple(ended),
            new_peaks=tuple(tr.rule.code for tr in self._trackers if tr.peak_frame == frame),
        )

    def _pelvis(self, pose: Pose, m: FrameMeasurements, joints: Joints | None) -> FrameMeasurements:
        """Pelvic tilt from the stickers and the outline the frame shows (``pose.pelvis``),
        and the neutral calibration; the rest of ``m`` is unchanged."""
        cfg = self.config.pelvis
        view = pose.pelvis
        trunk = trunk_line(joints) if joints is not None else None
        hip, trunk_px = (trunk[0], float(np.hypot(*(trunk[1] - trunk[0])))) if trunk else (None, 0.0)
        if not np.isfinite(trunk_px):
            hip, trunk_px = None, 0.0
        stickers: StickerPair | str | None = None
        outline: OutlineReading | str | None = None
        s_tilt = None
        if view is not None and view.markers is not None:
            if not m.person or m.facing is None:
                stickers = "cannot tell which way the person faces"
            elif hip is None:
                stickers = "hips or shoulders hidden: cannot find the pelvis"
            else:
                stickers = pick_sticker_pair(view.markers, m.facing, hip, trunk_px, cfg, self._trusted_hands(pose))
                if isinstance(stickers, StickerPair):
                    s_tilt = self._steady_stickers(pose.timestamp_s, sticker_tilt_deg(stickers.front, stickers.back, m.facing))
        if view is not None and view.outline is not None:
            outline = outline_reading(view.outline, m.facing, cfg, self._arm_bones(pose)) if m.facing else \
                "cannot tell which way the person faces"
            if isinstance(outline, OutlineReading):
                outline = replace(outline, index_deg=self._steady_outline(pose.timestamp_s, outline.index_deg))
        lean = m.trunk_lean_deg.value
        raised = trunk is not None and wrists_raised(self._placed_wrists(pose), trunk[0], trunk[1], cfg)
        self.neutral.update(pose.timestamp_s, m.person, m.in_lunge, hip, trunk_px, s_tilt,
                            calibration_reading(outline, raised, cfg), lean)
        if not m.person:
            return m
        r = combine(stickers, s_tilt, outline, lean, self.neutral, cfg)
        change = self._arm_passing(pose.timestamp_s, r.change)
        return replace(m, pelvic_tilt_deg=r.tilt, pelvic_tilt_change_deg=change, lumbar_lordosis_deg=r.lordosis)

    def _noted(self, episode: FlagEpisode, closed: bool = False) -> FlagEpisode:
        """The episode's message says so when the flag was judged against an assumed
        (typical, not calibrated) neutral."""
        if episode.code not in self._assumed:
            return episode
        if closed:
            self._assumed.discard(episode.code)
        return replace(episode, message=episode.message + ASSUMED_CUE_NOTE)

    def _placed_wrists(self, pose: Pose) -> list:
        """Both wrists where the pose model places them, seen or not: a hand hanging behind
        the thigh is unseen (low visibility) yet still over the lower back's outline."""
        wrists = (Landmark.LEFT_WRIST, Landmark.RIGHT_WRIST)
        return [pose.xy[lm] for lm in wrists if np.isfinite(pose.xy[lm]).all()]

    def _arm_bones(self, pose: Pose) -> np.ndarray:
        """The trusted arm and hand bones: where the back's outline may be an arm's."""
        return arm_segments(pose.xy, pose.confidence() >= self.config.landmarks.min_confidence)

    def _trusted_hands(self, pose: Pose) -> list:
        """The trusted wrist, knuckle and thumb points: where a hand may cover a sticker."""
        return self._trusted(pose, HAND_POINTS)

    def _trusted(self, pose: Pose, landmarks) -> list:
        conf = pose.confidence()
        return [pose.xy[lm] for lm in landmarks if conf[lm] >= self.config.landmarks.min_confidence]

    def open_episodes(self) -> list[FlagEpisode]:
        """Flags raised right now, as episodes running up to the last frame seen.

        Lets a live session store a flag while it is still up, with its true onset and peak.
        """
        if self._last_t is None or self._last_phase != Phase.STRETCH:
            return []
        snaps = (tracker.snapshot(self._last_t) for tracker in self._trackers)
        return [self._noted(e) for e in snaps if e is not None]

    def finish(self) -> list[FlagEpisode]:
        """Close any episode still open at the end of the stream; returns all episodes."""
        self.neutral.finish()
        if self._last_t is not None:
            for tracker in self._trackers:
                episode = tracker.stop(self._last_t)
                if episode is not None:
                    self.episodes.append(self._noted(episode, closed=True))
        self.episodes.sort(key=lambda e: (e.start_s, e.code))
        return self.episodes
