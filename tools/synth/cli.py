"""Command line: ``python -m tools.synth {list,generate,set,check,speed}``."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tools.synth.scenarios import BY_NAME, SCENARIOS


def variant_seed(base: int, scenario: str, k: int) -> int:
    """A stable per-(scenario, variant) seed: adding scenarios never changes old clips."""
    h = hashlib.sha256(f"{base}:{scenario}:{k}".encode()).hexdigest()
    return int(h[:8], 16)


def _gen(args: tuple) -> dict:
    from tools.synth.clip import generate_clip

    name, seed, out, clip_name, crf, preset = args
    res = generate_clip(BY_NAME[name], seed, Path(out), clip_name, crf=crf, preset=preset)
    res.pop("frames_rgb", None)
    return res


def cmd_list(_args) -> int:
    for sc in SCENARIOS:
        flags = ",".join(sc.expected_flags) or "-"
        print(f"{sc.name:30s} {sc.duration_s:4.1f}s  flags={flags:45s} {sc.description}")
    return 0


def cmd_generate(args) -> int:
    if args.scenario not in BY_NAME:
        print(f"unknown scenario {args.scenario!r}; see `python -m tools.synth list`", file=sys.stderr)
        return 2
    res = _gen((args.scenario, args.seed, args.out, args.name or args.scenario, args.crf, args.preset))
    print(json.dumps(res))
    return 0


def cmd_set(args) -> int:
    names = args.scenarios.split(",") if args.scenarios else [s.name for s in SCENARIOS]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        print(f"unknown scenario(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    jobs = [(n, variant_seed(args.seed, n, k), args.out, f"{n}__v{k}", args.crf, args.preset) for n in names for k in range(args.variants)]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as ex:
        results = list(ex.map(_gen, jobs))
    with (out / "index.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["clip", "scenario", "seed", "frames", "expected_flags", "flags_seen", "render_ms_per_frame"])
        for r in results:
            w.writerow([r["clip"], r["scenario"], r["seed"], r["frames"], ";".join(r["expected_flags"]),
                        ";".join(r["flags_seen"]), f"{r['render_ms_per_frame']:.1f}"])
    frames = sum(r["frames"] for r in results)
    print(f"{len(results)} clips, {frames} frames in {time.perf_counter() - t0:.1f} s -> {out}/index.csv")
    return 0


# The clips committed in sample_videos/: name -> (scenario, seed). Regenerate them with
# ``python -m tools.synth samples --out sample_videos`` (byte-identical on any machine).
SAMPLES = {
    "good_left_side": ("good_left_side_facing_right", 11),
    "good_right_side": ("good_right_side_facing_left", 12),
    "trunk_forward": ("trunk_forward", 21),
    "no_glute": ("no_glute", 33),
    "knee_past_toes": ("knee_past_toes", 15),
    "anterior_tilt": ("anterior_tilt", 16),
    "markers_tucked": ("markers_tucked", 4),
    "markers_anterior_tilt": ("markers_anterior_tilt", 4),
}
SAMPLE_CRF, SAMPLE_PRESET = 20, "medium"


def cmd_samples(args) -> int:
    for name, (scenario, seed) in SAMPLES.items():
        res = _gen((scenario, seed, args.out, name, SAMPLE_CRF, SAMPLE_PRESET))
        print(f"{name}: {scenario} seed {seed}, {res['frames']} frames, flags {res['flags_seen'] or '-'}")
    return 0


def cmd_check(args) -> int:
    from tools.synth.mpcheck import check_folder

    return check_folder(Path(args.folder), args.model, args.max_clips, Path(args.json) if args.json else None)


def cmd_overlay(args) -> int:
    from tools.synth.mpcheck import overlay

    overlay(Path(args.clip).with_suffix(""), args.frame, args.model, Path(args.out))
    return 0


def cmd_speed(args) -> int:
    import tempfile

    from tools.synth.clip import generate_clip

    with tempfile.TemporaryDirectory() as tmp:
        res = generate_clip(BY_NAME[args.scenario], args.seed, Path(tmp), write_video=False)
    print(f"{args.scenario}: {res['frames']} frames, render {res['render_ms_per_frame']:.1f} ms/frame wall, "
          f"{res['cpu_ms_per_frame']:.1f} ms/frame CPU incl. pose and truth (one core); room {res['background_s'] * 1000:.0f} ms once per clip")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.synth", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list", help="list the scenarios").set_defaults(fn=cmd_list)
    g = sub.add_parser("generate", help="render one scenario")
    g.add_argument("--scenario", required=True)
    g.add_argument("--out", required=True)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--name", help="clip file name stem (default: the scenario name)")
    g.add_argument("--crf", type=int, default=23, help="x264 quality (higher = smaller file)")
    g.add_argument("--preset", default="veryfast", help="x264 preset (slower = smaller file)")
    g.set_defaults(fn=cmd_generate)
    s = sub.add_parser("set", help="render N variants of every scenario")
    s.add_argument("--out", required=True)
    s.add_argument("--variants", type=int, default=3)
    s.add_argument("--seed", type=int, default=0, help="base seed of the set")
    s.add_argument("--scenarios", help="comma-separated subset")
    s.add_argument("--jobs", type=int, default=2)
    s.add_argument("--crf", type=int, default=23)
    s.add_argument("--preset", default="veryfast")
    s.set_defaults(fn=cmd_set)
    sm = sub.add_parser("samples", help="regenerate the committed sample clips")
    sm.add_argument("--out", default="sample_videos")
    sm.set_defaults(fn=cmd_samples)
    c = sub.add_parser("check", help="run MediaPipe on a folder of clips: detection rate and joint error")
    c.add_argument("folder")
    c.add_argument("--model", default="full", choices=["lite", "full", "heavy"])
    c.add_argument("--max-clips", type=int, default=None)
    c.add_argument("--json", help="where to write the summary (default FOLDER/mpcheck_MODEL.json)")
    c.set_defaults(fn=cmd_check)
    o = sub.add_parser("overlay", help="PNG of one frame: true joints (green) vs MediaPipe (red)")
    o.add_argument("clip", help="path to the clip's .mp4")
    o.add_argument("--frame", type=int, default=100)
    o.add_argument("--model", default="full", choices=["lite", "full", "heavy"])
    o.add_argument("--out", default="overlay.png")
    o.set_defaults(fn=cmd_overlay)
    sp = sub.add_parser("speed", help="time the renderer on one scenario (no video written)")
    sp.add_argument("--scenario", default="good_left_side_facing_right")
    sp.add_argument("--seed", type=int, default=0)
    sp.set_defaults(fn=cmd_speed)
    args = ap.parse_args(argv)
    return args.fn(args)
