"""What the annotated video shows: skeleton, the four measurements against their limits, the
phase and hold time, and the active cue in large text."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from posture_rules.config import RulesConfig
from posture_rules.types import FrameResult, Phase
from vision.draw import (
    AMBER,
    GREEN,
    GREY,
    RED,
    WHITE,
    BannerAnnotator,
    SkeletonAnnotator,
    TextPanelAnnotator,
)
from vision.pose import Pose

# (column, label, unit format) in display order.
DISPLAYED = (
    ("trunk_lean_deg", "Trunk lean", "{:+.0f} deg"),
    ("front_knee_angle_deg", "Front knee", "{:.0f} deg"),
    ("knee_past_toes_ratio", "Knee vs toes", "{:+.2f} shin"),
    ("rear_hip_extension_deg", "Rear hip ext.", "{:+.0f} deg"),
    ("pelvic_tilt_change_deg", "Pelvis vs neutral*", "{:+.0f} deg"),
)

PHASE_TEXT = {
    Phase.NO_PERSON: "No person in view",
    Phase.SETTING_UP: "Setting up",
    Phase.STRETCH: "Stretch",
    Phase.OUT_OF_STRETCH: "Out of the stretch",
}


class FrameAnnotator:
    """Draws one ``FrameResult`` on its frame; configured once per video."""

    def __init__(self, config: RulesConfig):
        self.config = config
        self._skeleton = SkeletonAnnotator(min_confidence=config.landmarks.min_confidence)
        self._panel = TextPanelAnnotator()
        self._banner = BannerAnnotator()
        # Which rules watch each metric, so a flagged metric can be drawn in red.
        self._rules_by_metric: dict[str, list[str]] = {}
        for r in config.rules:
            self._rules_by_metric.setdefault(r.metric, []).append(r.code)

    def annotate(self, image: NDArray[np.uint8], pose: Pose, result: FrameResult) -> NDArray[np.uint8]:
        out = np.array(image, copy=True)
        self._skeleton.annotate(out, pose)
        m = result.measurements
        lines: list[tuple[str, tuple[int, int, int]]] = []
        phase = PHASE_TEXT[result.phase]
        if result.phase == Phase.STRETCH:
            phase += f"  {result.hold_s:4.1f} s (good form {result.good_form_s:4.1f} s)"
        lines.append((phase, WHITE))
        if m.person and m.stretched_side and result.phase == Phase.STRETCH:
            lines.append((f"Stretching the {m.stretched_side} hip", WHITE))
        for column, label, fmt in DISPLAYED:
            value = m.metric(column).value
            if value is None:
                lines.append((f"{label}: --", GREY))
                continue
            flagged = any(code in result.flags for code in self._rules_by_metric.get(column, []))
            text = fmt.format(value)
            if column == "pelvic_tilt_change_deg":  # "8 deg tucked" / "12 deg forward", and how
                text = f"{abs(value):.0f} deg {'tucked' if value < 0 else 'forward'}"
                text += f" ({m.pelvic_tilt_change_deg.method.split(',')[0]})"
            lines.append((f"{label}: {text}", RED if flagged else GREEN))
        self._panel.annotate(out, lines)
        if result.cues:
            self._banner.annotate(out, result.cues[0], RED)
        elif result.phase == Phase.STRETCH:
            self._banner.annotate(out, "Good form: hold and breathe", GREEN)
        elif result.phase == Phase.NO_PERSON:
            self._banner.annotate(out, "Step into view, side-on to the camera", AMBER)
        return out
