"""A stored session with per-frame measurements, two flags and their pictures, for the
review, report and page tests."""

from __future__ import annotations

import csv
import math

import numpy as np

from stretchcheck.flag_pictures import write_jpeg_atomic
from stretchcheck.outputs import FRAME_COLUMNS
from stretchcheck.store import SessionStore

FLAGS = [
    {"code": "trunk_lean_forward", "start_s": 2.0, "end_s": 4.5, "peak_frame": 90, "peak_value": 21.5,
     "message": "Lift your chest: stack your shoulders over your hips", "image": "flags/01_trunk.jpg"},
    {"code": "no_glute_engagement", "start_s": 6.0, "end_s": 9.0, "peak_frame": 200, "peak_value": -8.2,
     "message": "Squeeze the back-leg glute and tuck your tailbone under", "image": "flags/02_glute.jpg"},
]


def stored_session(store: SessionStore, source: str = "upload") -> str:
    sid = store.create_session(source, video_name="clip.mp4")
    media = store.media_dir(sid)
    with (media / "frames.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, FRAME_COLUMNS)
        w.writeheader()
        for i in range(300):
            t = i / 30
            w.writerow({"frame": i, "time_s": f"{t:.4f}", "person": 1, "phase": "stretch",
                        "trunk_lean_deg": 5 + 15 * math.sin(t / 2),
                        "front_knee_angle_deg": 95 + 10 * math.sin(t),
                        "rear_hip_extension_deg": 10 * math.cos(t / 3),
                        "knee_past_toes_ratio": -0.4, "pelvic_tilt_deg": ""})
    (media / "flags").mkdir()
    for f in FLAGS:
        write_jpeg_atomic(media / f["image"], np.full((120, 160, 3), 90, np.uint8))
    store.save_progress(sid, side="left", hold_s=9.0, good_form_s=3.5, flags=FLAGS, status="complete",
                        summary={"message": "Lunge stretch held; form flags: ...", "clip": {"file": "clip.mp4"}})
    return sid
