"""Does MediaPipe see the synthetic person, and where does it put the joints?

For every clip in a folder: decode the MP4 (so compression is included), run BlazePose
(``PoseLandmarker``, VIDEO mode, the bundles in models/) and compare with the clip's truth:
  - detection rate over the frames where the truth says a person is present,
  - false detections where the truth says nobody is there,
  - per-joint pixel error against the true joint projections (joints.csv), as given and with
    the left/right labels swapped when that fits better (BlazePose often swaps sides in a
    pure side view), plus the signed bias along the person's forward and up directions.
Writes ``mpcheck_<model>.json`` into the folder and prints a table.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from tools.synth.video import read_frames

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
JOINTS = ["shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index"]
BLAZE = {  # BlazePose landmark index per name
    "nose": 0, "left_shoulder": 11, "right_shoulder": 12, "left_elbow": 13, "right_elbow": 14,
    "left_wrist": 15, "right_wrist": 16, "left_hip": 23, "right_hip": 24, "left_knee": 25,
    "right_knee": 26, "left_ankle": 27, "right_ankle": 28, "left_heel": 29, "right_heel": 30,
    "left_foot_index": 31, "right_foot_index": 32,
}


def _landmarker(model: str):
    from mediapipe.tasks.python import BaseOptions, vision

    opts = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(MODELS_DIR / f"pose_landmarker_{model}.task")),
        running_mode=vision.RunningMode.VIDEO,
        num_poses=1,
    )
    return vision.PoseLandmarker.create_from_options(opts)


def _read_csv(path: Path) -> list[dict]:
    with path.open() as fh:
        return list(csv.DictReader(fh))


def run_clip(mp4: Path, model: str) -> list[np.ndarray | None]:
    """Landmark pixels (33, 2) per frame, or None where nobody was found."""
    import mediapipe as mp

    lm = _landmarker(model)
    out = []
    try:
        for i, (_t, rgb) in enumerate(read_frames(mp4)):
            res = lm.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), int(i * 1000 / 30))
            if not res.pose_landmarks:
                out.append(None)
                continue
            h, w = rgb.shape[:2]
            out.append(np.array([[p.x * w, p.y * h] for p in res.pose_landmarks[0]]))
    finally:
        lm.close()
    return out


def evaluate_clip(stem: Path, model: str) -> dict:
    truth = _read_csv(stem.with_suffix(".truth.csv"))
    joints = _read_csv(stem.with_suffix(".joints.csv"))
    meta = json.loads(stem.with_suffix(".meta.json").read_text())
    f = 1.0 if meta["facing"] == "right" else -1.0
    width, height = meta["size"]
    found = run_clip(stem.with_suffix(".mp4"), model)
    n_person = n_found = n_false = 0
    err = defaultdict(list)  # (joint, "near"/"far", "as_given"/"best") -> errors
    bias = defaultdict(list)  # joint -> (forward, up) px, best labelling
    for tr, jr, lms in zip(truth, joints, found):
        if tr["person"] != "1":
            n_false += lms is not None
            continue
        n_person += 1
        if lms is None:
            continue
        n_found += 1
        # near side = the side whose hip is closer to the camera
        near = "left" if float(jr["left_hip_z"]) < float(jr["right_hip_z"]) else "right"
        T = {k: np.array([float(jr[f"{k}_x"]), float(jr[f"{k}_y"])]) for k in BLAZE}
        # Decide per limb group whether MediaPipe swapped the left/right labels.
        swapped = {}
        for group, parts in (("legs", ("hip", "knee", "ankle", "heel", "foot_index")), ("arms", ("shoulder", "elbow", "wrist"))):
            keep = sum(np.linalg.norm(lms[BLAZE[f"{s}_{j}"]] - T[f"{s}_{j}"]) for s in ("left", "right") for j in parts)
            swap = sum(np.linalg.norm(lms[BLAZE[f"{s}_{j}"]] - T[f"{o}_{j}"])
                       for s, o in (("left", "right"), ("right", "left")) for j in parts)
            swapped[group] = swap < keep
        err[("lr_swapped", "", "")].append(float(swapped["legs"]))
        thigh = 0.5 * sum(np.linalg.norm(T[f"{s}_hip"] - T[f"{s}_knee"]) for s in ("left", "right"))
        err[("thigh_px", "", "")].append(float(thigh))
        for s in ("left", "right"):
            for j in JOINTS:
                group = "arms" if j in ("shoulder", "elbow", "wrist") else "legs"
                o = ("right" if s == "left" else "left") if swapped[group] else s
                key = f"{s}_{j}"
                t = T[key]
                if not (0 <= t[0] < width and 0 <= t[1] < height):
                    continue
                side = "near" if s == near else "far"
                err[(j, side, "as_given")].append(float(np.linalg.norm(lms[BLAZE[key]] - t)))
                d = lms[BLAZE[f"{o}_{j}"]] - t
                err[(j, side, "best")].append(float(np.linalg.norm(d)))
                err[(j, side, "best_thigh")].append(float(np.linalg.norm(d)) / thigh)
                bias[(j, side)].append((f * d[0], -d[1]))
        d = lms[0] - T["nose"]
        err[("nose", "", "best")].append(float(np.linalg.norm(d)))
    return {
        "clip": stem.name, "scenario": meta["scenario"]["name"], "person_frames": n_person,
        "detected": n_found, "false_detections": n_false, "err": err, "bias": bias,
    }


def summarise(results: list[dict]) -> dict:
    person = sum(r["person_frames"] for r in results)
    found = sum(r["detected"] for r in results)
    err, bias = defaultdict(list), defaultdict(list)
    for r in results:
        for k, v in r["err"].items():
            err[k] += v
        for k, v in r["bias"].items():
            bias[k] += v
    joints = {}
    for (j, side, mode), v in sorted(err.items()):
        if not v or j in ("lr_swapped", "thigh_px") or mode == "best_thigh":
            continue
        key = f"{j}/{side}/{mode}" if side else j
        a = np.asarray(v)
        entry = {"n": len(a), "median_px": round(float(np.median(a)), 1), "mean_px": round(float(a.mean()), 1),
                 "p90_px": round(float(np.percentile(a, 90)), 1)}
        if mode == "best" and err.get((j, side, "best_thigh")):
            entry["median_pct_thigh"] = round(100 * float(np.median(err[(j, side, "best_thigh")])), 1)
        if mode == "best" and (j, side) in bias:
            b = np.asarray(bias[(j, side)])
            entry["bias_forward_px"], entry["bias_up_px"] = (round(float(x), 1) for x in b.mean(0))
        joints[key] = entry
    per_scenario = defaultdict(lambda: [0, 0])
    for r in results:
        per_scenario[r["scenario"]][0] += r["detected"]
        per_scenario[r["scenario"]][1] += r["person_frames"]
    return {
        "clips": len(results),
        "person_frames": person,
        "detection_rate": round(found / max(person, 1), 4),
        "false_detections": sum(r["false_detections"] for r in results),
        "median_thigh_px": round(float(np.median(err[("thigh_px", "", "")])), 1) if err[("thigh_px", "", "")] else None,
        "lr_swap_rate": round(float(np.mean(err[("lr_swapped", "", "")])) if err[("lr_swapped", "", "")] else 0.0, 3),
        "per_scenario_detection": {k: round(a / max(b, 1), 4) for k, (a, b) in sorted(per_scenario.items())},
        "joints": joints,
    }


def overlay(stem: Path, frame: int, model: str, out_png: Path) -> None:
    """Draw the true joints (green) and MediaPipe's (red, with the skeleton) on one frame."""
    import cv2

    found = run_clip(stem.with_suffix(".mp4"), model)[frame]
    img = next(rgb for i, (_t, rgb) in enumerate(read_frames(stem.with_suffix(".mp4"))) if i == frame)
    img = img[..., ::-1].copy()
    jr = _read_csv(stem.with_suffix(".joints.csv"))[frame]
    for k in BLAZE:
        cv2.circle(img, (round(float(jr[f"{k}_x"])), round(float(jr[f"{k}_y"]))), 3, (0, 200, 0), -1)
    if found is not None:
        for k, i in BLAZE.items():
            cv2.circle(img, (round(found[i, 0]), round(found[i, 1])), 3, (0, 0, 255), -1)
    cv2.imwrite(str(out_png), img)


