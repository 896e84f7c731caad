"""Speed and memory benchmark: each backend and model against a bare MediaPipe loop, one run.

    python bench/speed.py                 # the table in the README (about 15 minutes on 2 cores)
    python bench/speed.py --quick         # 1 round, shorter videos: a smoke run (~4 minutes)
    python bench/speed.py --json out.json

For each BlazePose model, on the same machine and in the same run:
  (a) a bare MediaPipe Tasks VIDEO-mode loop over frames already decoded into memory: the
      loop a user would write (``PoseLandmarker.detect_for_video``), the baseline;
  (b) each estimator alone (``create_estimator(backend).estimate``) over the same frames;
  (c) the whole ``stretchcheck analyze`` (decode, pose, smoothing, rules, frames.csv,
      annotated.mp4, flag pictures), the CLI's own code in a fresh process; frames per
      second from the moment the model is loaded to the end of the command.
Everything is measured twice: for landmarks alone, and with the person's segmentation mask,
which ``analyze`` computes by default (the pelvic-tilt outline method reads it; ``analyze
--no-outline`` is the landmarks-only run). Ratios are against (a) for the same model and the
same outputs; "overhead" is what (c) loses against (b): the cost of everything around pose
inference. Measurements are interleaved in rounds (every
configuration once per round) and the median round is reported. On a shared machine, other
people's processes make fps meaningless, so each run first waits for the CPUs to be idle,
and a run during which other processes used more than 5 % of the CPU (from /proc/stat,
minus this benchmark's own CPU time) is thrown away and repeated; what others used during
every kept run is in the JSON.

Then memory and scaling: ``analyze --backend onnx --model full`` (configurable) on generated
videos of 1, 2.5, 5 and 10 minutes: peak resident memory (the process's VmHWM), memory
sampled during the 10-minute run, and time per frame (flat = time linear in length).

Test footage: a sample clip (``sample_videos/``) played forward then backward, repeated to
length (no jump at the seams, so tracking is not reset), 640x480, H.264; written once to
``bench/out/`` and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vision.estimator import MODEL_VARIANTS, EstimatorOptions
from vision.video import VideoFileSource, VideoWriter

OUT = ROOT / "bench" / "out"
SOURCE_CLIP = ROOT / "sample_videos" / "good_left_side.mp4"
BACKENDS = ("mediapipe", "onnx")


def make_video(path: Path, n_frames: int, source: Path = SOURCE_CLIP) -> Path:
    """``n_frames`` of ``source`` played forward and backward, 30 fps; cached by name."""
    if path.is_file():
        return path
    with VideoFileSource(source, prefetch=0) as src:
        frames = [f.image for f in src]
    cycle = frames + frames[-2:0:-1]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".partial.mp4")
    with VideoWriter(tmp, (frames[0].shape[1], frames[0].shape[0]), 30.0) as writer:
        for i in range(n_frames):
            writer.write(cycle[i % len(cycle)], i / 30.0)
    tmp.rename(path)
    return path


TICKS = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def wait_for_quiet(max_busy: float, max_wait_s: float) -> float:
    """Wait until the machine's CPUs are busy less than ``max_busy`` of the time (1-s windows).

    Returns the busy share seen last. Other people's processes on a shared machine make
    frames-per-second numbers meaningless; this waits them out (up to ``max_wait_s``).
    """
    deadline = time.monotonic() + max_wait_s
    while True:
        b0, t0 = _machine_ticks()
        time.sleep(1.0)
        b1, t1 = _machine_ticks()
        busy = (b1 - b0) / max(1, t1 - t0)
        if busy < max_busy or time.monotonic() > deadline:
            return busy


class Trial:
    """Measures one trial's wall time and how much CPU *other* processes used meanwhile."""

    def __enter__(self) -> Trial:  # noqa: PYI034
        self.busy0, _ = _machine_ticks()
        self.own0 = os.times()
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.start
        busy1, _ = _machine_ticks()
        own1 = os.times()
        # Our CPU: this process (all threads) and any child it waited for.
        own = sum(own1[i] - self.own0[i] for i in (0, 1, 2, 3))
        others = (busy1 - self.busy0) / TICKS - own
        self.others_share = max(0.0, others) / (self.wall * NCPU)


