"""Value types the rules core produces: measurements, phases, flag episodes, frame results.

"No person" and "can't tell" are ordinary values (``Measurement(None, reason=...)``), never
NaN and never an exception, so every consumer handles them the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum


class Phase(str, Enum):
    NO_PERSON = "no_person"
    SETTING_UP = "setting_up"
    STRETCH = "stretch"
    OUT_OF_STRETCH = "out_of_stretch"


@dataclass(frozen=True)
class Measurement:
    """One measured quantity, or the reason it is unknown.

    Attributes:
        value: the number in the unit its name gives, or None when unknown.
        reason: why it is unknown ("left knee hidden"), empty when known.
        confidence: 0-1, how far to trust the value (the weakest landmark used).
        method: how it was obtained where several methods exist (pelvic tilt), else "".
        inferred: the joints it used that the model did not see but placed (hidden behind a
            hand, an arm or the other leg; ``posture_rules.joints``), e.g. ("left knee",).
        uncertainty: how far off the value may be for a reason known in advance, in its own
            unit (pelvic tilt against an assumed, not calibrated, neutral: how much people's
            neutrals differ). A flag needs the value past its limit by more than this.
    """

    value: float | None
    reason: str = ""
    confidence: float = 0.0
    method: str = ""
    inferred: tuple[str, ...] = ()
    uncertainty: float = 0.0

    def __post_init__(self) -> None:
        if self.value is not None and not math.isfinite(self.value):
            object.__setattr__(self, "value", None)
            object.__setattr__(self, "reason", self.reason or "not a finite number")
        if self.value is None and not self.reason:
            raise ValueError("an unknown Measurement needs a reason")

    @property
    def known(self) -> bool:
        return self.value is not None

    @classmethod
    def unknown(cls, reason: str, method: str = "") -> Measurement:
        return cls(value=None, reason=reason, method=method)


UNKNOWN_NO_PERSON = Measurement.unknown("no person in view")


@dataclass(frozen=True)
class FrameMeasurements:
    """Everything measured on one frame, before any temporal logic."""

    person: bool
    facing: str | None  # "left" / "right": the way the person faces in the image
    front_side: str | None  # anatomical side of the front leg
    trunk_lean_deg: Measurement = UNKNOWN_NO_PERSON
    # The hip → head (ear) line against vertical: where the head is over the hips. Sitting
    # tall keeps it near 0 whatever the shoulder points read; an arched back-bend throws it back.
    head_lean_deg: Measurement = UNKNOWN_NO_PERSON
    front_knee_angle_deg: Measurement = UNKNOWN_NO_PERSON
    knee_past_toes_ratio: Measurement = UNKNOWN_NO_PERSON
    rear_hip_extension_deg: Measurement = UNKNOWN_NO_PERSON
    pelvic_tilt_deg: Measurement = UNKNOWN_NO_PERSON  # absolute (stickers), + = anterior
    # Tilt minus the person's own relaxed neutral (stickers or body outline); what the flags use.
    pelvic_tilt_change_deg: Measurement = UNKNOWN_NO_PERSON
    lumbar_lordosis_deg: Measurement = UNKNOWN_NO_PERSON  # the back outline's lumbar hollow
    in_lunge: bool | None = None  # None: can't tell this frame

    LEG_METRICS = ("front_knee_angle_deg", "knee_past_toes_ratio", "rear_hip_extension_deg")

    @property
    def hidden_joints(self) -> tuple[str, ...]:
        """The hidden (inferred) joints the leg measurements used, each named once."""
        names: dict[str, None] = {}
        for metric in self.LEG_METRICS:
            names.update(dict.fromkeys(self.metric(metric).inferred))
        return tuple(names)

    @property
    def leg_confidence(self) -> float | None:
        """The weakest confidence among the known leg measurements, or None if none is known."""
        known = [self.metric(m).confidence for m in self.LEG_METRICS if self.metric(m).known]
        return min(known) if known else None

    @property
    def stretched_side(self) -> str | None:
        """The rear leg's side: the hip flexors being stretched."""
        if self.front_side is None:
            return None
        return "right" if self.front_side == "left" else "left"

    def metric(self, name: str) -> Measurement:
        value = getattr(self, name)
        if not isinstance(value, Measurement):
            raise KeyError(name)
        return value


@dataclass(frozen=True)
class FlagEpisode:
    """One continuous stretch of time during which a flag was raised."""

    code: str
    start_s: float
    end_s: float
    peak_frame: int  # the frame where the metric was furthest past its limit
    peak_value: float
    message: str


@dataclass(frozen=True)
class FrameResult:
    """What the checker concludes about one frame."""

    frame: int
    time_s: float
    measurements: FrameMeasurements
    phase: Phase
    hold_s: float  # total time in the stretch so far
    good_form_s: float  # time in the stretch with no flag raised
    flags: tuple[str, ...] = ()  # codes raised at this frame
    cues: tuple[str, ...] = ()  # one cue per raised flag, same order
    ended_episodes: tuple[FlagEpisode, ...] = field(default=())  # episodes that closed here
    # Codes whose fault (raised or not yet) has its worst value so far at this frame: lets a
    # caller keep just one picture per fault for the report, not every frame.
    new_peaks: tuple[str, ...] = ()
