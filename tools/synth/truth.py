"""Truth values of one frame, computed from the 3D joint centres (docs/measurements.md).

Every quantity is measured in the body's own sagittal plane: the plane through the pelvis
centre perpendicular to the hip axis, i.e. the body frame's (x = forward, y = up) plane, so
``f = +1`` throughout. For a pure side view this is the checker's 2D definition; for an
oblique camera it is what the checker *should* have measured.

Fault thresholds are read from the checker's own rule table (posture_rules/default_rules.toml)
so that a truth flag and a checker flag mean the same thing; the numbers below are only the
fallback when that file is absent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tomllib

from posture_rules.config import METRICS as CHECKER_METRICS
from tools.synth.kinematics import Skeleton

RULES_TOML = Path(__file__).resolve().parents[2] / "posture_rules" / "default_rules.toml"

# metric -> (below, above) limits: a fault when value < below or value > above.
FALLBACK_RULES: dict[str, tuple[str, float | None, float | None]] = {
    "trunk_lean_forward": ("trunk_lean_deg", None, 15.0),
    "trunk_lean_back": ("trunk_lean_deg", -10.0, None),
    "front_knee_past_toes": ("knee_past_toes_ratio", None, 0.05),
    "front_knee_angle": ("front_knee_angle_deg", 70.0, 115.0),
    "no_glute_engagement": ("rear_hip_extension_deg", 5.0, None),
    "anterior_pelvic_tilt": ("pelvic_tilt_change_deg", None, 5.0),
}
# A rule's second condition (the rule table's and_metric): the fault also needs it.
FALLBACK_GATES: dict[str, tuple[str, float | None, float | None]] = {
    "no_glute_engagement": ("pelvic_tilt_change_deg", None, -5.0),
}
# The person's relaxed standing pelvic tilt (lunge.standing_pose), unless a clip sets its own:
# pelvic_tilt_change_deg, what the tilt flag judges, is measured from it.
NEUTRAL_TILT_DEG = 10.0
# A value this close to a limit is marked "near": a checker may fairly call it either way.
NEAR_MARGIN = {"knee_past_toes_ratio": 0.05}
NEAR_MARGIN_DEG = 3.0

# The checker's metrics that have a rendered truth (lordosis has none: the renderer's lumbar
# curve is not a clinical lordosis angle).
METRICS = tuple(m for m in CHECKER_METRICS if m != "lumbar_lordosis_deg")


def load_rules(path: Path = RULES_TOML) -> dict[str, tuple[str, float | None, float | None]]:
    """Fault code -> (metric, below, above) from the checker's TOML, or the fallback."""
    if not path.exists():
        return dict(FALLBACK_RULES)
    with path.open("rb") as fh:
        table = tomllib.load(fh).get("rules", {})
    rules = {}
    for code, r in table.items():
        rules[code] = (r["metric"], r.get("below"), r.get("above"))
    return rules or dict(FALLBACK_RULES)


def load_gates(path: Path = RULES_TOML) -> dict[str, tuple[str, float | None, float | None]]:
    """Fault code -> (and_metric, and_below, and_above): the second condition some rules have."""
    if not path.exists():
        return dict(FALLBACK_GATES)
    with path.open("rb") as fh:
        table = tomllib.load(fh).get("rules", {})
    return {code: (r["and_metric"], r.get("and_below"), r.get("and_above"))
            for code, r in table.items() if r.get("and_metric")}


GATES = load_gates()


@dataclass(frozen=True)
class FrameTruth:
    front_side: str
    trunk_lean_deg: float
    head_lean_deg: float
    front_knee_angle_deg: float
    knee_past_toes_ratio: float
    rear_hip_extension_deg: float
    pelvic_tilt_deg: float
    lateral_bend_deg: float
    pelvic_tilt_change_deg: float = 0.0  # tilt minus the person's relaxed neutral

    @property
    def stretched_side(self) -> str:
        return "left" if self.front_side == "right" else "right"

    def metrics(self) -> dict[str, float]:
        return {m: getattr(self, m) for m in METRICS}


def _s(v) -> np.ndarray:  # sagittal projection (forward, up)
    return np.array([v[0], v[1]])


def _fwd_from_down(v) -> float:
    return math.degrees(math.atan2(v[0], -v[1]))


def measure(sk: Skeleton, neutral_tilt_deg: float = NEUTRAL_TILT_DEG) -> FrameTruth:
    j = sk.joints
    front = "left" if j["left_ankle"][0] > j["right_ankle"][0] else "right"
    rear = "right" if front == "left" else "left"
    mid_hip = (j["left_hip"] + j["right_hip"]) / 2
    mid_sh = (j["left_shoulder"] + j["right_shoulder"]) / 2
    v = _s(mid_sh - mid_hip)
    lean = math.degrees(math.atan2(v[0], v[1]))
    hv = _s(j["head"] - mid_hip)
    head_lean = math.degrees(math.atan2(hv[0], hv[1]))

    hip, knee, ankle, toe = (_s(j[f"{front}_{n}"]) for n in ("hip", "knee", "ankle", "toe"))
    a, c = hip - knee, ankle - knee
    cross = a[0] * c[1] - a[1] * c[0]
    knee_angle = math.degrees(math.atan2(abs(cross), float(a @ c)))
    ratio = float(knee[0] - toe[0]) / float(np.linalg.norm(knee - ankle))

    ext = _fwd_from_down(-v) - _fwd_from_down(_s(j[f"{rear}_knee"] - j[f"{rear}_hip"]))
    ext = (ext + 180.0) % 360.0 - 180.0

    asis = _s((j["left_asis"] + j["right_asis"]) / 2)
    psis = _s((j["left_psis"] + j["right_psis"]) / 2)
    d = asis - psis
    tilt = math.degrees(math.atan2(-d[1], d[0]))

    w = mid_sh - mid_hip  # frontal plane: (right, up)
    bend_right = math.degrees(math.atan2(w[2], w[1]))
    bend_away = bend_right if rear == "left" else -bend_right
    return FrameTruth(front, lean, head_lean, knee_angle, ratio, ext, tilt, bend_away, tilt - neutral_tilt_deg)


def fault_flags(t: FrameTruth, rules, gates=None) -> tuple[list[str], list[str]]:
    """(faults present, faults whose value is within the near-threshold margin).

    ``gates``: code -> (metric, below, above) second conditions (default: the rule table's).
    """
    present, near = [], []
    values = t.metrics()
    gates = GATES if gates is None else gates
    for code, (metric, below, above) in rules.items():
        v = values.get(metric)
        if v is None:
            continue
        margin = NEAR_MARGIN.get(metric, NEAR_MARGIN_DEG)
        gate_ok = True
        if code in gates:
            g_metric, g_below, g_above = gates[code]
            g = values.get(g_metric)
            gate_ok = g is None or (g_below is not None and g < g_below) or (g_above is not None and g > g_above)
        if ((below is not None and v < below) or (above is not None and v > above)) and gate_ok:
            present.append(code)
        for limit in (below, above):
            if limit is not None and abs(v - limit) <= margin:
                near.append(code)
    return present, near
