"""Stand-ins for the camera side of the live pipeline: scripted poses instead of MediaPipe."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from stretchcheck.pipeline import LiveAnalyzer
from tests.posture_rules.stick import lunge_pose
from vision.pose import Pose


def good_then_leaning(t: float) -> Pose:
    """A good side-on lunge for a second, then the trunk leans 30 degrees forward."""
    return lunge_pose(scale=0.6, hip_xy=(320.0, 300.0), t=t, trunk_lean_deg=0.0 if t < 1.0 else 30.0)


class ScriptedEstimator:
    """Returns ``script(t)`` for the frame at time t, whatever the image."""

    name = "scripted"

    def __init__(self, script: Callable[[float], Pose]):
        self.script = script

    def estimate(self, image_rgb: np.ndarray, timestamp_s: float) -> Pose:
        return self.script(timestamp_s)

    def close(self) -> None:
        pass


def stub_analyzer(script: Callable[[float], Pose] = good_then_leaning) -> LiveAnalyzer:
    """The real live pipeline (smoothing, rules, drawing) with the estimator scripted."""
    analyzer = LiveAnalyzer(model="lite")
    analyzer.estimator.close()
    analyzer.estimator = ScriptedEstimator(script)
    return analyzer


def grey_frame() -> np.ndarray:
    return np.full((480, 640, 3), 128, np.uint8)
