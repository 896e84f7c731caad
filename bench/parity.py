"""How closely the ONNX backend agrees with the MediaPipe backend, per model, on the same frames.

    python bench/parity.py                       # real images + vtest.avi + sample_videos/*.mp4
    python bench/parity.py --clips DIR --json out.json

Three kinds of footage:
- real single images Debian's opencv-doc ships (messi5.jpg, basketball1/2.png): the first
  frame of video mode, i.e. detector + landmark model;
- real video: the first frames of opencv-doc's vtest.avi (pedestrians, 768x576);
- synthetic clips of the stretch (``tools/synth``; default ``sample_videos/``), both backends
  in video mode (tracking + MediaPipe's filters), then the whole ``analyze`` pipeline on each
  backend so that the per-frame form flags can be compared too.

Reported: landmark distance in pixels (median and 95th percentile over every landmark of every
frame where both found a person), frames where the backends disagree about a person being
there, and for the clips the share of frames whose flags (frames.csv ``flags``) are identical
and whether the flag episodes in summary.json match. Not a test: numbers for the README.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vision.backends import create_estimator
from vision.estimator import MODEL_VARIANTS, EstimatorOptions
from vision.video import VideoFileSource

OPENCV_DATA = Path("/usr/share/doc/opencv-doc/examples/data")
IMAGES = ("messi5.jpg", "basketball1.png", "basketball2.png")


def _rgb(path: Path) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)


def compare_sequences(frames: list[np.ndarray], model: str, fps: float = 30.0) -> dict:
    """Run both backends over ``frames`` in video mode; pixel errors and person agreement."""
    poses = {}
    for backend in ("mediapipe", "onnx"):
        est = create_estimator(backend, EstimatorOptions(model=model))
        try:
            poses[backend] = [est.estimate(f, i / fps) for i, f in enumerate(frames)]
        finally:
            est.close()
    errors, disagree, both = [], 0, 0
    for a, b in zip(poses["mediapipe"], poses["onnx"]):
        if a.is_empty != b.is_empty:
            disagree += 1
        elif not a.is_empty:
            both += 1
            errors.append(np.linalg.norm(a.xy - b.xy, axis=1))
    err = np.concatenate(errors) if errors else np.zeros(0)
    return {"frames": len(frames), "frames_both_person": both, "person_disagreements": disagree,
            "errors": err}


def summarize(err: np.ndarray) -> dict:
    if not err.size:
        return {"median_px": None, "p95_px": None, "max_px": None}
    return {"median_px": round(float(np.median(err)), 3),
            "p95_px": round(float(np.percentile(err, 95)), 3),
            "max_px": round(float(err.max()), 3)}


def video_frames(path: Path, limit: int | None = None) -> list[np.ndarray]:
    frames = []
    with VideoFileSource(path, prefetch=0) as src:
        for f in src:
            frames.append(f.image)
            if limit and len(frames) >= limit:
                break
    return frames


def compare_flags(clip: Path, model: str) -> dict:
    """Run ``analyze`` on both backends; per-frame flag agreement and episode agreement."""
    import csv

    from stretchcheck.pipeline import AnalyzeOptions, analyze_video

    rows, episodes = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in ("mediapipe", "onnx"):
            out = Path(tmp) / backend
            summary = analyze_video(clip, out, AnalyzeOptions(model=model, backend=backend, write_video=False))
            with (out / "frames.csv").open() as fh:
                rows[backend] = [(r["person"], r["phase"], r["flags"]) for r in csv.DictReader(fh)]
            episodes[backend] = sorted(f["code"] for f in summary["flags"])
    a, b = rows["mediapipe"], rows["onnx"]
    n = min(len(a), len(b))
    return {
        "frames": n,
        "flags_same_frames": sum(a[i][2] == b[i][2] for i in range(n)),
        "phase_same_frames": sum(a[i][1] == b[i][1] for i in range(n)),
        "episodes_mediapipe": episodes["mediapipe"],
        "episodes_onnx": episodes["onnx"],
        "episodes_agree": episodes["mediapipe"] == episodes["onnx"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=Path, default=ROOT / "sample_videos",
                        help="folder of synthetic clips (*.mp4); default sample_videos/")
    parser.add_argument("--max-clips", type=int, default=8)
    parser.add_argument("--models", default=",".join(MODEL_VARIANTS))
    parser.add_argument("--vtest-frames", type=int, default=150)
    parser.add_argument("--no-flags", action="store_true", help="skip the analyze flag comparison")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)

    clips = sorted(args.clips.glob("*.mp4"))[: args.max_clips] if args.clips.is_dir() else []
    clip_frames = {c.name: video_frames(c) for c in clips}
    images = [OPENCV_DATA / n for n in IMAGES if (OPENCV_DATA / n).is_file()]
    vtest = OPENCV_DATA / "vtest.avi"
    vtest_frames = video_frames(vtest, args.vtest_frames) if vtest.is_file() else []

    results: dict = {"models": {}}
    print(f"{'model':6} {'footage':28} {'frames':>6} {'both':>5} {'disagree':>8} "
          f"{'median px':>9} {'p95 px':>7} {'max px':>7}")
    for model in args.models.split(","):
        res: dict = {}
        groups = {
            "real images (opencv-doc)": [compare_sequences([_rgb(p)], model) for p in images],
            "vtest.avi (real video)": [compare_sequences(vtest_frames, model, fps=10.0)] if vtest_frames else [],
            f"synthetic clips ({len(clips)})": [compare_sequences(f, model) for f in clip_frames.values()],
        }
        for label, parts in groups.items():
            if not parts:
                continue
            err = np.concatenate([p["errors"] for p in parts])
            row = {"frames": sum(p["frames"] for p in parts),
                   "frames_both_person": sum(p["frames_both_person"] for p in parts),
                   "person_disagreements": sum(p["person_disagreements"] for p in parts),
                   **summarize(err)}
            res[label] = row
            print(f"{model:6} {label:28} {row['frames']:6d} {row['frames_both_person']:5d} "
                  f"{row['person_disagreements']:8d} {row['median_px']!s:>9} {row['p95_px']!s:>7} "
                  f"{row['max_px']!s:>7}")
        if clips and not args.no_flags:
            flags = {c.name: compare_flags(c, model) for c in clips}
            total = sum(f["frames"] for f in flags.values())
            same = sum(f["flags_same_frames"] for f in flags.values())
            agree = sum(f["episodes_agree"] for f in flags.values())
            res["analyze flags"] = {"frames": total, "flags_same_frames": same,
                                    "clips_with_same_episodes": agree, "clips": len(clips),
                                    "per_clip": flags}
            print(f"{model:6} {'analyze: frames same flags':28} {same}/{total}; "
                  f"clips with the same flag episodes: {agree}/{len(clips)}")
            for name, f in flags.items():
                if not f["episodes_agree"]:
                    print(f"         {name}: mediapipe {f['episodes_mediapipe']} onnx {f['episodes_onnx']}")
        results["models"][model] = res
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
