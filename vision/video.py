"""Frame sources and sinks: video files (PyAV), webcams (OpenCV), and an H.264 writer.

Sources are iterators of ``Frame`` used as context managers. Each frame carries its own
presentation time from the container (not index x nominal fps): phones record variable frame
rate, and a frame index would drift against real time. Portrait phone videos store their
rotation as metadata; frames are turned upright here so the person stands up in every image.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
from numpy.typing import NDArray

# Frames larger than this (longest side, px) are scaled down while decoding: BlazePose sees a
# 256 px crop anyway, and a 4K frame would cost 9x the memory and drawing time for no accuracy.
DEFAULT_MAX_SIDE = 1280


class VideoError(Exception):
    """A video that cannot be opened or read; the message names the file and the cause."""


@dataclass(frozen=True)
class Frame:
    index: int  # 0-based position among decoded frames
    time_s: float  # presentation time from the start of the stream
    image: NDArray[np.uint8]  # RGB, H x W x 3, upright


@dataclass(frozen=True)
class VideoInfo:
    path: str
    width: int  # of the frames this source yields (after rotation and downscaling)
    height: int
    fps: float  # average rate reported by the container (0 if unknown)
    duration_s: float | None
    frame_count: int | None  # the container's estimate; None if it gives none
    rotation: int  # degrees the stored frames were turned to be upright


def _upright(image: NDArray[np.uint8], rotation: int) -> NDArray[np.uint8]:
    """Turn a decoded frame upright given the display rotation (counter-clockwise degrees)."""
    k = (rotation // 90) % 4
    return np.ascontiguousarray(np.rot90(image, k=k)) if k else image


def _scaled_size(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    if not max_side or max(width, height) <= max_side:
        return width, height
    s = max_side / max(width, height)
    # Even sizes: H.264 with 4:2:0 chroma needs them for the annotated copy.
    return max(2, int(round(width * s / 2)) * 2), max(2, int(round(height * s / 2)) * 2)


class VideoFileSource:
    """Decodes a video file into upright RGB frames with their real timestamps.

    Decoding runs in a background thread a few frames ahead, so that pose inference on the
    main thread never waits on the decoder. If the file is damaged part-way, iteration ends
    at the damage and ``stopped_early`` says where and why: the frames before it are kept.
    """

    def __init__(self, path: str | Path, max_side: int | None = DEFAULT_MAX_SIDE, prefetch: int = 8):
        self.path = Path(path)
        self.max_side = max_side
        self.prefetch = prefetch
        self.stopped_early: str | None = None
        self._container = self._open()
        stream = self._container.streams.video[0]
        stream.thread_type = "AUTO"
        self._stream = stream
        self.info = self._probe(stream)

    def _fail(self, cause: str) -> VideoError:
        return VideoError(f"cannot open video '{self.path}': {cause}")

    def _open(self) -> av.container.InputContainer:
        if not self.path.exists():
            raise self._fail("no such file")
        if self.path.is_dir():
            raise self._fail("it is a directory, not a video file")
        if self.path.stat().st_size == 0:
            raise self._fail("the file is empty (0 bytes)")
        try:
            container = av.open(str(self.path), mode="r")
        except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
            raise self._fail(f"not a readable video ({_ffmpeg_reason(exc)})") from None
        if not container.streams.video:
            kinds = sorted({s.type for s in container.streams})
            container.close()
            has = f"it has only {', '.join(kinds)} streams" if kinds else "it has no streams"
            raise self._fail(f"no video stream ({has}); is it an audio file?")
        return container

    def _probe(self, stream: av.video.stream.VideoStream) -> VideoInfo:
        width, height = stream.codec_context.width, stream.codec_context.height
        if not width or not height:
            raise self._fail("the video stream has no frame size")
        rotation = 0
        # The display matrix is only known per frame; peek at the first one (the decoder is
        # then rewound by reopening, which is cheap and avoids seeking in damaged files).
        try:
            first = next(self._container.decode(stream))
            rotation = int(getattr(first, "rotation", 0) or 0) % 360
        except StopIteration:
            raise self._fail("the video stream has no decodable frames") from None
        except av.error.FFmpegError as exc:
            raise self._fail(f"the first frame cannot be decoded ({_ffmpeg_reason(exc)})") from None
        self._container.close()
        self._container = av.open(str(self.path), mode="r")
        # The old stream object died with its container: read everything from the new one.
        stream = self._stream = self._container.streams.video[0]
        self._stream.thread_type = "AUTO"
        if rotation % 180 == 90:
            width, height = height, width
        width, height = _scaled_size(width, height, self.max_side)
        fps = float(stream.average_rate) if stream.average_rate else 0.0
        duration = None
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif self._container.duration is not None:
            duration = self._container.duration / av.time_base
        return VideoInfo(
            path=str(self.path),
            width=width,
            height=height,
            fps=fps,
            duration_s=duration,
            frame_count=stream.frames or (int(round(duration * fps)) if duration and fps else None),
            rotation=rotation,
        )

    def _decode(self) -> Iterator[Frame]:
        stream = self._stream
        start = stream.start_time if stream.start_time is not None else None
        tb = stream.time_base or Fraction(1, 1000)
        fallback_dt = 1.0 / self.info.fps if self.info.fps > 0 else 1.0 / 30.0
        last_t = -fallback_dt
        index = 0
        w, h = self.info.width, self.info.height
        rotated = self.info.rotation % 180 == 90
        dw, dh = (h, w) if rotated else (w, h)  # decode size before turning upright
        try:
            for vf in self._container.decode(stream):
                if vf.pts is None:
                    t = last_t + fallback_dt
                else:
                    t = float((vf.pts - (start or 0)) * tb)
                if t <= last_t:
                    t = last_t + 1e-3  # duplicate or out-of-order pts: keep time increasing
                image = vf.to_ndarray(format="rgb24", width=dw, height=dh)
                yield Frame(index=index, time_s=t, image=_upright(image, self.info.rotation))
                last_t = t
                index += 1
        except av.error.FFmpegError as exc:
            self.stopped_early = f"reading stopped at {max(last_t, 0.0):.2f} s (frame {index}): {_ffmpeg_reason(exc)}"
        if index == 0 and self.stopped_early is None:
            self.stopped_early = "no frame could be decoded"

    def __iter__(self) -> Iterator[Frame]:
        if self.prefetch <= 0:
            yield from self._decode()
            return
        # A bounded queue keeps memory flat however long the video is.
        q: queue.Queue[Frame | None | BaseException] = queue.Queue(maxsize=self.prefetch)
        stop = threading.Event()

        def worker() -> None:
            try:
                for frame in self._decode():
                    while not stop.is_set():
                        try:
                            q.put(frame, timeout=0.1)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
                q.put(None)
            except BaseException as exc:  # handed to the consumer, re-raised there
                q.put(exc)

        thread = threading.Thread(target=worker, name="video-decode", daemon=True)
        thread.start()
        try:
            while True:
                item = q.get()
                if item is None:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            thread.join(timeout=5)

    def close(self) -> None:
        self._container.close()

    def __enter__(self) -> VideoFileSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _ffmpeg_reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text).strip().rstrip(".")


class WebcamSource:
    """Frames from a local camera, timestamped by the monotonic clock when they arrive."""

    def __init__(self, index: int = 0):
        import cv2  # only here: the file path of the program does not need a camera stack

        self._cv2 = cv2
        self.index = index
        self._cap = cv2.VideoCapture(index)
        if not self._cap.isOpened():
            raise VideoError(f"cannot open webcam {index}: no camera at that index, or it is in use")
        self._t0 = time.monotonic()

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        while True:
            ok, bgr = self._cap.read()
            if not ok:
                return
            rgb = self._cv2.cvtColor(bgr, self._cv2.COLOR_BGR2RGB)
            yield Frame(index=index, time_s=time.monotonic() - self._t0, image=rgb)
            index += 1

    def close(self) -> None:
        self._cap.release()

    def __enter__(self) -> WebcamSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# x264 settings for the annotated video. Measured on 270 frames of the rendered clips, one
# encoder thread: preset veryfast at CRF 23 costs 3.4 ms of CPU a frame (PSNR 42.3 dB, 94 KiB);
# ultrafast with CABAC and the macroblock tree turned back on, at CRF 21, costs 1.1 ms (41.3 dB,
# 133 KiB). On 2 cores those 2.3 ms come out of pose inference (~6 % of analyze's CPU), so
# the cheaper encoder wins; plain ultrafast would be as cheap but 3.4x the size. CABAC makes
# the stream H.264 Main profile, which every browser plays.
X264_OPTIONS = {"preset": "ultrafast", "x264-params": "cabac=1:mbtree=1:rc-lookahead=10"}
X264_CRF = 21


class VideoWriter:
    """Writes RGB frames to a browser-playable MP4: H.264 (yuv420p, faststart).

    H.264 in an MP4 is the one combination every browser plays; PyAV's wheel ships FFmpeg
    with libx264. Where libx264 is missing the writer falls back to MPEG-4 Part 2, which
    plays in desktop players but not in browsers, and says so in ``codec``.
    Frames are stamped with their real times (1 ms time base), so a variable-frame-rate input
    stays in sync.

    Encoding runs in a background thread (``threaded``, the default): ``write`` hands the
    frame over and returns, so the caller's next frame of pose inference overlaps this
    frame's encoding. A bounded queue keeps memory flat (``write`` waits when the encoder is
    ``queue_size`` frames behind); the caller must not modify an image after writing it.
    An encoding error is raised once, by the next ``write`` or else by ``close``.

    ``render``, if given, turns what ``write`` receives into the RGB image, in the encoder
    thread: the pipeline hands over (frame, pose, result) and the drawing happens there too,
    off the thread that runs pose inference.
    """

    def __init__(self, path: str | Path, size: tuple[int, int], fps: float = 30.0, crf: int = X264_CRF,
                 threaded: bool = True, queue_size: int = 4,
                 render: Callable[[Any], NDArray[np.uint8]] | None = None):
        self.path = Path(path)
        self._container = av.open(str(self.path), mode="w", options={"movflags": "+faststart"})
        w, h = size
        self.codec = "libx264" if "libx264" in av.codecs_available else "mpeg4"
        rate = Fraction(fps).limit_denominator(1001) if fps > 0 else Fraction(30)
        self._stream = self._container.add_stream(self.codec, rate=rate)
        self._stream.width, self._stream.height = w - w % 2, h - h % 2
        self._stream.pix_fmt = "yuv420p"
        # Millisecond time base on the encoder too: at the nominal 1/fps two frames of a
        # variable-frame-rate source can round to the same tick, which the muxer rejects.
        self._stream.time_base = Fraction(1, 1000)
        self._stream.codec_context.time_base = Fraction(1, 1000)
        if self.codec == "libx264":
            self._stream.options = {"crf": str(crf), **X264_OPTIONS}
            # One encoder thread: it already runs beside pose inference (our writer thread);
            # x264's own frame threads would only compete with it for the same cores, and
            # cost ~20 % more CPU per frame on 2 cores.
            self._stream.codec_context.thread_count = 1
        self._last_pts = -1
        self._render = render
        self._queue: queue.Queue[tuple[Any, float] | None] | None = None
        self._error: BaseException | None = None
        self._reported = False  # the error reached the caller once; close() stays quiet
        self._thread: threading.Thread | None = None
        self._closed = False
        if threaded:
            self._queue = queue.Queue(maxsize=max(1, queue_size))
            self._thread = threading.Thread(target=self._worker, name="video-encode", daemon=True)
            self._thread.start()

    def write(self, image: Any, time_s: float) -> None:
        """Queue one frame: an RGB image, or whatever ``render`` turns into one."""
        if self._error is not None:
            self._reported = True
            raise self._error
        if self._queue is None:
            self._encode(image, time_s)
        else:
            self._queue.put((image, time_s))

    def _worker(self) -> None:
        assert self._queue is not None
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is None:
                try:
                    self._encode(*item)
                except BaseException as exc:  # handed to the writing thread by write/close
                    self._error = exc

    def _encode(self, item: Any, time_s: float) -> None:
        import cv2  # only the writer needs it; see WebcamSource

        image = self._render(item) if self._render is not None else item
        h, w = self._stream.height, self._stream.width
        # OpenCV's RGB -> I420 (BT.601, limited range, as swscale's) is ~5x cheaper than
        # letting PyAV convert the rgb24 frame inside the encoder.
        yuv = cv2.cvtColor(np.ascontiguousarray(image[:h, :w]), cv2.COLOR_RGB2YUV_I420)
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        pts = max(int(round(time_s * 1000)), self._last_pts + 1)
        frame.pts, frame.time_base = pts, Fraction(1, 1000)
        self._last_pts = pts
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def close(self) -> None:
        """Encode what is queued and finish the file; raise an encoder error not yet raised.

        Safe to call twice.
        """
        if self._closed:
            return
        self._closed = True
        if self._thread is not None and self._queue is not None:
            self._queue.put(None)
            self._thread.join()
        try:
            if self._error is None:
                for packet in self._stream.encode():
                    self._container.mux(packet)
        finally:
            self._container.close()
        if self._error is not None and not self._reported:
            self._reported = True
            raise self._error

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
