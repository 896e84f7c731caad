"""Generate one clip: MP4 + truth CSV (the checker's frames.csv columns) + joints CSV + meta.

Files written for clip NAME in the output folder:
  NAME.mp4          H.264, yuv420p, 30 fps
  NAME.truth.csv    per frame: the checker's frames.csv columns, then extra truth columns
  NAME.joints.csv   per frame: true pixel position, camera depth and occlusion of each
                    BlazePose-named landmark (for landmark-error studies)
  NAME.meta.json    scenario, every parameter, camera, build, expected flags, seed
"""

from __future__ import annotations

import csv
import json
import math
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from tools.synth.lunge import ground, kneeling_pose, lunge_pose, standing_pose
from tools.synth.person import LANDMARK_POINTS, Placement, figure, near_side, pose_person
from tools.synth.render import Renderer
from tools.synth.room import render_background
from tools.synth.scenarios import Scenario
from tools.synth.shapes import body_primitives
from tools.synth.stickers import NAMES as STICKER_NAMES
from tools.synth.stickers import sticker_points
from tools.synth.timeline import Timeline, walk_fn
from tools.synth.truth import GATES, fault_flags, load_rules, measure
from tools.synth.variation import Setup, sample_setup
from tools.synth.video import Mp4Writer

GENERATOR_VERSION = 1
FRAME_COLUMNS = [
    "frame", "time_s", "person", "facing", "phase", "trunk_lean_deg", "front_knee_angle_deg",
    "knee_past_toes_ratio", "rear_hip_extension_deg", "pelvic_tilt_deg", "flags",
]
EXTRA_COLUMNS = ["stretched_side", "front_leg", "lateral_bend_deg", "near_threshold", "segment", "yaw_deg", "visible_joints",
                 "pelvic_tilt_change_deg"]
# A person counts as present when at least this many of these joints are inside the frame.
PRESENCE_JOINTS = ["nose", "left_shoulder", "right_shoulder", "left_hip", "right_hip",
                   "left_knee", "right_knee", "left_ankle", "right_ankle"]
PRESENCE_MIN = 5
OCCLUSION_TOLERANCE_M = 0.12  # a joint centre lies inside its limb: allow that much surface


def build_timeline(sc: Scenario, setup: Setup) -> Timeline:
    b = setup.build
    hold = lunge_pose(b, setup.hold)
    tl = Timeline(b)
    if sc.neutral_pose == "kneeling":
        # Upright on both knees over the spot the hips will hold in the stretch, then the
        # front knee comes up (foot tucked under it, so it barely brushes the floor) and the
        # foot steps forward into the lunge. Not pinned: the front foot is not planted yet.
        kneel = kneeling_pose(b, arms=sc.stand_arms).with_(pelvic_tilt_deg=setup.neutral_tilt_deg, root_x=hold.root_x)
        front = setup.hold.front_leg
        knee_up = replace(kneel.legs[front], thigh_deg=50.0, knee_flex_deg=120.0)
        lift = ground(b, kneel.with_(legs={**kneel.legs, front: knee_up}))
        tl.hold(kneel, sc.stand_s, "setting_up", "kneel", sway=False)
        tl.move(lift, 0.6, "setting_up", "knee_up", pin_front=False)
        tl.move(hold, 0.9, "setting_up", "step_in", pin_front=False)
    else:
        stand = standing_pose(b, arms=sc.stand_arms).with_(pelvic_tilt_deg=setup.neutral_tilt_deg)
        tl.hold(stand, sc.stand_s, "setting_up", "stand", sway=False)
        tl.move(hold, 1.3, "setting_up", "step_in")
    rest = sc.duration_s - tl.duration
    if setup.fault is not None:
        fault = lunge_pose(b, setup.fault)
        tl.hold(hold, 0.9, "stretch")
        tl.move(fault, 0.4, "stretch", "fault_in")
        tl.hold(fault, 1.4, "stretch", "fault_hold")
        tl.move(hold, 0.4, "stretch", "fault_out")
        tl.hold(hold, max(0.1, sc.duration_s - tl.duration), "stretch")
    elif sc.ending == "walk_out":
        tl.hold(hold, 1.0, "stretch")
        tl.move(standing_pose(b, arms="down"), 0.8, "out_of_stretch", "stand_up")
        tl.walk(max(0.1, sc.duration_s - tl.duration), "out_of_stretch", speed=1.45)
    else:
        tl.hold(hold, rest, "stretch")
    return tl


