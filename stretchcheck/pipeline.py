"""One pipeline for every front end: frames → pose → smoothing → rules → outputs.

``analyze_video`` serves the CLI and the app's upload page (a whole file, zero-phase
smoothing, files written to a folder); ``LiveAnalyzer`` serves the webcam page (one frame at a
time, causal smoothing). Both run the same estimator, rules and drawing.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from posture_rules.checker import FormChecker
from posture_rules.config import RulesConfig, load_config
from posture_rules.types import FlagEpisode, FrameResult, Phase
from stretchcheck import __version__
from stretchcheck.annotate import FrameAnnotator
from stretchcheck.background import InOrder
from stretchcheck.flag_pictures import FlagPictures
from stretchcheck.native_memory import PeriodicRelease
from stretchcheck.outputs import INFERENCE_NOTES, FramesCsv, write_json_atomic
from stretchcheck.pelvis_report import TiltStats, pelvis_probe
from vision.backends import create_estimator
from vision.estimator import EstimatorOptions, FinishPose, estimate_in_two_steps
from vision.landmarks import LEG
from vision.pose import Pose
from vision.smoothing import CenteredSmoother, OneEuroFilter
from vision.video import DEFAULT_MAX_SIDE, Frame, VideoFileSource, VideoWriter

ProgressFn = Callable[[int, "int | None"], None]


@dataclass(frozen=True)
class AnalyzeOptions:
    """How to analyse a recorded video.

    Attributes:
        model: BlazePose variant (lite, full, heavy).
        backend: pose backend name (see ``vision.backends``). ONNX Runtime by default: the
            same BlazePose weights as MediaPipe's, ~1.5x as fast on a 2-core CPU, landmarks
            within 0.4 px median of MediaPipe's (README, "Speed").
        rules: the rules configuration; None = the shipped defaults.
        write_video: write annotated.mp4 (the slowest output after pose inference).
        max_side: frames larger than this are scaled down while decoding.
        side: the stretched side as the person states it (None = detect it). Only labels
            depend on it: every measurement uses the geometric front and rear leg per frame.
        outline: measure pelvic tilt from the body outline (asks the pose model for its
            segmentation mask, ~15 % slower). On by default for files: without it (or stickers)
            pelvic tilt is not measured at all, and a file can afford the time.
        markers: the pelvic stickers' colour (``vision.markers.MarkerColour.parse``: a name
            such as ``green`` or an HSV range), or None when the person wears no stickers.
        neutral_from_s: start of the neutral-pelvis calibration (``[pelvis] neutral_s`` long);
            None = the first seconds the person holds still before the lunge.
    """

    model: str = "heavy"
    backend: str = "onnx"
    rules: RulesConfig | None = None
    write_video: bool = True
    max_side: int | None = DEFAULT_MAX_SIDE
    side: str | None = None
    outline: bool = True
    markers: str | None = None
    neutral_from_s: float | None = None


def analyze_video(
    video: str | Path,
    out_dir: str | Path,
    options: AnalyzeOptions = AnalyzeOptions(),
    progress: ProgressFn | None = None,
    on_pose: Callable[[Pose], None] | None = None,
) -> dict[str, Any]:
    """Analyse a video file; write frames.csv, summary.json, annotated.mp4 and flags/*.jpg.

    ``on_pose`` sees each smoothed pose just before the rules do (the real-footage benchmark
    keeps them to re-run the rules without the pose model).

    Returns the summary (also written to summary.json). Raises ``vision.video.VideoError``
    for a file that cannot be opened; a file damaged part-way is analysed up to the damage
    and the summary says where reading stopped.
    """
    started = time.perf_counter()
    config = options.rules or load_config()
    out = Path(out_dir)
    with VideoFileSource(video, max_side=options.max_side) as source:
        info = source.info
        out.mkdir(parents=True, exist_ok=True)
        flags_dir = out / "flags"
        flags_dir.mkdir(exist_ok=True)
        for old in flags_dir.glob("*.jpg"):
            old.unlink()  # pictures of an earlier run into the same folder would mislead
        checker = FormChecker(config, options.neutral_from_s)
        probe = pelvis_probe(options.markers, options.outline, config.landmarks.min_confidence)
        annotator = FrameAnnotator(config)
        tilt_stats = TiltStats()
        peaks = FlagPictures(annotator, flags_dir)
        smoother: CenteredSmoother[Frame] = CenteredSmoother()
        stats: Counter[str] = Counter()
        watch = _InputWatch(config.landmarks.min_confidence)
        side_votes: Counter[str] = Counter()
        facing_votes: Counter[str] = Counter()
        last_time = 0.0
        # Frames are drawn and encoded in the writer's thread, overlapping pose inference.
        writer = (
            VideoWriter(out / "annotated.mp4", (info.width, info.height), info.fps,
                        render=lambda item: annotator.annotate(*item))
            if options.write_video else None
        )
        # The mask feeds the outline, and keeps sticker detection to colour on the body.
        with_mask = options.outline or options.markers is not None
        estimator = create_estimator(options.backend, EstimatorOptions(
            model=options.model, with_mask=with_mask, mask_in_other_thread=True))
        try:
            with FramesCsv(out / "frames.csv") as csv_out:

                def handle(pose: Pose, frame: Frame) -> None:
                    nonlocal last_time
                    if on_pose is not None:
                        on_pose(pose)
                    result = checker.update(pose, frame.index)
                    csv_out.write(result)
                    tilt_stats.see(result)
                    m = result.measurements
                    stats["frames"] += 1
                    stats["with_person"] += int(m.person)
                    watch.see(frame, pose)
                    last_time = frame.time_s
                    if m.facing:
                        facing_votes[m.facing] += 1
                    if result.phase == Phase.STRETCH:
                        stats["stretch"] += 1
                        stats["stretch_hidden"] += int(bool(m.hidden_joints))
                        if m.stretched_side:
                            side_votes[m.stretched_side] += 1
                    if writer is not None:
                        writer.write((frame.image, pose, result), frame.time_s)
                    peaks.offer(frame.image, pose, result)
                    for episode in result.ended_episodes:
                        peaks.save(episode)

                def finish(finish_pose: FinishPose, frame: Frame) -> None:
                    pose = probe(frame.image, finish_pose())
                    for smoothed, f in smoother.push(pose, frame):
                        handle(smoothed, f)

                # Only the landmarks are computed here, frame after frame (each frame's
                # tracking needs the previous frame's); the rest of each frame (its mask, the
                # pelvis probe, smoothing, the rules, frames.csv, the flag pictures) runs in
                # order in a second thread, overlapping the next frame's inference. Leaving the
                # block, normally or not, waits until every frame handed over is done.
                release = PeriodicRelease()
                with InOrder(finish, name="analysis") as later:
                    for frame in source:
                        later.submit(estimate_in_two_steps(estimator, frame.image, frame.time_s), frame)
                        release.tick()
                        if progress is not None:
                            progress(frame.index + 1, info.frame_count)
                for smoothed, f in smoother.flush():
                    handle(smoothed, f)
        finally:
            estimator.close()
            if writer is not None:
                writer.close()
        episodes = checker.finish()
        for episode in episodes:
            if peaks.image_for(episode) is None:
                peaks.save(episode)
        stopped = source.stopped_early

    frames = stats["frames"]
    duration = last_time + (1.0 / info.fps if info.fps > 0 else 0.0) if frames else 0.0
    summary: dict[str, Any] = {
        "tool": {"name": "stretchcheck", "version": __version__},
        "analysed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "clip": {
            "file": str(video),
            "frames": frames,
            "duration_s": round(duration, 3),
            "fps": round(frames / duration, 3) if duration > 0 else 0.0,
            "container_fps": round(info.fps, 3),
            "width": info.width,
            "height": info.height,
            "rotation_deg": info.rotation,
        },
        "reading_stopped": stopped,
        "pose": {"backend": options.backend, "model": options.model},
        "warnings": watch.warnings(stats["with_person"]) + hidden_joint_warnings(stats["stretch"], stats["stretch_hidden"]),
        "followed_person": watch.followed_person(),
        "person_found": stats["with_person"] > 0,
        "frames_with_person": stats["with_person"],
        "message": _headline(stats["with_person"], side_votes, episodes),
        "facing": facing_votes.most_common(1)[0][0] if facing_votes else None,
        **_side_fields(side_votes, options.side),
        "hold_s": round(checker.hold_s, 3),
        "good_form_s": round(checker.good_form_s, 3),
        "flags": [
            {
                "code": e.code,
                "start_s": round(e.start_s, 3),
                "end_s": round(e.end_s, 3),
                "peak_frame": e.peak_frame,
                "peak_value": round(e.peak_value, 3),
                "message": e.message,
                "image": peaks.image_for(e),
            }
            for e in episodes
        ],
        "pelvic_tilt": tilt_stats.summary(checker, options.outline, options.markers),
        "inferences": INFERENCE_NOTES,
        "outputs": {
            "frames_csv": "frames.csv",
            "annotated_video": "annotated.mp4" if writer is not None else None,
            "annotated_video_codec": writer.codec if writer is not None else None,
        },
        "elapsed_s": round(time.perf_counter() - started, 3),
    }
    write_json_atomic(out / "summary.json", summary)
    return summary


# Body landmarks that must be inside the frame to judge the stretch.
_BODY = np.array([lm for leg in ("left", "right") for lm in (LEG[leg]["shoulder"], LEG[leg]["hip"], LEG[leg]["knee"], LEG[leg]["ankle"])])
DARK_MEAN_LUMA = 40.0  # out of 255: below this pose detection becomes unreliable


def hidden_joint_warnings(stretch_frames: int, with_hidden: int) -> list[str]:
    """Say so when much of the stretch was measured through joints the model did not see."""
    if not stretch_frames or with_hidden / stretch_frames <= 0.2:
        return []
    return [f"in {100 * with_hidden / stretch_frames:.0f}% of the stretch a leg joint was hidden (a hand "
            "or an arm over it): those measurements use where the pose model places it, at lower "
            "confidence (frames.csv: hidden_joints, leg_confidence)"]


class _InputWatch:
    """Notices what about the footage limits the analysis: darkness, a body cut off by the
    frame's edge, and which person was followed when several may be in view."""

    def __init__(self, min_confidence: float):
        self.min_confidence = min_confidence
        self._luma: list[float] = []
        self._cut_off = 0
        self._boxes: list[NDArray[np.float64]] = []

    def see(self, frame: Frame, pose: Pose) -> None:
        if frame.index % 15 == 0:  # twice a second is plenty for a brightness estimate
            self._luma.append(float(frame.image[::8, ::8].mean()))
        if pose.is_empty:
            return
        inside = pose.presence[_BODY] >= self.min_confidence
        self._cut_off += int(not inside.all())
        ok = pose.confidence() >= self.min_confidence
        if ok.any() and frame.index % 5 == 0:
            pts = pose.xy[ok]
            self._boxes.append(np.concatenate([pts.min(axis=0), pts.max(axis=0)]))

    def warnings(self, frames_with_person: int) -> list[str]:
        out = []
        if self._luma and np.mean(self._luma) < DARK_MEAN_LUMA:
            out.append(
                f"the video is very dark (mean brightness {np.mean(self._luma):.0f} of 255): "
                "the pose model may miss the person or misplace joints; add light"
            )
        if frames_with_person and self._cut_off / frames_with_person > 0.2:
            out.append(
                f"part of the body is outside the frame in {100 * self._cut_off / frames_with_person:.0f}% "
                "of the frames with a person: measurements that need it are left empty; step back"
            )
        return out

    def followed_person(self) -> dict[str, Any] | None:
        if not self._boxes:
            return None
        box = np.median(np.stack(self._boxes), axis=0)
        return {
            "box_px": [round(float(v), 1) for v in box],
            "note": "one person is followed: the one the pose model finds first and then tracks; "
            "anyone else in view is ignored",
        }


def _side_fields(votes: Counter[str], stated: str | None) -> dict[str, Any]:
    """The stretched side, how sure the detection is, and a note when it may be wrong.

    In a pure side view the near and far legs overlap, and the pose model can label the front
    leg as the rear one for a whole clip. The angles do not depend on it (front and rear are
    told apart geometrically each frame), but the side label does, so it is reported with
    the share of stretch frames that agreed, and a person's own statement wins.
    """
    detected = votes.most_common(1)[0][0] if votes else None
    agreement = votes[detected] / sum(votes.values()) if detected else None
    fields: dict[str, Any] = {
        "stretched_side": stated or detected,
        "stretched_side_detected": detected,
        "stretched_side_agreement": round(agreement, 3) if agreement is not None else None,
        "side_note": None,
    }
    if stated and detected and stated != detected:
        fields["side_note"] = (
            f"you said the {stated} side; the pose model's labels pointed to the {detected} side "
            "(near and far legs are easily confused in a side view); using the {stated} side"
        ).replace("{stated}", stated)
    elif detected and not stated:
        fields["side_note"] = (
            "side detected from the pose model's left/right labels, which a pure side view can "
            "swap; pass --side (or pick the side in the app's timer) if it is wrong"
        )
    return fields


def _headline(with_person: int, side_votes: Counter[str], episodes: list[FlagEpisode]) -> str:
    if with_person == 0:
        return "No person was found in the video."
    if not side_votes:
        return "A person was found, but no lunge stretch was held."
    if not episodes:
        return "Lunge stretch held with good form throughout."
    codes = sorted({e.code for e in episodes})
    return f"Lunge stretch held; form flags: {', '.join(codes)}."


class LiveAnalyzer:
    """The live (webcam) pipeline: causal smoothing, one frame in, one annotated frame out.

    Not thread-safe; the webcam callback thread owns one instance. ``markers`` (sticker colour)
    and ``outline`` switch the pelvic-tilt methods on (see ``AnalyzeOptions``); the outline is
    off by default live, where the mask's cost comes out of the frame rate.
    """

    def __init__(self, model: str = "lite", backend: str = "onnx", rules: RulesConfig | None = None,
                 markers: str | None = None, outline: bool = False):
        self.config = rules or load_config()
        self.checker = FormChecker(self.config)
        self.annotator = FrameAnnotator(self.config)
        self.smoother = OneEuroFilter()
        self.probe = pelvis_probe(markers, outline, self.config.landmarks.min_confidence)
        self.estimator = create_estimator(backend, EstimatorOptions(model=model, with_mask=outline or markers is not None))
        self._index = 0
        self._calibrate = False
        self._release = PeriodicRelease()  # a live session can run for an hour

    def request_calibration(self) -> None:
        """Calibrate the neutral pelvis over the ``[pelvis] neutral_s`` from the next frame."""
        self._calibrate = True

    def process(self, image: NDArray[np.uint8], time_s: float) -> tuple[NDArray[np.uint8], Pose, FrameResult]:
        if self._calibrate:
            self.checker.neutral.restart(time_s)
            self._calibrate = False
        pose = self.smoother(self.probe(image, self.estimator.estimate(image, time_s)))
        result = self.checker.update(pose, self._index)
        self._index += 1
        self._release.tick()
        return self.annotator.annotate(image, pose, result), pose, result

    def close(self) -> list[FlagEpisode]:
        self.estimator.close()
        return self.checker.finish()
