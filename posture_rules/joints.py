"""Which joints of one pose to believe, and which leg is the front one.

The pose model places all 33 points in every frame and scores each one's visibility. A joint
it sees scores high; a joint covered by something (hands resting on the front knee, an arm
over the hip, the far leg behind the near one) scores low, but the model still places it from
the limbs around it, and in a side view that place is usually right. Dropping such joints
erased whole stretches on real footage (a therapist's demo with the hands on the front knee
was never recognised as a stretch), so there are two tiers:

- **seen**: ``min(visibility, presence) >= [landmarks] min_confidence``;
- **inferred**: not seen, but the model says the point is inside the frame (presence), it
  lies inside the image, and the bones it ends keep a length a body can have (in
  hip-to-shoulder lengths, from seen trunk points). Its low visibility becomes the
  confidence of every measurement that uses it.

The legs are assigned by geometry, joint by joint, never by the model's left/right labels
alone: those swap in side views, and a model that tangles the legs (one leg's knee with the
other's ankle) still places a front knee and a front ankle where they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from posture_rules.config import LandmarkConfig
from posture_rules.geometry import length
from vision.landmarks import LEG, Landmark
from vision.pose import Pose

SIDES = ("left", "right")


def other(side: str) -> str:
    return "right" if side == "left" else "left"


def sign(facing: str) -> float:
    return 1.0 if facing == "right" else -1.0


class Joints:
    """The landmarks of one pose, each seen, inferred or unusable (see the module doc)."""

    def __init__(self, pose: Pose, cfg: LandmarkConfig):
        self.cfg = cfg
        self.xy = pose.xy
        conf = pose.confidence()
        finite = np.isfinite(self.xy).all(axis=1)
        self.seen = (conf >= cfg.min_confidence) & finite
        w, h = pose.image_size
        with np.errstate(invalid="ignore"):
            inside = (
                finite
                & (self.xy[:, 0] >= 0)
                & (self.xy[:, 0] <= w)
                & (self.xy[:, 1] >= 0)
                & (self.xy[:, 1] <= h)
            )
        candidate = ~self.seen & inside & (pose.presence >= cfg.min_presence_inferred)
        self.conf = np.where(self.seen, conf, np.where(candidate, pose.visibility, 0.0))
        self.ok = self.seen.copy()
        self.trunk_px = self._seen_trunk_length()
        if self.trunk_px is not None:
            self._admit_inferred_legs(candidate, cfg)

    def _seen_trunk_length(self) -> float | None:
        pairs = [(LEG[s]["shoulder"], LEG[s]["hip"]) for s in SIDES]
        lengths = [
            float(length(self.xy[a] - self.xy[b])) for a, b in pairs if self.seen[[a, b]].all()
        ]
        trunk = float(np.mean(lengths)) if lengths else 0.0
        return trunk if trunk > 1.0 else None

    def _admit_inferred_legs(self, candidate: NDArray[np.bool_], cfg: LandmarkConfig) -> None:
        """Inferred hips, knees, ankles and feet, each only where its bone to the joint above
        it (already admitted) has a length a body can have."""
        assert self.trunk_px is not None
        lo, hi = cfg.min_bone_trunks * self.trunk_px, cfg.max_bone_trunks * self.trunk_px
        for side in SIDES:
            leg = LEG[side]
            if candidate[leg["hip"]] and self.seen[leg["shoulder"]]:
                d = float(length(self.xy[leg["hip"]] - self.xy[leg["shoulder"]]))
                self.ok[leg["hip"]] = lo <= d <= hi
            for upper, lower, bounds in (
                ("hip", "knee", (lo, hi)),
                ("knee", "ankle", (lo, hi)),
                ("ankle", "heel", (0.0, 0.5 * hi)),
                ("ankle", "toe", (0.0, 0.5 * hi)),
            ):
                if candidate[leg[lower]] and self.ok[leg[upper]]:
                    d = float(length(self.xy[leg[lower]] - self.xy[leg[upper]]))
                    self.ok[leg[lower]] = bounds[0] <= d <= bounds[1]

    def has(self, *lms: Landmark) -> bool:
        return bool(self.ok[list(lms)].all())

    def sees(self, *lms: Landmark) -> bool:
        return bool(self.seen[list(lms)].all())

    def inferred(self, *lms: Landmark) -> list[Landmark]:
        return [lm for lm in lms if self.ok[lm] and not self.seen[lm]]

    def missing(self, *lms: Landmark) -> str:
        hidden = [lm.name.lower().replace("_", " ") for lm in lms if not self.ok[lm]]
        return ", ".join(hidden) + (" hidden or out of frame" if hidden else "")

    def confidence(self, *lms: Landmark) -> float:
        return float(self.conf[list(lms)].min())


@dataclass(frozen=True)
class Legs:
    """The front and rear leg of one frame, joint by joint (``LEG``-style dicts)."""

    front: dict[str, Landmark]
    rear: dict[str, Landmark]

    @property
    def front_side(self) -> str:
        """The front knee's anatomical side, as the model labels it."""
        return "left" if self.front["knee"] == LEG["left"]["knee"] else "right"