def quiet_trial(fn, gate: dict) -> tuple[float, float]:
    """Run ``fn`` until a run is undisturbed; (fps, share of the CPU other processes used).

    ``fn`` returns (frames, seconds its frame loop took). A run during which other
    processes used more than ``gate['max_others']`` of the machine's CPU is thrown away and
    retried after waiting for quiet, at most ``gate['retries']`` times; the last run is kept
    (with its disturbance recorded in the JSON) if the machine never quietens.
    """
    for attempt in range(gate["retries"] + 1):
        wait_for_quiet(gate["max_busy"], gate["max_wait_s"])
        with Trial() as trial:
            frames, seconds = fn()
        if trial.others_share <= gate["max_others"]:
            break
        print(f"    (disturbed: other processes used {100 * trial.others_share:.0f} % of the CPU; "
              f"retry {attempt + 1})", flush=True)
    return frames / seconds, trial.others_share


def decode(path: Path) -> list:
    with VideoFileSource(path, prefetch=0) as src:
        return [f.image for f in src]


def bare_mediapipe_fps(frames: list, model: str, gate: dict, mask: bool = False) -> tuple[float, float]:
    """(a) The loop a user would write with MediaPipe Tasks, VIDEO mode, nothing else.

    ``mask``: ask MediaPipe for the segmentation mask too, as ``analyze`` needs by default.
    """
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    from vision.backends import model_path

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path(model))),
        running_mode=vision.RunningMode.VIDEO, num_poses=1, output_segmentation_masks=mask)

    def run() -> tuple[int, float]:
        with vision.PoseLandmarker.create_from_options(options) as landmarker:
            start = time.perf_counter()
            for i, frame in enumerate(frames):
                image = mp.Image(image_format=mp.ImageFormat.SRGB, data=frame)
                landmarker.detect_for_video(image, i * 33)
            return len(frames), time.perf_counter() - start

    return quiet_trial(run, gate)


def estimator_fps(frames: list, backend: str, model: str, gate: dict, mask: bool = False) -> tuple[float, float]:
    """(b) One of our estimators alone over the same frames (a fresh one per run)."""
    from vision.backends import create_estimator

    def run() -> tuple[int, float]:
        estimator = create_estimator(backend, EstimatorOptions(model=model, with_mask=mask))
        try:
            start = time.perf_counter()
            for i, frame in enumerate(frames):
                estimator.estimate(frame, i / 30.0)
            return len(frames), time.perf_counter() - start
        finally:
            estimator.close()

    return quiet_trial(run, gate)


def run_analyze(video: Path, backend: str, model: str, sample_rss: bool = False,
                extra: tuple[str, ...] = ()) -> dict:
    """(c) ``stretchcheck analyze`` in a fresh process: fps, times, peak RSS.

    The child (``_child_analyze``) runs the CLI's own ``main`` and reports the time from the
    moment the pose model is loaded to the end of the command, so one-time costs (Python
    imports, model loading: 0.3 s for ONNX, about 1 s for MediaPipe) do not count against
    a backend's frames per second; the whole process's wall time is kept too.
    """
    with tempfile.TemporaryDirectory() as tmp:
        out, report, errors = Path(tmp) / "out", Path(tmp) / "report.json", Path(tmp) / "stderr.txt"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child-analyze", str(report), "--",
               "analyze", str(video), "--out", str(out), "--backend", backend, "--model", model,
               "--quiet", "--no-store", *extra]
        env = os.environ | {"STRETCHCHECK_HOME": str(Path(tmp) / "home")}
        start = time.perf_counter()
        with errors.open("wb") as err_fh:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err_fh)
            samples: list[tuple[float, int]] = []
            stop = threading.Event()

            def sampler() -> None:
                status = Path(f"/proc/{proc.pid}/status")
                while not stop.wait(0.5):
                    try:
                        rss = next(line for line in status.read_text().splitlines() if line.startswith("VmRSS:"))
                    except (OSError, StopIteration):
                        return
                    samples.append((time.perf_counter() - start, int(rss.split()[1]) * 1024))

            thread = threading.Thread(target=sampler, daemon=True)
            if sample_rss:
                thread.start()
            proc.wait()
            stop.set()
        wall = time.perf_counter() - start
        if proc.returncode != 0 or not report.is_file():
            raise SystemExit(f"analyze failed ({proc.returncode}): {' '.join(cmd)}\n"
                             f"{errors.read_text(errors='replace')[-2000:]}")
        child = json.loads(report.read_text())
        summary = json.loads((out / "summary.json").read_text())
    frames = summary["clip"]["frames"]
    return {"frames": frames, "elapsed_s": summary["elapsed_s"], "after_model_load_s": child["after_load_s"],
            "process_wall_s": round(wall, 2), "fps": frames / child["after_load_s"],
            "peak_rss_bytes": child["peak_rss_bytes"], "rss_samples": samples}


