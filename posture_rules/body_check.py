"""Refusing a skeleton that cannot be a body, before anything is measured on it.

The pose model sometimes returns legs no person has: both legs collapsed onto one line in the
middle of a held lunge, or a shin suddenly twice the length it had a second ago (a knee or
ankle snapped to the other leg, or to the floor's edge). Measured, such a frame reads as a
fault (a rear hip "flexed" by 60 deg) or ends the stretch. Bones keep their length and legs
cannot jump, so each frame's leg bones are compared with their own recent lengths, and the
split between the knees with where it was a moment ago:

- a thigh or shin longer than ``max_stretch`` or shorter than ``min_shrink`` times its median
  over the last ``history_s`` seconds of accepted frames, and also than the other leg's same
  bone now, is refused (one leg's bone alone changed: a joint snapped; both alike: the body
  turned and the camera sees it foreshortened or no longer so);
- both knees and both ankles on top of each other (within ``merged`` of a bone length) while
  the knees were split by a lunge (``lunge_split`` thigh lengths) in the last second is refused.

A refused frame keeps the trunk (measured from the shoulders and hips) and leaves every leg
measurement unknown with the reason; the phase holds (unknown is not "out of the lunge"). If
refusals last ``reset_after_s``, the new lengths are taken as the truth (the person turned,
the camera moved) and the history starts again. The numbers are ``[body_check]`` in the rule table.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from posture_rules.config import BodyCheckConfig
from posture_rules.geometry import length
from posture_rules.joints import Joints, Legs

BONES = (
    ("front", "hip", "knee", "front thigh"),
    ("front", "knee", "ankle", "front shin"),
    ("rear", "hip", "knee", "rear thigh"),
    ("rear", "knee", "ankle", "rear shin"),
)


TWIN = {
    "front thigh": "rear thigh",
    "rear thigh": "front thigh",
    "front shin": "rear shin",
    "rear shin": "front shin",
}


class BodyCheck:
    """Stateful: feed every frame in time order; ``check`` says why a skeleton is refused."""

    def __init__(self, cfg: BodyCheckConfig):
        self.cfg = cfg
        self._history: deque[tuple[float, dict[str, float], float | None]] = deque()
        self._refused_since: float | None = None

    def _bones(self, j: Joints, legs: Legs) -> dict[str, float]:
        assert j.trunk_px is not None
        out = {}
        for role, a, b, name in BONES:
            leg = legs.front if role == "front" else legs.rear
            if j.has(leg[a], leg[b]):
                out[name] = float(length(j.xy[leg[a]] - j.xy[leg[b]])) / j.trunk_px
        return out

    @staticmethod
    def _split(j: Joints, legs: Legs, bones: dict[str, float]) -> float | None:
        thigh = [bones[k] for k in ("front thigh", "rear thigh") if k in bones]
        if (
            not thigh
            or float(np.mean(thigh)) <= 1e-6
            or not j.has(legs.front["knee"], legs.rear["knee"])
        ):
            return None
        assert j.trunk_px is not None
        return (
            float(length(j.xy[legs.front["knee"]] - j.xy[legs.rear["knee"]]))
            / j.trunk_px
            / float(np.mean(thigh))
        )

    def check(self, t: float, j: Joints, legs: Legs | None) -> str | None:
        """None if the skeleton can be a body (and it joins the history), else the reason."""
        if legs is None or j.trunk_px is None:
            return None
        bones = self._bones(j, legs)
        split = self._split(j, legs, bones)
        while self._history and t - self._history[0][0] > self.cfg.history_s:
            self._history.popleft()
        reason = self._judge(t, j, legs, bones, split)
        if reason is not None:
            if self._refused_since is None:
                self._refused_since = t
            if t - self._refused_since < self.cfg.reset_after_s:
                return reason
            self._history.clear()  # refused this long: the body is what the model now shows
        self._refused_since = None
        self._history.append((t, bones, split))
        return None

    def _judge(
        self, t: float, j: Joints, legs: Legs, bones: dict[str, float], split: float | None
    ) -> str | None:
        if not self._history or t - self._history[0][0] < self.cfg.min_history_s:
            return None
        for name, now in bones.items():
            past = [b[name] for _, b, _ in self._history if name in b]
            if len(past) < 5:
                continue
            usual = float(np.median(past))
            if usual <= 0 or self.cfg.min_shrink <= now / usual <= self.cfg.max_stretch:
                continue
            # A bone seen foreshortened (the leg toward the camera, then the person turns side-on)
            # grows back to its twin's length: that is a body turning, not a joint snapping.
            twin = bones.get(TWIN[name])
            if (
                twin is not None
                and twin > 0
                and self.cfg.min_shrink <= now / twin <= self.cfg.max_stretch
            ):
                continue
            return (
                f"the pose model's skeleton cannot be a body: the {name} is {now / usual:.1f} "
                f"times its length a moment ago"
            )
        recent = [s for s_t, _, s in self._history if s is not None and t - s_t <= 1.0]
        if (
            split is not None
            and recent
            and float(np.median(recent)) >= self.cfg.lunge_split
            and self._merged(j, legs, bones)
        ):
            return "the pose model's skeleton cannot be a body: both legs on one line in the middle of the lunge"
        return None

    def _merged(self, j: Joints, legs: Legs, bones: dict[str, float]) -> bool:
        assert j.trunk_px is not None
        pairs = [("knee", "front thigh"), ("ankle", "front shin")]
        for part, bone in pairs:
            if not j.has(legs.front[part], legs.rear[part]) or bone not in bones:
                return False
            gap = float(length(j.xy[legs.front[part]] - j.xy[legs.rear[part]])) / j.trunk_px
            if bones[bone] <= 1e-6 or gap > self.cfg.merged * bones[bone]:
                return False
        return True
