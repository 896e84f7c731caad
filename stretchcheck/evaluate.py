"""Score a frames.csv against a truth CSV with the same columns (the accuracy contract).

Used by ``bench/accuracy.py`` and by the golden-clip tests, so the benchmark and the tests
judge the checker the same way. Pure csv + numpy: real labelled footage can be scored the
same way as rendered clips, as long as its truth CSV has these columns.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from stretchcheck.outputs import EXTRA_METRIC_COLUMNS, METRIC_COLUMNS

SCORED_COLUMNS = METRIC_COLUMNS + EXTRA_METRIC_COLUMNS  # extra ones where the truth has them
TILT_COLUMNS = ("pelvic_tilt_deg", "pelvic_tilt_change_deg")

# A flag counts as catching a fault if it is raised while the fault lasts or up to this long
# after its onset; a raised flag counts as true if it overlaps a fault of the same code give
# or take this long (the rules need time to confirm a fault and to see it gone).
MATCH_SLACK_S = 1.0


def read_rows(path: str | Path) -> list[dict[str, str]]:
    with Path(path).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _value(text: str | None) -> float:
    return float(text) if text not in (None, "") else float("nan")


@dataclass(frozen=True)
class Episode:
    code: str
    start_s: float
    end_s: float


def episodes_from_rows(rows: list[dict[str, str]]) -> list[Episode]:
    """Contiguous runs of frames whose ``flags`` column contains a code."""
    out: list[Episode] = []
    open_: dict[str, float] = {}
    last_t = 0.0
    for r in rows:
        t = float(r["time_s"])
        codes = {c for c in (r.get("flags") or "").split(";") if c}
        for code in list(open_):
            if code not in codes:
                out.append(Episode(code, open_.pop(code), t))
        for code in codes:
            open_.setdefault(code, t)
        last_t = t
    out += [Episode(code, start, last_t) for code, start in open_.items()]
    return sorted(out, key=lambda e: (e.start_s, e.code))


@dataclass
class MetricErrors:
    """Per-frame signed errors (estimate − truth) and coverage counts for one metric."""

    errors: list[float] = field(default_factory=list)
    truth_frames: int = 0  # frames where the truth has a value (in the stretch)
    known_frames: int = 0  # of those, frames where the checker gave a value

    def add(self, other: MetricErrors) -> None:
        self.errors += other.errors
        self.truth_frames += other.truth_frames
        self.known_frames += other.known_frames

    def stats(self) -> dict[str, float | int | None]:
        e = np.asarray(self.errors, dtype=float)
        return {
            "frames": self.truth_frames,
            "mae": float(np.mean(np.abs(e))) if e.size else None,
            "p95": float(np.percentile(np.abs(e), 95)) if e.size else None,
            "bias": float(np.mean(e)) if e.size else None,
            "known_share": self.known_frames / self.truth_frames if self.truth_frames else None,
        }


@dataclass
class FlagScore:
    truth_episodes: int = 0
    caught: int = 0
    raised_episodes: int = 0
    raised_true: int = 0
    delays_s: list[float] = field(default_factory=list)

    def add(self, other: FlagScore) -> None:
        self.truth_episodes += other.truth_episodes
        self.caught += other.caught
        self.raised_episodes += other.raised_episodes
        self.raised_true += other.raised_true
        self.delays_s += other.delays_s

    def stats(self) -> dict[str, float | int | None]:
        return {
            "truth_episodes": self.truth_episodes,
            "raised_episodes": self.raised_episodes,
            "recall": self.caught / self.truth_episodes if self.truth_episodes else None,
            "precision": self.raised_true / self.raised_episodes if self.raised_episodes else None,
            "median_delay_s": float(np.median(self.delays_s)) if self.delays_s else None,
            "max_delay_s": float(np.max(self.delays_s)) if self.delays_s else None,
        }


@dataclass
class ClipScore:
    metrics: dict[str, MetricErrors]
    flags: dict[str, FlagScore]
    false_flags: list[Episode]  # raised with no matching truth fault
    missed: list[Episode]  # truth faults never flagged
    # Pelvic tilt errors split by the method that measured each frame ("stickers", "outline"):
    # (metric, method) -> errors; truth_frames there count every frame with a truth value.
    by_method: dict[tuple[str, str], MetricErrors] = field(default_factory=dict)


def method_family(method: str) -> str:
    """'stickers' / 'outline' from a pelvic_tilt_method such as 'outline, change from neutral'."""
    return method.split(",")[0].split(" ")[0] if method else ""


def score_clip(estimate_rows: list[dict[str, str]], truth_rows: list[dict[str, str]]) -> ClipScore:
    """Compare one clip's frames.csv rows with its truth rows (matched by frame number)."""
    truth_by_frame = {int(r["frame"]): r for r in truth_rows}
    metrics = {m: MetricErrors() for m in SCORED_COLUMNS}
    by_method: dict[tuple[str, str], MetricErrors] = {}
    for est in estimate_rows:
        truth = truth_by_frame.get(int(est["frame"]))
        # Angles are judged while the stretch is held: that is where a flag can fire and
        # where the person reads the numbers.
        if truth is None or truth.get("phase") != "stretch":
            continue
        for m in SCORED_COLUMNS:
            t = _value(truth.get(m))
            if np.isnan(t):
                continue
            metrics[m].truth_frames += 1
            e = _value(est.get(m))
            if not np.isnan(e):
                metrics[m].known_frames += 1
                metrics[m].errors.append(e - t)
                if m in TILT_COLUMNS:
                    key = (m, method_family(est.get("pelvic_tilt_method") or "") or "?")
                    errs = by_method.setdefault(key, MetricErrors())
                    errs.known_frames += 1
                    errs.errors.append(e - t)

    truth_eps = episodes_from_rows(truth_rows)
    est_eps = episodes_from_rows(estimate_rows)
    flags: dict[str, FlagScore] = {}
    missed, false_flags = [], []
    for te in truth_eps:
        s = flags.setdefault(te.code, FlagScore())
        s.truth_episodes += 1
        hits = [e for e in est_eps if e.code == te.code and e.start_s <= te.end_s + MATCH_SLACK_S and e.end_s >= te.start_s]
        if hits:
            s.caught += 1
            s.delays_s.append(max(0.0, min(e.start_s for e in hits) - te.start_s))
        else:
            missed.append(te)
    for ee in est_eps:
        s = flags.setdefault(ee.code, FlagScore())
        s.raised_episodes += 1
        if any(
            te.code == ee.code and ee.start_s <= te.end_s + MATCH_SLACK_S and ee.end_s >= te.start_s - MATCH_SLACK_S
            for te in truth_eps
        ):
            s.raised_true += 1
        else:
            false_flags.append(ee)
    for (m, _), errs in by_method.items():
        errs.truth_frames = metrics[m].truth_frames
    return ClipScore(metrics=metrics, flags=flags, false_flags=false_flags, missed=missed, by_method=by_method)