def _child_analyze(report: Path, cli_args: list[str]) -> int:
    """In the child process: run the CLI, time it from model load, record peak RSS."""
    from stretchcheck import cli, pipeline

    loaded: list[float] = []
    create = pipeline.create_estimator

    def timed_create(*args, **kwargs):
        estimator = create(*args, **kwargs)
        loaded.append(time.perf_counter())
        return estimator

    pipeline.create_estimator = timed_create
    rc = cli.main(cli_args)
    end = time.perf_counter()
    # VmHWM: this process's peak resident memory since exec (ru_maxrss would also count the
    # benchmark process it was forked from).
    hwm = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM:"))
    if rc == 0:
        report.write_text(json.dumps({"after_load_s": end - loaded[0],
                                      "peak_rss_bytes": int(hwm.split()[1]) * 1024}))
    return rc


def analyze_fps(video: Path, backend: str, model: str, gate: dict, extra: tuple[str, ...] = ()) -> tuple[float, float]:
    """(c) The whole analyze, gated like (a) and (b)."""
    def run() -> tuple[int, float]:
        res = run_analyze(video, backend, model, extra=extra)
        return res["frames"], res["after_model_load_s"]

    return quiet_trial(run, gate)


# What is measured, per model: (key, label, function(frames, video, model, gate)).
# "landmarks": what pose alone costs; "mask": with the segmentation mask, which analyze
# computes by default (the pelvic-tilt outline method reads it; --no-outline turns it off).
def _configs() -> list[tuple[str, str, object]]:
    out = []
    for mask in (False, True):
        tag = "mask" if mask else "landmarks"
        out.append((f"{tag}/a", f"(a) bare MediaPipe loop{', with mask' if mask else ''}",
                    lambda fr, v, m, g, mask=mask: bare_mediapipe_fps(fr, m, g, mask)))
        for backend in BACKENDS:
            out.append((f"{tag}/b/{backend}", f"(b) {backend} estimator{', with mask' if mask else ''}",
                        lambda fr, v, m, g, b=backend, mask=mask: estimator_fps(fr, b, m, g, mask)))
        for backend in BACKENDS:
            extra = () if mask else ("--no-outline",)
            label = f"(c) analyze --backend {backend}" + ("" if mask else " --no-outline")
            out.append((f"{tag}/c/{backend}", label,
                        lambda fr, v, m, g, b=backend, e=extra: analyze_fps(v, b, m, g, e)))
    return out


