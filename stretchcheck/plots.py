"""The timeline plot: each metric over time, its allowed band, and the flag episodes shaded.

One builder serves the upload page, the review page and the PDF report, so a therapist sees
the same picture everywhere. Matplotlib's object API (``Figure``, no pyplot) keeps no global
state, which matters because Streamlit serves several sessions from threads of one process.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display; set before anything imports pyplot
from matplotlib.figure import Figure

from posture_rules.config import RulesConfig
from stretchcheck.live_view import LIVE_METRICS, allowed_range

Series = dict[str, list[float | None]]


def read_series(frames_csv: Path) -> Series:
    """time_s and every metric column of a frames.csv, empty cells as None."""
    wanted = ["time_s"] + [m for m, *_ in LIVE_METRICS]
    out: Series = {k: [] for k in wanted}
    with frames_csv.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for key in wanted:
                cell = row.get(key, "")
                out[key].append(float(cell) if cell not in ("", None) else None)
    return out


def timeline_figure(series: Series, flags: Sequence[dict[str, Any]], config: RulesConfig,
                    width_in: float = 9.0, row_in: float = 1.6) -> Figure:
    """One row per metric that has data; metrics never measured are named in the title.

    ``row_in`` is each row's height in inches: flatter rows fit the one-page PDF.
    """
    times = series.get("time_s", [])
    shown = [(m, label, unit) for m, label, unit, _ in LIVE_METRICS if any(v is not None for v in series.get(m, []))]
    missing = [label for m, label, _, _ in LIVE_METRICS if (m, label) not in {(s[0], s[1]) for s in shown}]
    rows = max(1, len(shown))
    fig = Figure(figsize=(width_in, row_in * rows + 0.8), dpi=100, layout="constrained")
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    metric_of = {r.code: r.metric for r in config.rules}
    if not shown:
        axes[0].text(0.5, 0.5, "No measurements: no person was seen.", ha="center", va="center",
                     transform=axes[0].transAxes)
        axes[0].set_yticks([])
    for ax, (metric, label, unit) in zip(axes, shown):
        values = series[metric]
        xs = [t for t, v in zip(times, values) if v is not None and t is not None]
        ys = [v for t, v in zip(times, values) if v is not None and t is not None]
        ax.plot(xs, ys, lw=1.2, color="#1f4e79", marker="." if len(xs) < 3 else None)
        low, high = allowed_range(config, metric)
        lo_y = min(ys + [low] if low is not None else ys)
        hi_y = max(ys + [high] if high is not None else ys)
        pad = (hi_y - lo_y) * 0.1 or 1.0
        lo_y, hi_y = lo_y - pad, hi_y + pad
        band_lo = low if low is not None else lo_y
        band_hi = high if high is not None else hi_y
        if low is not None or high is not None:
            ax.axhspan(band_lo, band_hi, color="#3cb371", alpha=0.15, lw=0)
            for limit in (low, high):
                if limit is not None:
                    ax.axhline(limit, color="#2e8b57", lw=0.8, ls="--")
        for f in flags:
            if metric_of.get(f["code"]) == metric:
                ax.axvspan(f["start_s"], max(f["end_s"], f["start_s"] + 0.05), color="#e23c32", alpha=0.25, lw=0)
        ax.set_ylim(lo_y, hi_y)
        ax.set_ylabel(f"{label}\n({unit.strip()})", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3, lw=0.5)
    axes[-1].set_xlabel("time (s)", fontsize=8)
    title = "Green band: allowed range; red: flag episodes"
    if missing:
        title += f"; not measured: {', '.join(missing)}"
    fig.suptitle(title, fontsize=9)
    return fig


def figure_png(fig: Figure, dpi: int = 110) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
