"""Accuracy benchmark: the checker against known truth, per metric, condition and flag.

    python bench/accuracy.py                       # render a set with tools.synth, then score it
    python bench/accuracy.py --clips DIR           # score any folder of clips with truth CSVs
    python bench/accuracy.py --variants 2 --models lite,full

A clip is ``NAME.mp4`` with ``NAME.truth.csv`` (same columns as frames.csv) and, optionally,
``NAME.meta.json`` (camera yaw, facing, expected flags), so real labelled footage can be
dropped in beside rendered clips. Prints tables, writes ``accuracy.json`` and ``accuracy.png``
to ``--out``. This is a benchmark, not a test: it reports numbers, it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stretchcheck.evaluate import ClipScore, FlagScore, MetricErrors, read_rows, score_clip  # noqa: E402
from stretchcheck.outputs import METRIC_COLUMNS  # noqa: E402

# The targets issues #3, #4 and #7 set (mean absolute error, in the metric's unit).
TARGET_MAE = {
    "trunk_lean_deg": 4.0,
    "front_knee_angle_deg": 6.0,
    "rear_hip_extension_deg": 7.0,
    "pelvic_tilt_deg": 3.0,
}
TARGET_RECALL = 0.9


def find_clips(folder: Path) -> list[dict]:
    clips = []
    for video in sorted(folder.rglob("*.mp4")):
        truth = video.with_name(video.stem + ".truth.csv")
        if not truth.exists():
            continue
        meta_path = video.with_name(video.stem + ".meta.json")
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        clips.append({"name": video.stem, "video": str(video), "truth": str(truth), "meta": meta})
    return clips


def view_of(meta: dict) -> str:
    yaw = abs(float(meta.get("scenario", {}).get("yaw_deg", meta.get("yaw_deg", 0.0)) or 0.0))
    return "side" if yaw < 5 else f"yaw{int(round(yaw))}"


def expected_flags(meta: dict) -> list[str] | None:
    if "expected_flags" in meta:
        return list(meta["expected_flags"])
    return None


def _analyze(job: tuple[str, str, str, str]) -> str:
    video, out, model, backend = job
    from stretchcheck.pipeline import AnalyzeOptions, analyze_video
    from vision.native_logs import quiet_native_stderr

    with quiet_native_stderr():
        analyze_video(video, out, AnalyzeOptions(model=model, backend=backend, write_video=False))
    return out


def render_set(out: Path, variants: int, seed: int, jobs: int) -> None:
    marker = out / f".complete_v{variants}_s{seed}"
    if marker.exists():
        print(f"using the rendered set in {out} (delete it to render again)")
        return
    cmd = [sys.executable, "-m", "tools.synth", "set", "--out", str(out), "--variants", str(variants),
           "--seed", str(seed), "--jobs", str(jobs)]
    print("rendering:", " ".join(cmd))
    subprocess.run(cmd, check=True, cwd=ROOT)
    marker.touch()


def fmt(v, digits=2, pct=False) -> str:
    if v is None:
        return "-"
    return f"{100 * v:.0f}%" if pct else f"{v:.{digits}f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=Path, help="folder of NAME.mp4 + NAME.truth.csv (default: render a set)")
    ap.add_argument("--variants", type=int, default=1, help="rendered variants per scenario (default 1)")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--models", default="lite,full")
    ap.add_argument("--backend", default="mediapipe")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "accuracy")
    ap.add_argument("--reuse", action="store_true", help="keep earlier runs' frames.csv instead of analysing again")
    args = ap.parse_args()

    t0 = time.perf_counter()
    clips_dir = args.clips
    if clips_dir is None:
        clips_dir = args.out / "clips"
        render_set(clips_dir, args.variants, args.seed, args.jobs)
    clips = find_clips(clips_dir)
    if not clips:
        print(f"no clips with truth CSVs in {clips_dir}", file=sys.stderr)
        return 2
    models = [m for m in args.models.split(",") if m]
    jobs = [(c["video"], str(args.out / "runs" / m / c["name"]), m, args.backend) for m in models for c in clips]
    if args.reuse:
        jobs = [j for j in jobs if not (Path(j[1]) / "summary.json").exists()]
    t1 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as ex:
        list(ex.map(_analyze, jobs))
    analyse_s = time.perf_counter() - t1

    metric_groups: dict[tuple[str, str, str], MetricErrors] = defaultdict(MetricErrors)
    flag_groups: dict[tuple[str, str], FlagScore] = defaultdict(FlagScore)
    good_clip_false: dict[str, list[str]] = defaultdict(list)
    per_clip = []
    for m in models:
        for c in clips:
            score: ClipScore = score_clip(read_rows(args.out / "runs" / m / c["name"] / "frames.csv"), read_rows(c["truth"]))
            meta = c["meta"]
            view = view_of(meta)
            facing = meta.get("facing") or "?"
            for metric, errs in score.metrics.items():
                for cond in (view, f"facing {facing}" if view == "side" else None):
                    if cond:
                        metric_groups[(metric, m, cond)].add(errs)
            for code, fs in score.flags.items():
                flag_groups[(code, m)].add(fs)
            exp = expected_flags(meta)
            if exp == []:
                good_clip_false[m] += [f"{c['name']}:{e.code}" for e in score.false_flags]
            per_clip.append({
                "clip": c["name"], "model": m, "view": view, "facing": facing,
                "metrics": {k: v.stats() for k, v in score.metrics.items()},
                "flags": {k: v.stats() for k, v in score.flags.items()},
                "false_flags": [e.__dict__ for e in score.false_flags],
                "missed": [e.__dict__ for e in score.missed],
            })

    print(f"\n{len(clips)} clips x {len(models)} models; analysis {analyse_s:.0f} s, total {time.perf_counter() - t0:.0f} s")
    print("\nMetrics during the held stretch (error = estimate - truth)")
    print(f"{'metric':24} {'model':5} {'condition':13} {'frames':>6} {'MAE':>6} {'P95':>6} {'bias':>6} {'known':>6}  target")
    metrics_json = []
    for metric in METRIC_COLUMNS:
        for m in models:
            conds = sorted({k[2] for k in metric_groups if k[0] == metric and k[1] == m}, key=lambda s: (s != "side", s))
            for cond in conds:
                st = metric_groups[(metric, m, cond)].stats()
                target = TARGET_MAE.get(metric)
                verdict = ""
                if target is not None and cond == "side":
                    verdict = f"<={target:g}: " + ("met" if st["mae"] is not None and st["mae"] <= target else "MISSED")
                digits = 3 if metric.endswith("ratio") else 2
                print(f"{metric:24} {m:5} {cond:13} {st['frames']:6d} {fmt(st['mae'], digits):>6} {fmt(st['p95'], digits):>6} "
                      f"{fmt(st['bias'], digits):>6} {fmt(st['known_share'], pct=True):>6}  {verdict}")
                metrics_json.append({"metric": metric, "model": m, "condition": cond, **st})

    print("\nFlags (a fault counts as caught if flagged while present or within 1 s of its end)")
    print(f"{'flag':22} {'model':5} {'faults':>6} {'raised':>6} {'recall':>6} {'prec.':>6} {'delay med':>9} {'max':>6}")
    flags_json = []
    for code in sorted({k[0] for k in flag_groups}):
        for m in models:
            st = flag_groups[(code, m)].stats()
            print(f"{code:22} {m:5} {st['truth_episodes']:6d} {st['raised_episodes']:6d} {fmt(st['recall'], pct=True):>6} "
                  f"{fmt(st['precision'], pct=True):>6} {fmt(st['median_delay_s']):>9} {fmt(st['max_delay_s']):>6}")
            flags_json.append({"flag": code, "model": m, **st})
    print("\nForm flags raised on good-form clips:")
    for m in models:
        print(f"  {m}: {', '.join(good_clip_false[m]) or 'none'}")

    args.out.mkdir(parents=True, exist_ok=True)
    result = {
        "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "clips": len(clips), "models": models, "backend": args.backend,
        "metrics": metrics_json, "flags": flags_json,
        "false_flags_on_good_clips": dict(good_clip_false), "per_clip": per_clip,
        "analysis_s": round(analyse_s, 1),
    }
    (args.out / "accuracy.json").write_text(json.dumps(result, indent=1))
    _plot(metric_groups, models, args.out / "accuracy.png")
    print(f"\nwrote {args.out / 'accuracy.json'} and {args.out / 'accuracy.png'}")
    return 0


def _plot(groups: dict[tuple[str, str, str], MetricErrors], models: list[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [m for m in METRIC_COLUMNS if m != "knee_past_toes_ratio"]
    fig, axes = plt.subplots(1, len(shown), figsize=(4.2 * len(shown), 4.2), squeeze=False)
    for ax, metric in zip(axes[0], shown):
        data, labels = [], []
        for m in models:
            for cond in sorted({k[2] for k in groups if k[0] == metric and k[1] == m and not k[2].startswith("facing")}):
                errs = groups[(metric, m, cond)].errors
                if errs:
                    data.append(errs)
                    labels.append(f"{m}\n{cond}")
        if data:
            ax.boxplot(data, showfliers=False)
            ax.set_xticks(range(1, len(labels) + 1), labels, fontsize=8)
        target = TARGET_MAE.get(metric)
        if target:
            ax.axhspan(-target, target, color="tab:green", alpha=0.12, label=f"±{target:g} target")
        ax.axhline(0, color="k", lw=0.6)
        ax.set_title(metric)
        ax.set_ylabel("estimate − truth")
    fig.suptitle("stretchcheck accuracy on rendered lunge clips (held stretch)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
