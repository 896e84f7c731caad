"""Turn a video clip into a Y4M file that Chromium plays as a fake webcam."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from vision.video import VideoFileSource


def letterbox(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Scale to fit ``size`` (w, h) without distortion, padding with black."""
    w, h = size
    ih, iw = rgb.shape[:2]
    s = min(w / iw, h / ih)
    nw, nh = max(2, round(iw * s)), max(2, round(ih * s))
    out = np.zeros((h, w, 3), np.uint8)
    x, y = (w - nw) // 2, (h - nh) // 2
    out[y:y + nh, x:x + nw] = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA)
    return out


def clip_to_y4m(clip: Path, y4m: Path, size: tuple[int, int] = (640, 480),
                max_seconds: float | None = None, bounce: bool = True) -> int:
    """Write ``clip`` as 4:2:0 Y4M at ``size`` and the clip's own frame rate; returns frames.

    Chromium loops the file. With ``bounce`` the clip plays forward then backward, so the
    person steps out of the lunge as they stepped in, instead of jumping from the held
    lunge to standing at every loop (a jump no real person makes, which the smoothing
    filter turns into a few frames of impossible poses).
    """
    w, h = size
    frames = []
    with VideoFileSource(clip) as source:
        fps = max(1, round(source.info.fps or 30))
        for frame in source:
            if max_seconds is not None and frame.time_s > max_seconds:
                break
            bgr = cv2.cvtColor(letterbox(frame.image, size), cv2.COLOR_RGB2BGR)
            frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420).tobytes())
    if bounce:
        frames += frames[-2:0:-1]
    with y4m.open("wb") as out:
        out.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for data in frames:
            out.write(b"FRAME\n")
            out.write(data)
    return len(frames)
