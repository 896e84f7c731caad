"""What the live page shows beside the video, as plain values: metrics against their limits.

Why here and not in the page: the rows (value, allowed range, state) are logic worth testing,
and the Streamlit page should only lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from posture_rules.config import RulesConfig
from posture_rules.types import FrameResult, Phase
from stretchcheck.annotate import PHASE_TEXT

# (metric, label, unit, digits) for the panel, in the order a person checks them.
LIVE_METRICS = (
    ("trunk_lean_deg", "Trunk lean", "°", 0),
    ("front_knee_angle_deg", "Front knee angle", "°", 0),
    ("rear_hip_extension_deg", "Rear hip extension", "°", 0),
    ("pelvic_tilt_change_deg", "Pelvis vs your neutral", "°", 0),
    ("pelvic_tilt_deg", "Pelvic tilt (stickers)", "°", 0),
    ("knee_past_toes_ratio", "Knee vs toes", " shin", 2),
)
UNITS = {metric: unit for metric, _, unit, _ in LIVE_METRICS}


@dataclass(frozen=True)
class MetricRow:
    """One metric: ``state`` is ok, fault (flag raised), outside (past a limit, not yet
    raised: it must persist first) or unknown (with the reason in ``value_text``)."""

    metric: str
    label: str
    value: float | None
    value_text: str
    allowed_text: str
    state: str


def allowed_range(config: RulesConfig, metric: str) -> tuple[float | None, float | None]:
    """The tightest (low, high) limits of the enabled rules watching ``metric``."""
    low: float | None = None
    high: float | None = None
    for rule in config.rules:
        if not rule.enabled or rule.metric != metric:
            continue
        if rule.below is not None:
            low = rule.below if low is None else max(low, rule.below)
        if rule.above is not None:
            high = rule.above if high is None else min(high, rule.above)
    return low, high


def format_value(metric: str, value: float) -> str:
    digits = next((d for m, _, _, d in LIVE_METRICS if m == metric), 1)
    if metric == "pelvic_tilt_change_deg":  # "8° tucked from your neutral" / "12° forward"
        if round(value, digits) == 0:
            return "at neutral"
        return f"{abs(value):.{digits}f}° {'tucked' if value < 0 else 'forward'}"
    sign = "+" if metric in ("trunk_lean_deg", "rear_hip_extension_deg", "knee_past_toes_ratio",
                             "pelvic_tilt_deg") else ""
    return f"{value:{sign}.{digits}f}{UNITS.get(metric, '')}"


def allowed_text(config: RulesConfig, metric: str) -> str:
    low, high = allowed_range(config, metric)
    if low is not None and high is not None:
        return f"{format_value(metric, low)} to {format_value(metric, high)}"
    if low is not None:
        return f"at least {format_value(metric, low)}"
    if high is not None:
        return f"at most {format_value(metric, high)}"
    return "no limit"


def metric_rows(result: FrameResult | None, config: RulesConfig) -> list[MetricRow]:
    """The panel's rows for the latest frame (all unknown before the first frame)."""
    rows = []
    codes_by_metric: dict[str, set[str]] = {}
    for rule in config.rules:
        codes_by_metric.setdefault(rule.metric, set()).add(rule.code)
    for metric, label, _, _ in LIVE_METRICS:
        allowed = allowed_text(config, metric)
        if result is None:
            rows.append(MetricRow(metric, label, None, "–", allowed, "unknown"))
            continue
        m = result.measurements.metric(metric)
        if m.value is None:
            rows.append(MetricRow(metric, label, None, m.reason, allowed, "unknown"))
            continue
        low, high = allowed_range(config, metric)
        if codes_by_metric.get(metric, set()) & set(result.flags):
            state = "fault"
        elif (low is not None and m.value < low) or (high is not None and m.value > high):
            state = "outside"
        else:
            state = "ok"
        shown = format_value(metric, m.value)
        if m.inferred:  # a hand or arm over a joint: say so, with how sure the value is
            shown += f" ({', '.join(m.inferred)} hidden: {m.confidence:.0%} sure)"
        rows.append(MetricRow(metric, label, m.value, shown, allowed, state))
    return rows


def inference_note(result: FrameResult | None) -> str:
    """What the page must say about the two inferred quantities, with how sure it is now."""
    parts = [
        (
            "Glute engagement is inferred from movement (how far the rear hip extends and, where "
            "pelvic tilt is measured, whether the pelvis tucks under), not measured: a camera "
            "cannot see muscle activity."
        )
    ]
    if result is not None:
        hip = result.measurements.rear_hip_extension_deg
        if hip.value is not None:
            parts.append(f"Landmark confidence for it now: {100 * hip.confidence:.0f}%.")
        change = result.measurements.pelvic_tilt_change_deg
        if change.value is not None:
            parts.append(f"Pelvic tilt measured by {change.method}, confidence {100 * change.confidence:.0f}%.")
        else:
            parts.append(f"Pelvic tilt not measured now: {change.reason}.")
    return " ".join(parts)


def phase_text(result: FrameResult | None) -> str:
    return "Waiting for video" if result is None else PHASE_TEXT[result.phase]


def active_cue(result: FrameResult | None) -> tuple[str, str]:
    """(level, text) of the cue a person acts on now: error = a raised flag, success = good
    form in the stretch, info otherwise."""
    if result is None:
        return "info", "Press START to turn on the camera."
    if result.cues:
        return "error", result.cues[0]
    if result.phase == Phase.STRETCH:
        return "success", "Good form: hold and breathe."
    if result.phase == Phase.NO_PERSON:
        return "info", "Step into view, side-on to the camera."
    return "info", "Step one foot forward into the lunge."
