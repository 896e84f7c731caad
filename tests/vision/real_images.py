"""Real images and video that Debian's ``opencv-doc`` package ships (Apache-2.0 / BSD-3):
one place that finds them, reads them, and skips with the package's name when they are absent
(CI installs the package, so there they are always present)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

OPENCV_DATA = Path("/usr/share/doc/opencv-doc/examples/data")
REFERENCE = Path(__file__).resolve().parents[1] / "data" / "messi5_reference_landmarks.json"


def opencv_doc_file(name: str) -> Path:
    path = OPENCV_DATA / name
    if not path.is_file():
        pytest.skip(f"{path} missing: install Debian's opencv-doc package (apt-get install opencv-doc)")
    return path


def read_rgb(name: str) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(opencv_doc_file(name))), cv2.COLOR_BGR2RGB)


def video_frames_rgb(name: str, limit: int) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(opencv_doc_file(name)))
    frames: list[np.ndarray] = []
    while len(frames) < limit:
        ok, bgr = cap.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    return frames
