"""VideoWriter encodes in a background thread: same file as encoding inline, errors surface."""

from __future__ import annotations

import numpy as np
import pytest

from vision.video import VideoFileSource, VideoWriter


def _frames(n: int) -> list[np.ndarray]:
    frames = []
    for i in range(n):
        image = np.zeros((96, 128, 3), np.uint8)
        image[:, : 8 * (i + 1)] = (235, 60, 50)  # a red bar that grows: frames differ
        frames.append(image)
    return frames


@pytest.mark.parametrize("threaded", [True, False])
def test_every_frame_arrives_with_its_time_and_colour(tmp_path, threaded):
    path = tmp_path / "out.mp4"
    times = [i / 30 for i in range(10)]
    with VideoWriter(path, (128, 96), 30.0, threaded=threaded) as writer:
        for image, t in zip(_frames(10), times):
            writer.write(image, t)
    with VideoFileSource(path, prefetch=0) as source:
        got = list(source)
    assert [round(f.time_s, 3) for f in got] == [round(t, 3) for t in times]
    # Lossy, but a saturated colour survives the RGB -> I420 -> RGB round trip closely.
    np.testing.assert_allclose(got[5].image[48, 4], (235, 60, 50), atol=8)
    np.testing.assert_allclose(got[5].image[48, 100], (0, 0, 0), atol=8)


def test_an_encoding_error_is_raised_in_the_writing_thread(tmp_path):
    writer = VideoWriter(tmp_path / "bad.mp4", (128, 96), 30.0, threaded=True)
    writer.write(np.zeros((96, 128), np.uint8), 0.0)  # not RGB: fails in the encoder thread
    with pytest.raises(Exception):  # noqa: B017 (OpenCV's error type, whatever its name)
        for i in range(1, 20):  # some later write, or close, reports it
            writer.write(np.zeros((96, 128, 3), np.uint8), i / 30)
        writer.close()
    writer.close()  # the error was reported once; closing again is quiet


def test_render_draws_in_the_encoder_thread(tmp_path):
    import threading

    threads = set()

    def render(level: int) -> np.ndarray:
        threads.add(threading.current_thread().name)
        return np.full((96, 128, 3), level, np.uint8)

    path = tmp_path / "rendered.mp4"
    with VideoWriter(path, (128, 96), 30.0, render=render) as writer:
        for i, level in enumerate((40, 120, 200)):
            writer.write(level, i / 30)
    assert threads == {"video-encode"}
    with VideoFileSource(path, prefetch=0) as source:
        levels = [int(f.image[48, 64].mean()) for f in source]
    assert levels == pytest.approx([40, 120, 200], abs=4)