def check_folder(folder: Path, model: str, max_clips: int | None = None, json_out: Path | None = None) -> int:
    stems = sorted(p.with_suffix("") for p in folder.glob("*.mp4"))[:max_clips]
    results = [evaluate_clip(s, model) for s in stems]
    summary = summarise(results)
    summary["model"] = model
    (json_out or folder / f"mpcheck_{model}.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(f"model {model}: {summary['clips']} clips, {summary['person_frames']} person frames, "
          f"detected {100 * summary['detection_rate']:.2f}%, false detections {summary['false_detections']}, "
          f"left/right swapped in {100 * summary['lr_swap_rate']:.0f}% of frames; median true thigh {summary['median_thigh_px']} px")
    for k, v in summary["per_scenario_detection"].items():
        print(f"  {k:30s} {100 * v:6.2f}%")
    print(f"  {'joint/side/labels':28s} {'n':>6s} {'median':>7s} {'mean':>6s} {'p90':>6s} {'%thigh':>6s} {'fwd':>6s} {'up':>6s}")
    for k, v in summary["joints"].items():
        print(f"  {k:28s} {v['n']:6d} {v['median_px']:7.1f} {v['mean_px']:6.1f} {v['p90_px']:6.1f} "
              f"{v.get('median_pct_thigh', float('nan')):6.1f} "
              f"{v.get('bias_forward_px', float('nan')):6.1f} {v.get('bias_up_px', float('nan')):6.1f}")
    return 0
