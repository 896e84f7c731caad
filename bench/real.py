"""Real-footage benchmark: the checker on public videos of real people, against labels by eye.

    python bench/real.py [--cache DIR] [--model heavy] [--backend onnx] [--out out/real]
    python bench/real.py --replay          # re-run only the rules on the poses kept last time
    python bench/real.py --rescore         # score the last full run again (after a label change)

The videos are not in git (most carry no licence that allows it): ``bench/real/manifest.json``
says where each comes from (repository, commit, path, licence as stated, sha256) and holds
its labels. Put the files in a cache folder (default ``$STRETCHCHECK_REAL_CACHE``, else
``../shared/real-cache`` beside the checkout; any depth, found by file name, checked by
sha256); a clip that is absent or differs is skipped with a line saying so.

Each clip is analysed as ``stretchcheck analyze`` would (heavy model, ONNX backend, body
outline on, no annotated video). ``--replay`` re-runs only the rules on the smoothed poses
the last full run kept (``poses.npz`` per clip), to try a rule change in seconds; it has no
segmentation mask, so no pelvic tilt. Prints, per clip and overall: the share of labelled
stretch frames found as stretch, each labelled fault caught or missed, and the share of
good-form frames carrying a form flag (``stretchcheck.label_score``). Writes
``real.json`` to ``--out``. A benchmark, not a test: it reports, it asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posture_rules.checker import FormChecker
from posture_rules.config import load_config
from stretchcheck.evaluate import read_rows
from stretchcheck.label_score import ClipResult, FrameRow, load_manifest, parse_labels, score_clip
from stretchcheck.pipeline import AnalyzeOptions, analyze_video
from vision.pose import Pose

MANIFEST = ROOT / "bench" / "real" / "manifest.json"
# The targets, for side views and obliques up to 30 deg.
TARGET_FOUND, TARGET_CAUGHT, TARGET_FALSE = 0.9, 0.9, 0.1
SCORED_VIEWS = ("side", "oblique ~30")


def default_cache() -> Path:
    env = os.environ.get("STRETCHCHECK_REAL_CACHE")
    return Path(env) if env else ROOT.parent / "shared" / "real-cache"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def find_video(cache: Path, clip: dict) -> tuple[Path | None, str]:
    """The clip's file in the cache, or None and why not."""
    hits = sorted(cache.rglob(clip["file"])) if cache.is_dir() else []
    if not hits:
        return None, f"not in {cache}"
    for hit in hits:
        if sha256(hit) == clip["sha256"]:
            return hit, ""
    return None, f"{hits[0]} differs from the manifest's sha256"


