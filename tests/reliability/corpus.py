"""Generates the bad-input corpus: every file is made here, nothing is fetched.

Each maker writes one file into a folder and returns its path. Frames come from ``frame_at``
(a moving bar on grey) unless a test passes in real footage, so that damage to a file can be
checked against what was written.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from numpy.typing import NDArray

Frames = Callable[[int], NDArray[np.uint8]]


def frame_at(i: int, size: tuple[int, int] = (320, 240)) -> NDArray[np.uint8]:
    w, h = size
    # Textured (not flat) so that frame data, not the container's index, fills the file, as
    # in real footage: truncating at 10 % then cuts through frames, not through the index.
    img = np.random.default_rng(i).integers(60, 160, (h, w, 3), dtype=np.uint8)
    x = (i * 7) % max(w - 20, 1)
    img[:, x : x + 20] = (240, 240, 240)
    return img


def write_mp4(
    path: Path,
    n: int,
    size: tuple[int, int] = (320, 240),
    times: list[float] | None = None,
    rotation: int = 0,
    faststart: bool = True,
    frames: Frames | None = None,
) -> Path:
    """H.264 MP4 with n frames; ``times`` gives each frame's pts in seconds (VFR)."""
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", options=options) as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height = size
        s.pix_fmt = "yuv420p"
        s.time_base = Fraction(1, 1000)
        s.codec_context.time_base = Fraction(1, 1000)  # keep VFR pts exact through the encoder
        s.options = {"preset": "ultrafast", "g": "10"}  # short GOPs: damage loses little
        if rotation:
            s.set_display_rotation(rotation)
        for i in range(n):
            image = frames(i) if frames else frame_at(i, size)
            f = av.VideoFrame.from_ndarray(image, format="rgb24")
            f.pts = round((times[i] if times else i / 30) * 1000)
            f.time_base = Fraction(1, 1000)
            for p in s.encode(f):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


def truncated(path: Path, source: Path, keep: float) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def corrupted_middle(path: Path, source: Path, seed: int = 0) -> Path:
    data = bytearray(source.read_bytes())
    rng = np.random.default_rng(seed)
    start, length = int(len(data) * 0.45), max(64, len(data) // 10)
    data[start : start + length] = rng.integers(0, 256, length, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))
    return path


def audio_only(path: Path, seconds: float = 1.0) -> Path:
    with av.open(str(path), "w") as c:
        s = c.add_stream("aac", rate=44100)
        t = 0
        while t < seconds * 44100:
            tone = np.sin(2 * np.pi * 440 * (t + np.arange(1024)) / 44100).astype(np.float32)[None]
            f = av.AudioFrame.from_ndarray(tone, format="fltp", layout="mono")
            f.sample_rate, f.pts = 44100, t
            for p in s.encode(f):
                c.mux(p)
            t += 1024
        for p in s.encode():
            c.mux(p)
    return path


def png(path: Path, image: NDArray[np.uint8] | None = None) -> Path:
    image = frame_at(0) if image is None else image
    ok, buf = cv2.imencode(".png", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    assert ok
    path.write_bytes(buf.tobytes())
    return path
