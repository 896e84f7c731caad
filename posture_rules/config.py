"""Load and validate the rules configuration (thresholds live in TOML, not in code).

``load_config()`` returns the shipped defaults; ``load_config(path)`` overlays a user's file
on them. Every error names the offending key and says what was expected, because the person
editing the file needs to know which line to fix.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DEFAULT_RULES_PATH = Path(__file__).with_name("default_rules.toml")

# The metrics a rule may watch; each is a column of frames.csv.
METRICS = (
    "trunk_lean_deg",
    "head_lean_deg",
    "front_knee_angle_deg",
    "knee_past_toes_ratio",
    "rear_hip_extension_deg",
    "pelvic_tilt_deg",
    "pelvic_tilt_change_deg",
    "lumbar_lordosis_deg",
)


class ConfigError(ValueError):
    """A rules file that cannot be used; the message names the key."""


@dataclass(frozen=True)
class LandmarkConfig:
    min_confidence: float
    min_presence_inferred: float
    min_bone_trunks: float
    max_bone_trunks: float
    legs_knee_drop_thighs: float
    legs_knee_split_thighs: float
    legs_level_knees_thighs: float


@dataclass(frozen=True)
class BodyCheckConfig:
    history_s: float
    min_history_s: float
    max_stretch: float
    min_shrink: float
    merged: float
    lunge_split: float
    reset_after_s: float


@dataclass(frozen=True)
class OrientationConfig:
    switch_after_s: float
    switch_in_stretch_s: float


@dataclass(frozen=True)
class LungeConfig:
    max_front_knee_angle_deg: float
    min_knee_split_thighs: float
    min_rear_knee_drop_thighs: float
    max_rear_knee_above_floor_thighs: float
    min_hips_above_floor_thighs: float
    max_rear_thigh_forward_deg: float
    max_knee_past_toes_shins: float
    enter_after_s: float
    exit_after_s: float


@dataclass(frozen=True)
class FlagTimingConfig:
    raise_after_s: float
    raise_in_stretch_s: float
    clear_after_s: float
    unknown_clears_after_s: float


@dataclass(frozen=True)
class PelvisConfig:
    """Pelvic tilt: the neutral calibration, the outline and sticker methods (see
    posture_rules/pelvis.py and the [pelvis] table of default_rules.toml)."""

    neutral_s: float
    neutral_min_s: float
    still_max_speed: float
    typical_neutral_deg: float
    sticker_min_sep: float
    sticker_max_sep: float
    sticker_hand_clearance: float
    hollow_radius: float
    lumbar_band_low: float
    lumbar_band_high: float
    outline_max_lean_change_deg: float
    outline_lean_gain: float
    outline_lean_gain_sd: float
    neutral_lean_bias_deg: float
    lean_per_tilt: float
    outline_typical_neutral_deg: float
    outline_typical_neutral_uncertainty_deg: float
    outline_typical_neutral_lean_deg: float
    typical_neutral_uncertainty_deg: float
    outline_max_change_deg: float
    outline_arm_clearance: float
    outline_min_seen: float
    outline_hold_s: float
    outline_max_foreign: float
    neutral_min_seen: float
    neutral_min_wrist_height: float


@dataclass(frozen=True)
class RuleSpec:
    """One row of the rule table: watch ``metric``, fault when above/below the limits.

    ``and_metric`` (optional) adds a second condition: while that metric is known, the fault
    also needs it past ``and_above`` / ``and_below``; while it is unknown the rule judges
    ``metric`` alone.
    """

    code: str
    metric: str
    above: float | None = None
    below: float | None = None
    hysteresis: float = 0.0
    cue: str = ""
    cue_above: str = ""
    cue_below: str = ""
    enabled: bool = True
    and_metric: str = ""
    and_above: float | None = None
    and_below: float | None = None

    def cue_for(self, value: float) -> str:
        """The cue for a faulty value: the side-specific one where the rule has two limits."""
        if self.above is not None and value > self.above and self.cue_above:
            return self.cue_above
        if self.below is not None and value < self.below and self.cue_below:
            return self.cue_below
        return self.cue or self.cue_above or self.cue_below


@dataclass(frozen=True)
class RulesConfig:
    landmarks: LandmarkConfig
    orientation: OrientationConfig
    body_check: BodyCheckConfig
    lunge: LungeConfig
    flags: FlagTimingConfig
    pelvis: PelvisConfig
    rules: tuple[RuleSpec, ...]

    def rule(self, code: str) -> RuleSpec:
        for r in self.rules:
            if r.code == code:
                return r
        raise KeyError(code)


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _number(where: str, value: Any, *, minimum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{where}: expected a finite number, got {value!r}")
    if minimum is not None and value < minimum:
        raise ConfigError(f"{where}: must be >= {minimum}, got {value!r}")
    return float(value)


def _section(raw: dict[str, Any], name: str, cls: type, minimum: float | None = None) -> Any:
    table = raw.get(name)
    if not isinstance(table, dict):
        raise ConfigError(f"[{name}]: missing table")
    expected = {f.name for f in fields(cls)}
    unknown = sorted(set(table) - expected)
    if unknown:
        raise ConfigError(f"[{name}] {unknown[0]}: unknown key (expected one of {', '.join(sorted(expected))})")
    missing = sorted(expected - set(table))
    if missing:
        raise ConfigError(f"[{name}] {missing[0]}: missing")
    return cls(**{k: _number(f"[{name}] {k}", v, minimum=minimum) for k, v in table.items()})


def _rule(code: str, table: Any) -> RuleSpec:
    where = f"[rules.{code}]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table")
    allowed = {f.name for f in fields(RuleSpec)} - {"code"}
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(f"{where} {unknown[0]}: unknown key (expected one of {', '.join(sorted(allowed))})")
    metric = table.get("metric")
    if metric not in METRICS:
        raise ConfigError(f"{where} metric: expected one of {', '.join(METRICS)}, got {metric!r}")
    above = _number(f"{where} above", table["above"]) if "above" in table else None
    below = _number(f"{where} below", table["below"]) if "below" in table else None
    if above is None and below is None:
        raise ConfigError(f"{where}: needs 'above' or 'below'")
    if above is not None and below is not None and below >= above:
        raise ConfigError(f"{where}: 'below' ({below}) must be less than 'above' ({above})")
    texts = {}
    for key in ("cue", "cue_above", "cue_below"):
        value = table.get(key, "")
        if not isinstance(value, str):
            raise ConfigError(f"{where} {key}: expected text, got {value!r}")
        texts[key] = value
    if not any(texts.values()):
        raise ConfigError(f"{where}: needs a 'cue' telling the person what to do")
    enabled = table.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError(f"{where} enabled: expected true or false, got {enabled!r}")
    and_metric = table.get("and_metric", "")
    and_above = _number(f"{where} and_above", table["and_above"]) if "and_above" in table else None
    and_below = _number(f"{where} and_below", table["and_below"]) if "and_below" in table else None
    if and_metric:
        if and_metric not in METRICS:
            raise ConfigError(f"{where} and_metric: expected one of {', '.join(METRICS)}, got {and_metric!r}")
        if and_above is None and and_below is None:
            raise ConfigError(f"{where}: 'and_metric' needs 'and_above' or 'and_below'")
    elif and_above is not None or and_below is not None:
        raise ConfigError(f"{where}: 'and_above'/'and_below' need 'and_metric'")
    return RuleSpec(
        code=code,
        metric=metric,
        above=above,
        below=below,
        hysteresis=_number(f"{where} hysteresis", table.get("hysteresis", 0.0), minimum=0.0),
        enabled=enabled,
        and_metric=and_metric,
        and_above=and_above,
        and_below=and_below,
        **texts,
    )


def _pelvis(raw: dict[str, Any]) -> PelvisConfig:
    cfg = _section(raw, "pelvis", PelvisConfig)
    for key in ("neutral_s", "neutral_min_s", "still_max_speed", "sticker_min_sep", "sticker_hand_clearance", "hollow_radius",
                "outline_max_lean_change_deg", "outline_max_change_deg", "outline_arm_clearance",
                "outline_min_seen", "outline_max_foreign", "neutral_min_seen", "neutral_min_wrist_height", "outline_typical_neutral_deg",
                "outline_typical_neutral_uncertainty_deg", "typical_neutral_uncertainty_deg"):
        if getattr(cfg, key) <= 0:
            raise ConfigError(f"[pelvis] {key}: must be > 0, got {getattr(cfg, key)}")
    if cfg.neutral_min_s > cfg.neutral_s:
        raise ConfigError(f"[pelvis] neutral_min_s: must be <= neutral_s ({cfg.neutral_s}), got {cfg.neutral_min_s}")
    if cfg.sticker_max_sep <= cfg.sticker_min_sep:
        raise ConfigError(f"[pelvis] sticker_max_sep: must be > sticker_min_sep ({cfg.sticker_min_sep})")
    if cfg.lumbar_band_high <= cfg.lumbar_band_low:
        raise ConfigError(f"[pelvis] lumbar_band_high: must be > lumbar_band_low ({cfg.lumbar_band_low})")
    return cfg


def parse_config(raw: dict[str, Any]) -> RulesConfig:
    """Validate an already-merged TOML document."""
    known = {"landmarks", "orientation", "body_check", "lunge", "flags", "pelvis", "rules"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"[{unknown[0]}]: unknown table (expected one of {', '.join(sorted(known))})")
    landmarks = _section(raw, "landmarks", LandmarkConfig, minimum=0.0)
    for key in ("min_confidence", "min_presence_inferred"):
        if getattr(landmarks, key) > 1.0:
            raise ConfigError(f"[landmarks] {key}: must be <= 1, got {getattr(landmarks, key)}")
    if landmarks.max_bone_trunks <= landmarks.min_bone_trunks:
        raise ConfigError(f"[landmarks] max_bone_trunks: must be > min_bone_trunks ({landmarks.min_bone_trunks})")
    rules_raw = raw.get("rules")
    if not isinstance(rules_raw, dict) or not rules_raw:
        raise ConfigError("[rules]: missing or empty")
    return RulesConfig(
        landmarks=landmarks,
        orientation=_section(raw, "orientation", OrientationConfig, minimum=0.0),
        body_check=_section(raw, "body_check", BodyCheckConfig, minimum=0.0),
        lunge=_section(raw, "lunge", LungeConfig),
        flags=_section(raw, "flags", FlagTimingConfig, minimum=0.0),
        pelvis=_pelvis(raw),
        rules=tuple(_rule(code, table) for code, table in rules_raw.items()),
    )


def load_config(path: str | Path | None = None) -> RulesConfig:
    """The shipped defaults, overlaid with the TOML file at ``path`` if one is given."""
    with DEFAULT_RULES_PATH.open("rb") as fh:
        raw = tomllib.load(fh)
    if path is not None:
        p = Path(path)
        try:
            with p.open("rb") as fh:
                user = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(f"rules file '{p}' not found") from None
        except IsADirectoryError:
            raise ConfigError(f"rules file '{p}' is a directory") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"rules file '{p}' is not valid TOML: {exc}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"rules file '{p}' is not UTF-8 text") from None
        raw = _merge(raw, user)
    return parse_config(raw)