def speed_table(video: Path, models: list[str], rounds: int, gate: dict) -> dict:
    frames = decode(video)
    runs: dict[str, list[float]] = {}
    others: dict[str, list[float]] = {}
    configs = _configs()

    for r in range(rounds):
        print(f"round {r + 1}/{rounds} ({len(frames)} frames of {video.name})", flush=True)
        for model in models:
            for key, label, fn in configs:
                fps, share = fn(frames, video, model, gate)  # type: ignore[operator]
                runs.setdefault(f"{model}/{key}", []).append(fps)
                others.setdefault(f"{model}/{key}", []).append(share)
                print(f"  {model:5} {label:42} {fps:7.1f} fps   (other processes: {100 * share:.0f} % CPU)",
                      flush=True)
    med = {k: statistics.median(v) for k, v in runs.items()}
    rows = []
    for model in models:
        for key, label, _ in configs:
            tag, kind = key.split("/")[:2]
            fps = med[f"{model}/{key}"]
            row = {"model": model, "what": label, "fps": fps, "vs_a": fps / med[f"{model}/{tag}/a"]}
            if kind == "c":
                backend = key.split("/")[2]
                row["overhead_vs_b"] = 1.0 - fps / med[f"{model}/{tag}/b/{backend}"]
            rows.append(row)
    worst = max(max(v) for v in others.values())
    return {"frames": len(frames), "rounds": rounds, "runs_fps": runs, "others_cpu_share": others,
            "max_others_cpu_share": worst, "rows": rows}


def memory_table(backend: str, model: str, minutes: list[float], gate: dict) -> dict:
    rows = []
    for m in minutes:
        video = make_video(OUT / f"speed_{m:g}min.mp4", round(m * 60 * 30))
        print(f"analyze {video.name} --backend {backend} --model {model}", flush=True)
        wait_for_quiet(gate["max_busy"], gate["max_wait_s"])
        with Trial() as trial:
            res = run_analyze(video, backend, model, sample_rss=(m == max(minutes)))
        row = {"minutes": m, "frames": res["frames"], "elapsed_s": res["elapsed_s"], "fps": res["fps"],
               "ms_per_frame": 1000.0 * res["after_model_load_s"] / res["frames"],
               "peak_rss_mib": res["peak_rss_bytes"] / 2**20, "others_cpu_share": trial.others_share}
        if res["rss_samples"]:
            rss = [s for _, s in res["rss_samples"]]
            n = len(rss)
            row["rss_mib_at_10_50_90_pct"] = [round(rss[min(n - 1, int(n * q))] / 2**20, 1) for q in (0.1, 0.5, 0.9)]
        rows.append(row)
        print(f"  {row['frames']} frames {row['elapsed_s']:.1f} s ({row['ms_per_frame']:.2f} ms/frame) "
              f"peak RSS {row['peak_rss_mib']:.0f} MiB (other processes: {100 * trial.others_share:.0f} % CPU)",
              flush=True)
    return {"backend": backend, "model": model, "rows": rows}


def machine() -> dict:
    import onnxruntime

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    import mediapipe

    from vision.onnx_estimator import default_threads

    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "mediapipe": mediapipe.__version__, "onnxruntime": onnxruntime.__version__,
            "onnx_threads": default_threads(), "loadavg_at_start": os.getloadavg()}