def _fmt(v: float | None, nd: int = 3) -> str:
    return "" if v is None or not math.isfinite(v) else f"{v:.{nd}f}"


def generate_clip(sc: Scenario, seed: int, out_dir: Path, name: str | None = None, fps: int = 30,
                  size: tuple[int, int] = (640, 480), crf: int = 23, preset: str = "veryfast",
                  write_video: bool = True, max_frames: int | None = None, render: bool = True) -> dict:
    """Render scenario ``sc`` with nuisance seed ``seed``; returns a summary dict.

    ``render=False`` writes only the truth, joints (without occlusion) and meta files: the
    poses and truth are the same, nothing is drawn.
    """
    name = name or sc.name
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    setup = sample_setup(sc, seed, size)
    tl = build_timeline(sc, setup)
    rules = load_rules()
    cam = setup.camera
    t0 = time.perf_counter()
    renderer = Renderer(cam, setup.light, render_background(setup.room, cam, setup.light), setup.fx) if render else None
    t_bg = time.perf_counter() - t0
    walker = None
    if setup.passerby is not None:
        pb = setup.passerby
        walker = walk_fn(pb.build, standing_pose(pb.build), 0.0)
    n = round(sc.duration_s * fps) if max_frames is None else max_frames
    writer = Mp4Writer(out_dir / f"{name}.mp4", *size, fps=fps, crf=crf, preset=preset) if write_video and render else None
    truth_rows, joint_rows, frames = [], [], []
    render_s = 0.0
    cpu0 = time.process_time()  # once per clip: this clock is a slow syscall on some VMs
    seen_flags: set[str] = set()
    for i in range(n):
        t = i / fps
        pose, phase, label = tl.at(t)
        person = pose_person(setup.build, pose, Placement(sc.facing, setup.offset_x))
        figs = [figure(person, setup.appearance, setup.stickers, sc.facing)]
        if walker is not None and t >= pb.t_start:
            wt = t - pb.t_start
            wpose = replace(walker(wt), root_x=0.0)
            x = pb.x_start + pb.direction * pb.speed * max(0.0, wt - 0.25)
            wp = pose_person(pb.build, wpose, Placement("right" if pb.direction > 0 else "left", x, pb.z))
            figs.append(figure(wp, pb.appearance))
        if renderer is not None:
            r0 = time.perf_counter()
            img = renderer.render(figs)
            render_s += time.perf_counter() - r0
            if writer is not None:
                writer.write(img)
            else:
                frames.append(img)

        lms = person.landmarks_world()
        if setup.stickers is not None:  # true sticker centres, for detector studies
            body = body_primitives(person.skeleton, setup.appearance)
            for nm, (centre, _) in sticker_points(person.skeleton, body, near_side(sc.facing)).items():
                lms[nm] = person.world(centre)
        names = list(lms)
        P = np.array([lms[k] for k in names])
        uv, z = cam.project(P)
        inside = (uv[:, 0] >= 0) & (uv[:, 0] < size[0]) & (uv[:, 1] >= 0) & (uv[:, 1] < size[1]) & (z > 0)
        dist = np.linalg.norm(P - cam.C, axis=1)
        vis = np.zeros(len(names), bool)
        for k in np.nonzero(inside)[0] if renderer is not None else ():
            if names[k] in STICKER_NAMES:  # visible: the sticker's own colour is drawn there
                vis[k] = renderer.material_at(int(uv[k, 0]), int(uv[k, 1])) == (0, "sticker")
            else:
                vis[k] = dist[k] <= renderer.depth[int(uv[k, 1]), int(uv[k, 0])] + OCCLUSION_TOLERANCE_M
        present = sum(inside[names.index(j)] for j in PRESENCE_JOINTS) >= PRESENCE_MIN
        if not present:
            phase = "no_person"
        tr = measure(person.skeleton, setup.neutral_tilt_deg)
        flags, near = fault_flags(tr, rules) if phase == "stretch" else ([], [])
        seen_flags.update(flags)
        row = {"frame": i, "time_s": f"{t:.4f}", "person": int(present), "facing": sc.facing if present else "", "phase": phase}
        if present:
            row.update(
                trunk_lean_deg=_fmt(tr.trunk_lean_deg), front_knee_angle_deg=_fmt(tr.front_knee_angle_deg),
                knee_past_toes_ratio=_fmt(tr.knee_past_toes_ratio, 4), rear_hip_extension_deg=_fmt(tr.rear_hip_extension_deg),
                pelvic_tilt_deg=_fmt(tr.pelvic_tilt_deg), flags=";".join(sorted(flags)),
                stretched_side=tr.stretched_side, front_leg=tr.front_side, lateral_bend_deg=_fmt(tr.lateral_bend_deg),
                near_threshold=";".join(sorted(set(near))),
                pelvic_tilt_change_deg=_fmt(tr.pelvic_tilt_change_deg),
            )
        row.update(segment=label, yaw_deg=_fmt(sc.yaw_deg, 1), visible_joints=int(sum(inside)))
        truth_rows.append(row)
        jr = {"frame": i}
        for k, nm in enumerate(names):
            jr[f"{nm}_x"], jr[f"{nm}_y"] = f"{uv[k, 0]:.2f}", f"{uv[k, 1]:.2f}"
            jr[f"{nm}_z"], jr[f"{nm}_vis"] = f"{z[k]:.4f}", int(vis[k]) if renderer is not None else ""
        joint_rows.append(jr)
    if writer is not None:
        writer.close()

    _write_csv(out_dir / f"{name}.truth.csv", FRAME_COLUMNS + EXTRA_COLUMNS, truth_rows)
    _write_csv(out_dir / f"{name}.joints.csv", list(joint_rows[0]), joint_rows)
    meta = {
        "clip": name,
        "generator": "tools.synth",
        "generator_version": GENERATOR_VERSION,
        "license": "Made by the stretchcheck project (synthetic, no third-party media).",
        "scenario": sc.to_dict(),
        "seed": seed,
        "fps": fps,
        "frames": n,
        "size": list(size),
        "facing": sc.facing,
        "stretched_side": setup.hold.stretched_side,
        "hold_params": setup.hold.to_dict(),
        "fault_params": setup.fault.to_dict() if setup.fault else None,
        "expected_flags": sorted(sc.expected_flags),
        "flags_seen": sorted(seen_flags),
        "rules": {k: {"metric": m, "below": lo, "above": hi} for k, (m, lo, hi) in rules.items()},
        "rule_gates": {k: {"metric": m, "below": lo, "above": hi} for k, (m, lo, hi) in GATES.items()},
        "neutral_tilt_deg": setup.neutral_tilt_deg,
        "stickers": None if setup.stickers is None else {**setup.stickers.to_dict(), "side": near_side(sc.facing)},
        "build": setup.build.to_dict(),
        "appearance": setup.appearance.to_dict(),
        "camera": cam.to_dict(),
        "light": setup.light.to_dict(),
        "room": setup.room.to_dict(),
        "camera_fx": setup.fx.to_dict(),
        "passerby": None if setup.passerby is None else {
            "build": setup.passerby.build.name, "z": setup.passerby.z, "direction": setup.passerby.direction,
            "t_start": setup.passerby.t_start, "speed": setup.passerby.speed,
        },
        "timeline": [{"label": s.label, "phase": s.phase, "duration_s": round(s.duration, 3)} for s in tl.segments],
        "landmark_points": LANDMARK_POINTS,
    }
    (out_dir / f"{name}.meta.json").write_text(json.dumps(meta, indent=1, default=_json_default) + "\n")
    return {
        "clip": name, "scenario": sc.name, "seed": seed, "frames": n,
        "render_ms_per_frame": 1000 * render_s / max(n, 1), "background_s": t_bg,
        "cpu_ms_per_frame": 1000 * (time.process_time() - cpu0) / max(n, 1),
        "expected_flags": sorted(sc.expected_flags), "flags_seen": sorted(seen_flags),
        "frames_rgb": frames,
    }


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(type(o))


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, restval="")
        w.writeheader()
        w.writerows(rows)
