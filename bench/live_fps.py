"""How many webcam frames per second the live page can process: a benchmark, not a test.

Feeds a clip's frames, letterboxed to the webcam's 640x480, through the exact callback the
webcam component calls (``LiveRunner.on_frame``: av.VideoFrame in, annotated av.VideoFrame
out, with the lite model, the rules, drawing, frames.csv and the once-a-second store write),
and reports frames per second. The frames are decoded before timing starts: in the app the
browser's video arrives already decoded by aiortc.

    python bench/live_fps.py sample_videos/<clip>.mp4 [--frames 300] [--cores 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clip", help="video to feed as the webcam")
    parser.add_argument("--frames", type=int, default=300, help="frames to time (the clip loops)")
    parser.add_argument("--cores", type=int, default=2, help="pin the process to this many CPU cores")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args()
    if args.cores and hasattr(os, "sched_setaffinity"):
        available = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, set(available[: args.cores]))
    # Import after pinning so every thread pool (XNNPACK, OpenCV) sizes itself to those cores.
    import av
    import cv2
    import numpy as np

    from stretchcheck.live_session import LiveRunner
    from vision.video import VideoFileSource

    def letterbox(rgb, size):  # fit into the webcam's frame without distortion
        w, h = size
        s = min(w / rgb.shape[1], h / rgb.shape[0])
        nw, nh = round(rgb.shape[1] * s), round(rgb.shape[0] * s)
        out = np.zeros((h, w, 3), np.uint8)
        out[(h - nh) // 2:(h - nh) // 2 + nh, (w - nw) // 2:(w - nw) // 2 + nw] = cv2.resize(rgb, (nw, nh))
        return out

    images = []
    with VideoFileSource(args.clip) as source:
        for frame in source:
            images.append(letterbox(frame.image, (640, 480)))
            if len(images) >= args.frames:
                break
    if not images:
        print(f"no frames in {args.clip}", file=sys.stderr)
        return 2
    frames = []
    for i in range(args.frames):
        vf = av.VideoFrame.from_ndarray(images[i % len(images)], format="rgb24")
        vf.pts, vf.time_base = i * 3000, Fraction(1, 90000)  # 30 fps, RTP's 90 kHz clock
        frames.append(vf)

    with tempfile.TemporaryDirectory() as home:
        os.environ["STRETCHCHECK_HOME"] = home
        runner = LiveRunner()
        warm = time.perf_counter()
        runner.on_frame(frames[0])  # creates the session and loads the model: not timed
        warm_s = time.perf_counter() - warm
        per_frame = []
        start = time.perf_counter()
        for vf in frames[1:]:
            t0 = time.perf_counter()
            runner.on_frame(vf)
            per_frame.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - start
        snap = runner.snapshot()
        runner.finish()
    result = {
        "clip": str(args.clip),
        "frames": len(per_frame),
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "fps": round(len(per_frame) / elapsed, 1),
        "ms_median": round(1000 * statistics.median(per_frame), 1),
        "ms_p95": round(1000 * sorted(per_frame)[int(0.95 * (len(per_frame) - 1))], 1),
        "first_frame_s": round(warm_s, 2),
        "frames_with_person": snap.result.measurements.person if snap.result else None,
        "opencv_threads": cv2.getNumThreads(),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['fps']} frames/s through LiveRunner.on_frame (lite model, {result['cores']} cores, "
              f"{result['frames']} frames of {Path(args.clip).name}); median {result['ms_median']} ms, "
              f"p95 {result['ms_p95']} ms per frame; first frame (model load) {result['first_frame_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
