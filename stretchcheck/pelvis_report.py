"""Pelvic tilt in the outputs: which method measured it, how much of the stretch, how sure.

The pipelines (file and live) build a ``PelvisProbe`` from the user's switches and feed every
``FrameResult`` to a ``TiltStats``; the summary then says which method measured tilt, over how
much of the stretch, with what confidence, and what the neutral was. Kept apart from
``stretchcheck.pipeline`` so that pipeline stays about frames and speed.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from posture_rules.checker import FormChecker
from posture_rules.pelvis import CALIBRATION_POSE
from posture_rules.types import FrameResult, Phase
from stretchcheck.evaluate import method_family
from vision.markers import MarkerColour
from vision.pelvis_probe import PelvisProbe


def pelvis_probe(markers: str | None, outline: bool, min_confidence: float = 0.5) -> PelvisProbe:
    """The probe for the switches: stickers of colour ``markers`` (None = no stickers) and
    the body outline. Raises ValueError for a colour it cannot read."""
    return PelvisProbe(MarkerColour.parse(markers) if markers else None, outline, min_confidence)




class TiltStats:
    """Counts, over the stretch, which method measured the tilt change and how confidently."""

    def __init__(self) -> None:
        self.stretch_frames = 0
        self.by_method: Counter[str] = Counter()
        self.how: Counter[str] = Counter()
        self.confidence_sum = 0.0
        self.reasons: Counter[str] = Counter()

    def see(self, result: FrameResult) -> None:
        if result.phase != Phase.STRETCH:
            return
        self.stretch_frames += 1
        change = result.measurements.pelvic_tilt_change_deg
        if change.value is None:
            self.reasons[change.reason] += 1
            return
        self.by_method[method_family(change.method)] += 1
        self.how[change.method] += 1
        self.confidence_sum += change.confidence

    def summary(self, checker: FormChecker, outline: bool, markers: str | None) -> dict[str, Any]:
        on = (["body outline"] if outline else []) + ([f"stickers ({markers})"] if markers else [])
        known = sum(self.by_method.values())
        n = self.stretch_frames
        neutral = checker.neutral
        out: dict[str, Any] = {
            "methods_on": on,
            "stretch_frames": n,
            "measured_frames": dict(self.by_method),
            "measured_as": dict(self.how),
            "known_share": round(known / n, 3) if n else None,
            "mean_confidence": round(self.confidence_sum / known, 3) if known else None,
            "neutral": neutral.values.to_dict() if neutral.ready and neutral.values else
            {"state": neutral.state, "reason": neutral.reason(), **_assumed(checker)},
            "main_reason_unknown": self.reasons.most_common(1)[0][0] if self.reasons else None,
        }
        out["note"] = _note(out)
        return out


def _assumed(checker: FormChecker) -> dict[str, Any]:
    """What the tilt change is measured from while there is no calibrated neutral."""
    cfg = checker.config.pelvis
    return {"assumed": {
        "outline_index_deg": cfg.outline_typical_neutral_deg, "outline_uncertainty_deg": cfg.outline_typical_neutral_uncertainty_deg,
        "stickers_deg": cfg.typical_neutral_deg, "stickers_uncertainty_deg": cfg.typical_neutral_uncertainty_deg,
        "note": "a typical person's neutral; a flag needs the change past its limit by more than the uncertainty",
    }}


def _note(s: dict[str, Any]) -> str:
    if not s["methods_on"]:
        return ("Pelvic tilt not measured: hip keypoints cannot see it; switch on the body outline "
                "or wear stickers (--markers).")
    n = s["stretch_frames"]
    if not n:
        return "Pelvic tilt: no stretch was held."
    known = sum(s["measured_frames"].values())
    if not known:
        return f"Pelvic tilt not measured during the stretch: {s['main_reason_unknown']}."
    parts = []
    for method, frames in sorted(s["measured_frames"].items(), key=lambda kv: -kv[1]):
        label = {"stickers": "the stickers", "outline": "the body outline (as change from a neutral)"}.get(method, method)
        parts.append(f"by {label} in {100 * frames / n:.0f}% of the stretch")
    neutral = s["neutral"]
    if "start_s" in neutral:
        calib = f"neutral calibrated from {neutral['start_s']:.1f}-{neutral['end_s']:.1f} s"
    else:
        a = neutral["assumed"]
        spread = a["outline_uncertainty_deg"] if "outline" in s["measured_frames"] else a["stickers_uncertainty_deg"]
        calib = (f"against an ASSUMED neutral (a typical person's, +-{spread:g} deg, so only a clear forward "
                 f"tilt is flagged). {neutral['reason'][0].upper()}{neutral['reason'][1:]}")
    return (f"Pelvic tilt measured {', '.join(parts)}, mean confidence {100 * s['mean_confidence']:.0f}%; "
            f"{calib}.")


def neutral_status(neutral, now_s: float | None) -> dict[str, Any]:
    """The neutral calibration for a live page: state, progress 0-1 and one sentence."""
    state = neutral.state
    out: dict[str, Any] = {"state": state, "progress": 0.0, "text": ""}
    if state == "set" and neutral.values is not None:
        v = neutral.values
        got = []
        if v.stickers_deg is not None:
            got.append(f"stickers {v.stickers_deg:+.0f}°")
        if v.outline_deg is not None:
            got.append("body outline")
        out.update(progress=1.0, text=f"Neutral pelvis set ({', '.join(got)}), from {v.start_s:.1f}-{v.end_s:.1f} s. "
                                      "Tilt is now shown as the change from it.")
    elif state == "collecting" and neutral._start is not None and now_s is not None:
        done = max(0.0, now_s - neutral._start)
        out.update(progress=min(1.0, done / neutral.cfg.neutral_s),
                   text=f"Calibrating: {CALIBRATION_POSE} ({max(0.0, neutral.cfg.neutral_s - done):.0f} s left).")
    elif state == "missed":
        cfg = neutral.cfg
        out["text"] = (f"{neutral.reason()}. Tilt is checked against a typical person's neutral meanwhile "
                       f"(+-{cfg.outline_typical_neutral_uncertainty_deg:g} deg): only a clear forward tilt is flagged.")
    else:
        out["text"] = f"Before the stretch: {CALIBRATION_POSE}, for 3 s (or press Calibrate)."
    return out