def _forward_first(j: Joints, part: str, f: float) -> tuple[Landmark, Landmark] | None:
    """(the forward one, the other) of the two ``part`` joints along facing sign ``f``."""
    a, b = LEG["left"][part], LEG["right"][part]
    if not j.has(a, b):
        return None
    return (a, b) if f * (j.xy[a, 0] - j.xy[b, 0]) >= 0 else (b, a)


def _foot_of(j: Joints, ankle: Landmark) -> dict[str, Landmark]:
    """The heel and toe points that belong with ``ankle``: the pair nearer to it."""
    best = min(
        SIDES,
        key=lambda s: (
            float(length(j.xy[LEG[s]["heel"]] - j.xy[ankle]))
            + float(length(j.xy[LEG[s]["toe"]] - j.xy[ankle]))
        ),
    )
    return {"heel": LEG[best]["heel"], "toe": LEG[best]["toe"]}


def assign_legs(j: Joints, facing: str, front_side: str | None = None) -> Legs | None:
    """Front and rear leg by where the joints are: the knee further forward is the front knee,
    the ankle further forward the front ankle, each foot goes with its nearer ankle, and each
    knee keeps its own hip. With ``front_side`` given (the side settled over time) and the
    knees level along x (within ``[landmarks] legs_level_knees_thighs``), that side's labels
    decide.
    """
    f = sign(facing)
    knees = _forward_first(j, "knee", f)
    if knees is None:
        if front_side is None:
            return None
        return Legs(dict(LEG[front_side]), dict(LEG[other(front_side)]))
    front_knee, rear_knee = knees
    thigh = _thigh_px(j)
    if (
        front_side is not None
        and thigh
        and abs(j.xy[front_knee, 0] - j.xy[rear_knee, 0]) < j.cfg.legs_level_knees_thighs * thigh
    ):
        front_knee, rear_knee = LEG[front_side]["knee"], LEG[other(front_side)]["knee"]
    sides = {"front": "left" if front_knee == LEG["left"]["knee"] else "right"}
    sides["rear"] = other(sides["front"])
    legs: dict[str, dict[str, Landmark]] = {}
    ankles = _forward_first(j, "ankle", f)
    for role, knee in (("front", front_knee), ("rear", rear_knee)):
        side = sides[role]
        leg = dict(LEG[side])
        leg["knee"] = knee
        if ankles is not None:
            leg["ankle"] = ankles[0] if role == "front" else ankles[1]
            if j.has(
                LEG["left"]["heel"], LEG["right"]["heel"], LEG["left"]["toe"], LEG["right"]["toe"]
            ):
                leg.update(_foot_of(j, leg["ankle"]))
        if not j.has(leg["hip"]) and j.has(LEG[other(side)]["hip"]):
            leg["hip"] = LEG[other(side)]["hip"]  # in a side view both hips project together
        legs[role] = leg
    return Legs(legs["front"], legs["rear"])


def _thigh_px(j: Joints) -> float | None:
    lengths = [
        float(length(j.xy[LEG[s]["knee"]] - j.xy[LEG[s]["hip"]]))
        for s in SIDES
        if j.has(LEG[s]["knee"], LEG[s]["hip"])
    ]
    value = float(np.mean(lengths)) if lengths else 0.0
    return value if value > 1e-6 else None


def facing_from_legs(j: Joints) -> str | None:
    """The facing a lunge's legs show: from the lower (rear) knee toward the higher one, or None
    when the knees show no lunge (standing, walking, kneeling on both knees, a front view):
    the rear knee must be ``legs_knee_drop_thighs`` below the front one and the knees
    ``legs_knee_split_thighs`` apart along x (``[landmarks]``, in thigh lengths).

    Unlike the face, this survives arms overhead, a back-bend with the head thrown back and
    hands over the knee, which is why a lunge decides by it first.
    """
    a, b = LEG["left"]["knee"], LEG["right"]["knee"]
    thigh = _thigh_px(j)
    if not j.has(a, b) or thigh is None:
        return None
    rear, front = (a, b) if j.xy[a, 1] > j.xy[b, 1] else (b, a)
    drop = (j.xy[rear, 1] - j.xy[front, 1]) / thigh
    dx = (j.xy[front, 0] - j.xy[rear, 0]) / thigh
    if drop < j.cfg.legs_knee_drop_thighs or abs(dx) < j.cfg.legs_knee_split_thighs:
        return None
    return "right" if dx > 0 else "left"
