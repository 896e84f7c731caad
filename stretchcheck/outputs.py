"""The files an analysis writes: frames.csv (streamed), summary.json, flag pictures.

frames.csv is written and flushed row by row, so an interrupted run keeps every frame it
analysed; summary.json is written to a temporary name and renamed, so it is either the old
complete file or the new complete file, never half of one.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from pathlib import Path
from typing import Any, TextIO

from posture_rules.types import FrameResult

METRIC_COLUMNS = (
    "trunk_lean_deg",
    "front_knee_angle_deg",
    "knee_past_toes_ratio",
    "rear_hip_extension_deg",
    "pelvic_tilt_deg",
)
# The first eleven columns are the contract shared with the ground-truth CSVs (tools/synth)
# and the accuracy benchmark; later ones are extra detail.
FRAME_COLUMNS = (
    "frame",
    "time_s",
    "person",
    "facing",
    "phase",
    *METRIC_COLUMNS,
    "flags",
    "stretched_side",
    "hold_s",
    "good_form_s",
    "pelvic_tilt_method",
    "pelvic_tilt_change_deg",
    "pelvic_tilt_confidence",
    "lumbar_lordosis_deg",
    "head_lean_deg",
    "hidden_joints",
    "leg_confidence",
)
# Scored against truth where the truth CSV has them (stretchcheck.evaluate), after the contract.
EXTRA_METRIC_COLUMNS = ("pelvic_tilt_change_deg",)

INFERENCE_NOTES = {
    "no_glute_engagement": (
        "Inferred, not measured: an inference from movement, not a measurement of muscle "
        "activity (a camera cannot see a muscle contract). The flag means the rear hip did not "
        "extend (the pelvis was not pushed "
        "forward) and, where pelvic tilt was measured, the pelvis did not tuck under relative to "
        "the person's own neutral: contracting the glutes does both in this stretch."
    ),
    "pelvic_tilt": (
        "Pelvic tilt cannot be measured from hip keypoints (the hip joints lie on the axis the "
        "pelvis turns around). It is measured only by stickers on the front (ASIS) and back "
        "(PSIS) of the pelvis, whose line is the tilt itself, or estimated from the body "
        "outline (how far the lower back swings forward of the buttock), which gives only the "
        "change from the person's relaxed neutral. Flags use that change. Each frame names the "
        "method (pelvic_tilt_method) and its confidence; the summary says which method measured "
        "the stretch. Frames no method could measure are left empty."
    ),
}


def _fmt(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def frame_row(result: FrameResult) -> dict[str, str]:
    m = result.measurements
    row = {
        "frame": str(result.frame),
        "time_s": f"{result.time_s:.4f}",
        "person": "1" if m.person else "0",
        "facing": m.facing or "",
        "phase": result.phase.value,
        "flags": ";".join(result.flags),
        "stretched_side": (m.stretched_side or "") if m.person else "",
        "hold_s": f"{result.hold_s:.3f}",
        "good_form_s": f"{result.good_form_s:.3f}",
        "pelvic_tilt_method": tilt_method(m),
        "pelvic_tilt_change_deg": _fmt(m.pelvic_tilt_change_deg.value, 2),
        "pelvic_tilt_confidence": _fmt(tilt_confidence(m), 2),
        "lumbar_lordosis_deg": _fmt(m.lumbar_lordosis_deg.value, 1),
        "head_lean_deg": _fmt(m.head_lean_deg.value, 2),
        # Leg joints the model did not see but placed (hands on the knee...), and the weakest
        # confidence of the leg measurements: a hidden joint lowers it, it does not erase it.
        "hidden_joints": ";".join(m.hidden_joints),
        "leg_confidence": _fmt(m.leg_confidence, 2),
    }
    for column in METRIC_COLUMNS:
        row[column] = _fmt(m.metric(column).value, 4 if column.endswith("ratio") else 2)
    return row


def tilt_method(m) -> str:
    """How this frame's pelvic tilt was measured ('' when it was not)."""
    for meas in (m.pelvic_tilt_change_deg, m.pelvic_tilt_deg):
        if meas.value is not None:
            return meas.method
    return ""


def tilt_confidence(m) -> float | None:
    for meas in (m.pelvic_tilt_change_deg, m.pelvic_tilt_deg):
        if meas.value is not None:
            return meas.confidence
    return None


class FramesCsv:
    """frames.csv, one row per decoded frame, flushed as it goes."""

    def __init__(self, path: Path):
        self.path = path
        self._fh: TextIO = path.open("w", newline="", encoding="utf-8")
        self._writer = csv.DictWriter(self._fh, fieldnames=FRAME_COLUMNS)
        self._writer.writeheader()

    def write(self, result: FrameResult) -> None:
        self._writer.writerow(frame_row(result))
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> FramesCsv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON to a temporary file beside ``path``, fsync it, then rename over ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