class PoseLog:
    """Keeps each smoothed pose's landmarks, to replay the rules without the pose model."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []

    def __call__(self, pose: Pose) -> None:
        self.rows.append(
            (
                pose.timestamp_s,
                pose.image_size,
                pose.is_empty,
                pose.xy,
                pose.visibility,
                pose.presence,
            )
        )

    def save(self, path: Path) -> None:
        n = len(self.rows)
        xy = np.full((n, 33, 2), np.nan)
        vis, pres = np.zeros((n, 33)), np.zeros((n, 33))
        for i, (_, _, empty, p_xy, p_vis, p_pres) in enumerate(self.rows):
            if not empty:
                xy[i], vis[i], pres[i] = p_xy, p_vis, p_pres
        np.savez_compressed(
            path,
            t=np.array([r[0] for r in self.rows]),
            xy=xy,
            vis=vis,
            pres=pres,
            empty=np.array([r[2] for r in self.rows]),
            size=np.array(self.rows[0][1] if self.rows else (0, 0)),
        )


def replay(poses: Path) -> list[FrameRow]:
    """The rules alone over kept poses (no mask: no pelvic tilt)."""
    data = np.load(poses)
    size = tuple(int(v) for v in data["size"])
    checker = FormChecker(load_config())
    rows = []
    for i, t in enumerate(data["t"]):
        pose = (
            Pose.empty(size, float(t))
            if data["empty"][i]
            else Pose(data["xy"][i], data["vis"][i], data["pres"][i], size, float(t))
        )
        r = checker.update(pose, i)
        rows.append(FrameRow(r.time_s, r.phase.value, r.flags))
    return rows


def analyse(video: Path, out: Path, model: str, backend: str) -> list[FrameRow]:
    log = PoseLog()
    analyze_video(
        video, out, AnalyzeOptions(model=model, backend=backend, write_video=False), on_pose=log
    )
    log.save(out / "poses.npz")
    return frame_rows(out)


def frame_rows(out: Path) -> list[FrameRow]:
    """The scoring's view of a clip's frames.csv in ``out``."""
    return [
        FrameRow(
            float(r["time_s"]),
            r["phase"],
            tuple(c for c in r["flags"].split(";") if c),
            float(r["pelvic_tilt_change_deg"]) if r.get("pelvic_tilt_change_deg") else None,
            r.get("pelvic_tilt_method", ""),
        )
        for r in read_rows(out / "frames.csv")
    ]


def pct(x: float | None) -> str:
    return "  -  " if x is None else f"{100 * x:4.0f}%"


def report(clips: list[dict], results: dict[str, ClipResult]) -> dict:
    print(
        f"\n{'clip':38s} {'view':12s} {'kind':8s} {'found':>6s} {'false':>6s}  faults (caught / labelled)"
    )
    total = {"stretch": 0, "found": 0, "good": 0, "flagged": 0, "faults": 0, "caught": 0}
    for clip in clips:
        r = results.get(clip["clip_id"])
        if r is None:
            continue
        caught = [f for f in r.faults if f.caught]
        misses = ", ".join(
            f"{f.label} {f.start_s:g}-{f.end_s:g}s" for f in r.faults if not f.caught
        )
        on_good = ", ".join(f"{k} {v}" for k, v in sorted(r.flags_on_good.items()))
        print(
            f"{clip['clip_id']:38s} {clip.get('view', ''):12s} {clip.get('kind', 'stretch'):8s} "
            f"{pct(r.found_share):>6s} {pct(r.false_share):>6s}"
            f"  {len(caught)}/{len(r.faults)}"
            + (f"  missed: {misses}" if misses else "")
            + (f"  on good: {on_good}" if on_good else "")
        )
        if clip.get("view", "side") in SCORED_VIEWS:
            total["stretch"] += r.stretch_frames
            total["found"] += r.stretch_found
            total["good"] += r.good_frames
            total["flagged"] += r.good_flagged
            total["faults"] += len(r.faults)
            total["caught"] += len(caught)
    scored = [
        results[c["clip_id"]]
        for c in clips
        if c["clip_id"] in results and c.get("view", "side") in SCORED_VIEWS
    ]
    if not scored:
        print("\nNo side or <=30 deg clip was analysed: nothing to score (is --cache right?)")
        return total
    kinds = {c["clip_id"]: c.get("kind", "stretch") for c in clips}
    below = [
        r.clip_id
        for r in scored
        if kinds[r.clip_id] == "stretch"
        and r.found_share is not None
        and r.found_share < TARGET_FOUND
    ]
    held = [r for r in scored if kinds[r.clip_id] == "stretch"]
    held_found = sum(r.stretch_found for r in held), sum(r.stretch_frames for r in held)
    print(
        f"\nSide and <=30 deg clips ({len(scored)}, {len(held)} of a held stretch): stretch frames found "
        f"{held_found[0]}/{held_found[1]} in held-stretch clips ({pct(held_found[0] / max(held_found[1], 1))}; "
        f"target >= {TARGET_FOUND:.0%} in every one, below it: {', '.join(below) or 'none'}), "
        f"{total['found']}/{total['stretch']} in all; "
        f"faults caught {total['caught']}/{total['faults']} (target >= {TARGET_CAUGHT:.0%}); "
        f"good-form frames flagged {total['flagged']}/{total['good']} "
        f"({pct(total['flagged'] / max(total['good'], 1))}; target <= {TARGET_FALSE:.0%})"
    )
    _report_pelvis(clips, results)
    return total


def _report_pelvis(clips: list[dict], results: dict[str, ClipResult]) -> None:
    """Pelvic tilt on the ranges labelled arched_low_back and tucked_pelvis (issue #20)."""
    lines = []
    for clip in clips:
        r = results.get(clip["clip_id"])
        for p in r.pelvis if r is not None else ():
            med = "-" if p.median_change is None else f"{p.median_change:+.1f}"
            if p.label == "arched_low_back":
                fault = next(f for f in r.faults if f.label == p.label and f.start_s == p.start_s)
                verdict = f"flagged: {', '.join(fault.raised)}" if fault.caught else "NOT flagged"
            else:
                verdict = "tilt flag raised (false)" if p.tilt_flag else "no tilt flag"
            lines.append(
                f"  {clip['clip_id']:34s} {p.label:16s} {p.start_s:5.1f}-{p.end_s:5.1f}s  tilt known "
                f"{p.known}/{p.frames} ({p.assumed} against an assumed neutral), median change {med}; {verdict}"
            )
    if lines:
        print("\nPelvic tilt on the labelled arched-back and tucked-pelvis ranges (a --replay has no outline, "
              "so no tilt)")
        print("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, default=default_cache(), help="folder holding the videos")
    ap.add_argument("--manifest", type=Path, default=MANIFEST)
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "real")
    ap.add_argument("--model", default="heavy")
    ap.add_argument("--backend", default="onnx")
    ap.add_argument(
        "--replay", action="store_true", help="re-run the rules on the poses kept last time"
    )
    ap.add_argument(
        "--rescore", action="store_true",
        help="score the last full run's frames.csv again (new labels), analysing nothing",
    )
    ap.add_argument("--only", default="", help="comma-separated clip ids")
    args = ap.parse_args(argv)

    clips = load_manifest(args.manifest)
    if args.only:
        wanted = set(args.only.split(","))
        clips = [c for c in clips if c["clip_id"] in wanted]
    results: dict[str, ClipResult] = {}
    for clip in clips:
        labels = parse_labels(
            clip["clip_id"], clip["labels"], clip.get("view", "side"), clip.get("kind", "stretch")
        )
        out = args.out / clip["clip_id"]
        started = time.perf_counter()
        if args.rescore:
            if not (out / "frames.csv").exists():
                print(f"skip {clip['clip_id']}: no frames.csv in {out} (run without --rescore first)")
                continue
            rows = frame_rows(out)
        elif args.replay:
            if not (out / "poses.npz").exists():
                print(
                    f"skip {clip['clip_id']}: no kept poses in {out} (run without --replay first)"
                )
                continue
            rows = replay(out / "poses.npz")
        else:
            video, why = find_video(args.cache, clip)
            if video is None:
                print(f"skip {clip['clip_id']}: {why}")
                continue
            rows = analyse(video, out, args.model, args.backend)
        results[clip["clip_id"]] = score_clip(labels, rows)
        print(
            f"done {clip['clip_id']} ({len(rows)} frames, {time.perf_counter() - started:.1f} s)",
            flush=True,
        )
    total = report(clips, results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "real.json").write_text(
        json.dumps(
            {
                "model": args.model,
                "backend": args.backend,
                "replay": args.replay,
                "rescore": args.rescore,
                "total": total,
                "clips": {
                    k: {
                        "found": v.found_share,
                        "false": v.false_share,
                        "flags_on_good": v.flags_on_good,
                        "faults": [vars(f) for f in v.faults],
                        "pelvis": [vars(p) for p in v.pelvis],
                    }
                    for k, v in results.items()
                },
            },
            indent=1,
            default=list,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
