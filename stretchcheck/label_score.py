"""Scoring an analysis against time-range labels made by eye (the real-footage benchmark).

Real videos have no per-frame truth: a person labels time ranges from frame sheets (the
stretch held, each fault a therapist would name, stretches of clearly good form). Three
questions per clip (``bench/real.py``):

- **found**: the share of labelled stretch frames the checker calls ``stretch``;
- **caught**: each labelled fault range raised its flag somewhere inside it (a flag needs
  ``raise_after_s`` of fault first, so the range's end is allowed that much grace);
- **false**: the share of good-form frames carrying any form flag. A flag clears only after
  ``clear_after_s`` back inside its limit, so the first ``flag_lag_s`` of a good range (often
  just after a labelled fault ends) is not counted, as the fault ranges get the same grace.

Clips are ``kind`` "stretch" (a held stretch: the found share is a target there) or "moving"
(lunges that go up and down, whose bottoms last under a second: found is reported, not a
target, since the phase needs ``enter_after_s`` to confirm a lunge; faults and good form count).

The labels' fault names are a therapist's words; ``LABEL_FLAGS`` says which flags answer each.

Pelvic tilt (issue #20) is also reported on the ranges labelled ``arched_low_back`` (a fault,
scored as above) and ``tucked_pelvis`` (good: the pelvis tucked under): how much of each
range had a tilt reading, its median change from neutral, and whether the tilt flag rose.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Which checker flags answer each labelled fault. An arched low back shows as a pelvis tipped
# forward (the tilt flag, where a method measures tilt) or as the trunk bending back behind
# the hips (the trunk-back flag, which the arched back-bend raises).
LABEL_FLAGS: dict[str, tuple[str, ...]] = {
    "trunk_lean_forward": ("trunk_lean_forward",),
    "trunk_lean_back": ("trunk_lean_back",),
    "arched_low_back": ("anterior_pelvic_tilt", "trunk_lean_back"),
    "front_knee_past_toes": ("front_knee_past_toes",),
    "front_knee_angle": ("front_knee_angle",),
    "no_glute_engagement": ("no_glute_engagement",),
}

Range = tuple[float, float]


class LabelError(ValueError):
    """A label file that cannot be used; the message names the clip and the field."""


@dataclass(frozen=True)
class ClipLabels:
    clip_id: str
    stretch: tuple[Range, ...]
    faults: dict[str, tuple[Range, ...]]
    good: tuple[Range, ...]
    view: str = "side"
    kind: str = "stretch"
    tucked: tuple[Range, ...] = ()  # the pelvis tucked under (good)


@dataclass(frozen=True)
class FrameRow:
    """The part of one analysed frame the scoring needs."""

    time_s: float
    phase: str
    flags: tuple[str, ...]
    tilt_change: float | None = None  # pelvic_tilt_change_deg, None where unknown or not kept
    tilt_method: str = ""


@dataclass
class PelvisRangeResult:
    """Pelvic tilt over one range labelled ``arched_low_back`` or ``tucked_pelvis``."""

    label: str
    start_s: float
    end_s: float
    frames: int
    known: int  # frames with a tilt reading
    median_change: float | None  # of the known frames
    assumed: int  # known frames read against an assumed (typical) neutral
    tilt_flag: bool  # anterior_pelvic_tilt raised in the range (with the fault grace)


@dataclass
class FaultResult:
    label: str
    start_s: float
    end_s: float
    caught: bool
    raised: tuple[str, ...]  # the answering flags seen in the range


@dataclass
class ClipResult:
    clip_id: str
    stretch_frames: int = 0
    stretch_found: int = 0
    good_frames: int = 0
    good_flagged: int = 0
    flags_on_good: dict[str, int] = field(default_factory=dict)
    faults: list[FaultResult] = field(default_factory=list)
    pelvis: list[PelvisRangeResult] = field(default_factory=list)

    @property
    def found_share(self) -> float | None:
        return self.stretch_found / self.stretch_frames if self.stretch_frames else None

    @property
    def false_share(self) -> float | None:
        return self.good_flagged / self.good_frames if self.good_frames else None


def _ranges(clip_id: str, name: str, value: Any) -> tuple[Range, ...]:
    if not isinstance(value, list):
        raise LabelError(f"{clip_id}: '{name}' must be a list of [start, end] pairs")
    out = []
    for pair in value:
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(isinstance(v, (int, float)) for v in pair)
            or pair[1] < pair[0]
        ):
            raise LabelError(
                f"{clip_id}: '{name}' has a bad range {pair!r} (want [start, end], start <= end)"
            )
        out.append((float(pair[0]), float(pair[1])))
    return tuple(out)


KINDS = ("stretch", "moving")


def parse_labels(
    clip_id: str, labels: dict[str, Any], view: str = "side", kind: str = "stretch"
) -> ClipLabels:
    faults_raw = labels.get("faults", {})
    if not isinstance(faults_raw, dict):
        raise LabelError(f"{clip_id}: 'faults' must map a fault name to ranges")
    unknown = sorted(set(faults_raw) - set(LABEL_FLAGS))
    if unknown:
        raise LabelError(
            f"{clip_id}: unknown fault '{unknown[0]}' (expected one of {', '.join(LABEL_FLAGS)})"
        )
    if kind not in KINDS:
        raise LabelError(f"{clip_id}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    return ClipLabels(
        clip_id=clip_id,
        stretch=_ranges(clip_id, "stretch", labels.get("stretch", [])),
        faults={k: _ranges(clip_id, f"faults.{k}", v) for k, v in faults_raw.items()},
        good=_ranges(clip_id, "good", labels.get("good", [])),
        view=view,
        kind=kind,
        tucked=_ranges(clip_id, "tucked_pelvis", labels.get("tucked_pelvis", [])),
    )


def load_manifest(path: str | Path) -> list[dict[str, Any]]:
    """The clips of a manifest (``bench/real/manifest.json``), labels checked."""
    with Path(path).open(encoding="utf-8") as fh:
        doc = json.load(fh)
    clips = doc.get("clips") if isinstance(doc, dict) else None
    if not isinstance(clips, list):
        raise LabelError(f"{path}: expected an object with a 'clips' list")
    for clip in clips:
        parse_labels(
            clip["clip_id"],
            clip.get("labels", {}),
            clip.get("view", "side"),
            clip.get("kind", "stretch"),
        )
    return clips


def _inside(t: float, ranges: Iterable[Range], grace_s: float = 0.0) -> bool:
    return any(a <= t <= b + grace_s for a, b in ranges)


def score_clip(
    labels: ClipLabels, rows: Sequence[FrameRow], flag_grace_s: float = 1.0, flag_lag_s: float = 0.5
) -> ClipResult:
    """Score one clip's frames against its labels (see the module doc).

    ``flag_grace_s``: a fault range's flag may come this long after its end;
    ``flag_lag_s``: a good range's first seconds not counted (a flag's clearing time).
    """
    good = [(a + flag_lag_s, b) for a, b in labels.good if b >= a + flag_lag_s]
    result = ClipResult(labels.clip_id)
    for row in rows:
        if _inside(row.time_s, labels.stretch):
            result.stretch_frames += 1
            result.stretch_found += row.phase == "stretch"
        if _inside(row.time_s, good):
            result.good_frames += 1
            if row.flags:
                result.good_flagged += 1
                for code in row.flags:
                    result.flags_on_good[code] = result.flags_on_good.get(code, 0) + 1
    for label, ranges in sorted(labels.faults.items()):
        answers = set(LABEL_FLAGS[label])
        for a, b in ranges:
            raised = sorted(
                {
                    c
                    for row in rows
                    if _inside(row.time_s, [(a, b)], flag_grace_s)
                    for c in row.flags
                    if c in answers
                }
            )
            result.faults.append(FaultResult(label, a, b, bool(raised), tuple(raised)))
    pelvis_ranges = [("arched_low_back", r) for r in labels.faults.get("arched_low_back", ())]
    pelvis_ranges += [("tucked_pelvis", r) for r in labels.tucked]
    for label, (a, b) in pelvis_ranges:
        inside = [row for row in rows if _inside(row.time_s, [(a, b)])]
        known = [row.tilt_change for row in inside if row.tilt_change is not None]
        flag = any("anterior_pelvic_tilt" in row.flags for row in rows if _inside(row.time_s, [(a, b)], flag_grace_s))
        median = sorted(known)[len(known) // 2] if known else None
        assumed = sum(1 for row in inside if row.tilt_change is not None and "typical" in row.tilt_method)
        result.pelvis.append(PelvisRangeResult(label, a, b, len(inside), len(known), median, assumed, flag))
    return result
