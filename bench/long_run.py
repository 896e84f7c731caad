"""Long runs: memory stays flat over a 30-minute video and a 10-minute live session.

    python bench/long_run.py                        # 30-minute file + 10-minute live feed
    python bench/long_run.py --file-minutes 5 --live-minutes 2   # a quicker look

File: ``stretchcheck analyze`` (lite model by default, to keep the run under an hour on 2
cores; memory does not depend on the model's speed) on a generated video of the given length,
resident memory sampled twice a second. Live: the webcam page's pipeline (``LiveAnalyzer``)
fed the same frames for the given stream time, memory sampled every 500 frames. "Flat" means
the memory in the last tenth of the run is within a few MiB of the first tenth after warm-up.
A benchmark, not a test: it prints what it measured and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.speed import OUT, make_video, run_analyze  # noqa: E402


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def tenths(samples: list[float]) -> tuple[float, float]:
    """Mean of the second tenth (after warm-up) and of the last tenth of the samples."""
    n = len(samples)
    k = max(1, n // 10)
    return sum(samples[k : 2 * k]) / k, sum(samples[-k:]) / k


def file_run(minutes: float, backend: str, model: str) -> dict:
    video = make_video(OUT / f"long_{minutes:g}min.mp4", int(minutes * 60 * 30))
    res = run_analyze(video, backend, model, sample_rss=True)
    rss = [s / 2**20 for _, s in res["rss_samples"]]
    early, late = tenths(rss)
    return {"minutes": minutes, "frames": res["frames"], "fps": round(res["fps"], 1),
            "peak_rss_mib": round(res["peak_rss_bytes"] / 2**20, 1),
            "rss_early_mib": round(early, 1), "rss_late_mib": round(late, 1)}


def live_run(minutes: float, backend: str, model: str) -> dict:
    from stretchcheck.pipeline import LiveAnalyzer
    from vision.native_logs import quiet_native_stderr
    from vision.video import VideoFileSource

    with VideoFileSource(ROOT / "sample_videos" / "good_left_side.mp4", prefetch=0) as src:
        frames = [f.image for f in src]
    cycle = frames + frames[-2:0:-1]  # forward then back: no jump that resets tracking
    n = int(minutes * 60 * 30)
    samples = []
    with quiet_native_stderr():
        live = LiveAnalyzer(model=model, backend=backend)
        start = time.perf_counter()
        for i in range(n):
            live.process(cycle[i % len(cycle)], i / 30.0)
            if i % 500 == 0:
                samples.append(rss_mib())
        elapsed = time.perf_counter() - start
        episodes = live.close()
    early, late = tenths(samples)
    return {"minutes": minutes, "frames": n, "fps": round(n / elapsed, 1), "episodes": len(episodes),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "rss_early_mib": round(early, 1), "rss_late_mib": round(late, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--file-minutes", type=float, default=30.0)
    ap.add_argument("--live-minutes", type=float, default=10.0)
    ap.add_argument("--backend", default="onnx")
    ap.add_argument("--model", default="lite")
    ap.add_argument("--json", type=Path, default=OUT / "long_run.json")
    args = ap.parse_args()
    result = {"command": " ".join(["python bench/long_run.py", *sys.argv[1:]]), "backend": args.backend, "model": args.model}
    if args.file_minutes > 0:
        result["file"] = r = file_run(args.file_minutes, args.backend, args.model)
        print(f"file {r['minutes']:g} min ({r['frames']} frames, {r['fps']} fps): RSS {r['rss_early_mib']} MiB early, "
              f"{r['rss_late_mib']} MiB at the end, peak {r['peak_rss_mib']} MiB", flush=True)
    if args.live_minutes > 0:
        result["live"] = r = live_run(args.live_minutes, args.backend, args.model)
        print(f"live {r['minutes']:g} min ({r['frames']} frames, {r['fps']} fps): RSS {r['rss_early_mib']} MiB early, "
              f"{r['rss_late_mib']} MiB at the end, peak {r['peak_rss_mib']} MiB", flush=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1))
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
