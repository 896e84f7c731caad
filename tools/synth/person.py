"""A person in the world: build + appearance + pose + placement -> skeleton and Figure.

Also the person's true landmark positions (world frame), named like BlazePose's landmarks, so
that a clip can store where each joint really is in the image.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.synth.appearance import Appearance
from tools.synth.body import Build
from tools.synth.head import face_points
from tools.synth.kinematics import BodyPose, Skeleton, forward_kinematics
from tools.synth.render import Figure
from tools.synth.shapes import body_primitives, body_to_world, primitives_to_world
from tools.synth.stickers import StickerSpec, sticker_decals, sticker_points

# BlazePose landmark name -> skeleton point ("hand" is the fingertip: INDEX/PINKY).
LANDMARK_POINTS = {
    "nose": "nose",
    "left_eye": "left_eye",
    "right_eye": "right_eye",
    "left_ear": "left_ear",
    "right_ear": "right_ear",
    "mouth_left": "mouth_left",
    "mouth_right": "mouth_right",
    **{f"{s}_{n}": f"{s}_{n}" for s in ("left", "right") for n in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel")},
    **{f"{s}_foot_index": f"{s}_toe" for s in ("left", "right")},
    **{f"{s}_index": f"{s}_hand" for s in ("left", "right")},
}


@dataclass
class Placement:
    facing: str = "right"  # which image edge the person faces (with the camera on +z)
    x: float = 0.0  # world position of the body frame origin
    z: float = 0.0


@dataclass
class PosedPerson:
    skeleton: Skeleton
    R: np.ndarray  # world <- body rotation
    t: np.ndarray  # world <- body translation

    def world(self, name_or_point) -> np.ndarray:
        p = self.skeleton.joints[name_or_point] if isinstance(name_or_point, str) else name_or_point
        return self.R @ p + self.t

    def landmarks_world(self) -> dict[str, np.ndarray]:
        pts = dict(self.skeleton.joints)
        pts.update(face_points(self.skeleton))
        return {lm: self.R @ pts[src] + self.t for lm, src in LANDMARK_POINTS.items()}


def pose_person(build: Build, pose: BodyPose, place: Placement) -> PosedPerson:
    sk = forward_kinematics(build, pose)
    R, t = body_to_world(place.facing, place.x, place.z)
    return PosedPerson(sk, R, t)


def near_side(facing: str) -> str:
    """The body side facing the camera (which sits on +z): the right side when facing right."""
    return "right" if facing == "right" else "left"


def figure(person: PosedPerson, appearance: Appearance, stickers: StickerSpec | None = None,
           facing: str = "right") -> Figure:
    """The person's primitives; ``stickers`` adds the ASIS/PSIS discs on the camera's side."""
    body = body_primitives(person.skeleton, appearance)
    palette = appearance.palette()
    decals = []
    if stickers is not None:
        points = sticker_points(person.skeleton, body, near_side(facing))
        decals = [(person.world(c), r, m) for c, r, m in sticker_decals(points, stickers)]
        palette["sticker"] = np.array(stickers.colour, float)
    prims = primitives_to_world(body, person.R, person.t)
    j = person.skeleton.joints
    H = person.skeleton.build.height
    casters = []
    for s in ("left", "right"):
        for a, b_, r in (("knee", "ankle", 0.06), ("ankle", "toe", 0.05), ("heel_c", "toe_c", 0.05), ("hip", "knee", 0.08)):
            for w in (0.0, 0.5, 1.0):
                p = (1 - w) * j[f"{s}_{a}"] + w * j[f"{s}_{b_}"]
                casters.append((person.world(p), r * H / 1.75))
    return Figure(prims, palette, casters, decals)