def print_tables(result: dict) -> None:
    m = result["machine"]
    print(f"\n{m['cpu']}, {m['cores']} cores; mediapipe {m['mediapipe']}, onnxruntime "
          f"{m['onnxruntime']} ({m['onnx_threads']} threads); load average at start "
          f"{m['loadavg_at_start'][0]:.2f}")
    s = result["speed"]
    print(f"frames per second, 640x480, {s['frames']} frames, median of {s['rounds']} rounds; other "
          f"processes used at most {100 * s['max_others_cpu_share']:.0f} % of the CPU during a kept run\n")
    print("| model | what | fps | vs (a) (same outputs) | overhead vs (b) |")
    print("|---|---|---:|---:|---:|")
    for r in s["rows"]:
        over = f"{100 * r['overhead_vs_b']:.0f} %" if "overhead_vs_b" in r else ""
        print(f"| {r['model']} | {r['what']} | {r['fps']:.1f} | {r['vs_a']:.2f}x | {over} |")
    mem = result["memory"]
    print(f"\nanalyze --backend {mem['backend']} --model {mem['model']} by video length\n")
    print("| video | frames | analyze time | ms per frame (after model load) | peak RSS | other processes |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in mem["rows"]:
        print(f"| {r['minutes']:g} min | {r['frames']} | {r['elapsed_s']:.1f} s | "
              f"{r['ms_per_frame']:.2f} | {r['peak_rss_mib']:.0f} MiB | {100 * r['others_cpu_share']:.0f} % |")
    longest = mem["rows"][-1]
    if "rss_mib_at_10_50_90_pct" in longest:
        a, b, c = longest["rss_mib_at_10_50_90_pct"]
        print(f"\nRSS during the {longest['minutes']:g}-minute run at 10/50/90 % of it: "
              f"{a} / {b} / {c} MiB")


def verdicts(result: dict) -> list[str]:
    """The issue's "done when", checked against this run's numbers (not asserted: a benchmark)."""
    out = []
    rows = {(r["model"], r["what"]): r for r in result["speed"]["rows"]}
    for model in sorted({r["model"] for r in result["speed"]["rows"]}):
        for label in ("(c) analyze --backend onnx --no-outline", "(c) analyze --backend onnx"):
            r = rows.get((model, label))
            if r is None:
                continue
            out.append(f"{model}: {label}: {r['vs_a']:.2f}x the bare MediaPipe loop with the same outputs "
                       f"(target >= 1.30x: {'met' if r['vs_a'] >= 1.3 else 'missed'}); overhead vs the ONNX "
                       f"estimator alone {100 * r['overhead_vs_b']:.0f} % (target <= 10 %: "
                       f"{'met' if r['overhead_vs_b'] <= 0.10 else 'missed'})")
    mem = result["memory"]["rows"]
    if len(mem) >= 2:
        ms = [r["ms_per_frame"] for r in mem]
        spread = (max(ms) - min(ms)) / min(ms)
        out.append(f"time per frame over {mem[0]['minutes']:g}-{mem[-1]['minutes']:g} min videos: "
                   f"{min(ms):.2f}-{max(ms):.2f} ms ({100 * spread:.0f} % spread; linear time = flat ms/frame)")
        if "rss_mib_at_10_50_90_pct" in mem[-1]:
            a, _, c = mem[-1]["rss_mib_at_10_50_90_pct"]
            out.append(f"memory in the {mem[-1]['minutes']:g}-minute run: {a} MiB at 10 % -> {c} MiB at 90 % "
                       f"({c - a:+.1f} MiB)")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(MODEL_VARIANTS))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the speed clip")
    parser.add_argument("--minutes", default="1,2.5,5,10", help="video lengths for the memory table")
    parser.add_argument("--memory-backend", default="onnx")
    parser.add_argument("--memory-model", default="full")
    parser.add_argument("--quick", action="store_true", help="1 round; 0.5, 1, 2-minute videos")
    parser.add_argument("--max-others", type=float, default=0.05,
                        help="retry a run if other processes used more than this share of the CPU "
                             "(default 0.05)")
    parser.add_argument("--retries", type=int, default=4, help="retries of a disturbed run")
    parser.add_argument("--max-wait", type=float, default=600.0,
                        help="seconds to wait for a quiet machine before each run")
    parser.add_argument("--json", type=Path, default=OUT / "speed.json")
    parser.add_argument("--child-analyze", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("cli_args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_analyze:
        return _child_analyze(args.child_analyze, args.cli_args)
    if args.quick:
        args.rounds, args.minutes = 1, "0.5,1,2"

    result = {"machine": machine(), "command": " ".join(["python", "bench/speed.py", *(argv or sys.argv[1:])])}
    if result["machine"]["loadavg_at_start"][0] > 1.0:
        print(f"warning: load average {result['machine']['loadavg_at_start'][0]:.2f}: other processes "
              "are using the CPU; the numbers will be noisy", file=sys.stderr)
    video = make_video(OUT / f"speed_{args.seconds:g}s.mp4", round(args.seconds * 30))
    gate = {"max_busy": 0.1, "max_others": args.max_others, "retries": args.retries,
            "max_wait_s": args.max_wait}
    result["speed"] = speed_table(video, args.models.split(","), args.rounds, gate)
    minutes = [float(x) for x in args.minutes.split(",")]
    result["memory"] = memory_table(args.memory_backend, args.memory_model, minutes, gate)
    result["machine"]["loadavg_at_end"] = os.getloadavg()
    result["verdicts"] = verdicts(result)
    print_tables(result)
    print("\n" + "\n".join(result["verdicts"]))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwritten: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
