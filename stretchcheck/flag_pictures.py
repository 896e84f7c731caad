"""One picture per flag episode: the frame where the fault was worst, with its cue drawn.

Why keep only peaks: a therapist reviews a flag by its worst moment; storing every frame of
a live session would cost gigabytes. Files are written to a temporary name and renamed, so a
killed app never leaves half a JPEG.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from posture_rules.types import FlagEpisode, FrameResult
from stretchcheck.annotate import FrameAnnotator
from vision.pose import Pose


def write_jpeg_atomic(path: Path, rgb: NDArray[np.uint8], quality: int = 88) -> None:
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError(f"could not encode {path.name}")
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data.tobytes())
    os.replace(tmp, path)


class FlagPictures:
    """Keeps each fault's worst frame in memory and writes it when asked."""

    def __init__(self, annotator: FrameAnnotator, folder: Path):
        self.annotator = annotator
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._peaks: dict[str, tuple[int, NDArray[np.uint8], Pose, FrameResult]] = {}
        self._saved: dict[tuple[str, float], str] = {}
        self._open_written: dict[str, int] = {}  # code -> peak frame of its provisional picture

    def offer(self, image: NDArray[np.uint8], pose: Pose, result: FrameResult) -> None:
        for code in result.new_peaks:
            self._peaks[code] = (result.frame, image, pose, result)

    def peak(self, code: str) -> tuple[int, float | None] | None:
        """(frame, metric value) of the kept peak for ``code``."""
        kept = self._peaks.get(code)
        if kept is None:
            return None
        frame, _, _, result = kept
        rule = self.annotator.config.rule(code)
        value = result.measurements.metric(rule.metric).value
        return frame, None if value is None else round(value, 3)

    def _draw(self, code: str, message: str) -> NDArray[np.uint8] | None:
        kept = self._peaks.get(code)
        if kept is None:
            return None
        _, image, pose, result = kept
        # Draw the cue as reported, even if the peak came before the flag was raised on screen.
        return self.annotator.annotate(image, pose, replace(result, flags=(code,), cues=(message,)))

    def save(self, episode: FlagEpisode) -> str | None:
        """Write the episode's picture if its peak frame is the one kept; returns its path."""
        kept = self._peaks.get(episode.code)
        if kept is None or kept[0] != episode.peak_frame:
            return None
        picture = self._draw(episode.code, episode.message)
        assert picture is not None
        name = f"{len(self._saved) + 1:02d}_{episode.code}_{episode.start_s:06.2f}s.jpg"
        write_jpeg_atomic(self.folder / name, picture)
        rel = f"flags/{name}"
        self._saved[(episode.code, episode.start_s)] = rel
        return rel

    def image_for(self, episode: FlagEpisode) -> str | None:
        return self._saved.get((episode.code, episode.start_s))

    def save_open(self, code: str) -> str | None:
        """The provisional picture of a flag still raised (rewritten only when its peak moves)."""
        kept = self._peaks.get(code)
        if kept is None:
            return None
        name = f"open_{code}.jpg"
        if self._open_written.get(code) != kept[0]:
            rule = self.annotator.config.rule(code)
            value = kept[3].measurements.metric(rule.metric).value
            picture = self._draw(code, rule.cue_for(value if value is not None else 0.0))
            assert picture is not None
            write_jpeg_atomic(self.folder / name, picture)
            self._open_written[code] = kept[0]
        return f"flags/{name}"

    def drop_open(self) -> None:
        """Remove provisional pictures once every episode has its final one."""
        for code in list(self._open_written):
            (self.folder / f"open_{code}.jpg").unlink(missing_ok=True)
        self._open_written.clear()
