"""A head that a face-based person detector accepts: skull, face, nose, eyes, brows, mouth,
ears and hair, as ellipsoids in the head frame.

BlazePose finds a person by first finding a face-like region, so a plain skin-coloured ball
is not enough: in profile the nose, eye, brow, lips and ear are what make it a face.
Positions are in units of the head radius ``hr`` (half the head's front-to-back length),
head frame x = forward, y = up, z = right. The same points give the truth positions of the
face landmarks (``face_points``).
"""

from __future__ import annotations

import numpy as np

from tools.synth.kinematics import Skeleton

# name: (centre (fwd, up, right), radii (fwd, up, right), material); "±" parts are mirrored.
_PARTS = [
    ("cranium", (-0.05, 0.08, 0.0), (1.00, 0.98, 0.80), "skin"),
    ("face", (0.30, -0.45, 0.0), (0.62, 0.58, 0.60), "skin"),
    ("chin", (0.58, -0.82, 0.0), (0.28, 0.22, 0.34), "skin"),
    ("nose", (0.96, -0.22, 0.0), (0.18, 0.25, 0.12), "skin"),
    ("±sclera", (0.80, 0.02, 0.34), (0.10, 0.07, 0.13), "eye_white"),
    ("±iris", (0.87, 0.02, 0.34), (0.06, 0.06, 0.06), "iris"),
    ("±brow", (0.86, 0.20, 0.33), (0.07, 0.035, 0.15), "brow"),
    ("mouth", (0.86, -0.58, 0.0), (0.08, 0.045, 0.22), "lip"),
    ("±ear", (-0.02, -0.08, 0.78), (0.17, 0.28, 0.08), "skin"),
]
_HAIR = {
    "short": [((-0.14, 0.17, 0.0), (0.98, 0.93, 0.85))],
    "long": [((-0.14, 0.17, 0.0), (1.00, 0.95, 0.87)), ((-0.62, -0.55, 0.0), (0.42, 0.75, 0.62))],
    "bun": [((-0.14, 0.17, 0.0), (0.98, 0.93, 0.85)), ((-0.70, 0.62, 0.0), (0.32, 0.30, 0.30))],
    "bald": [],
}
HAIR_STYLES = tuple(_HAIR)

# Truth points for the face landmarks, in the same units and frame.
_FACE_POINTS = {
    "nose": (1.14, -0.24, 0.0),
    "left_eye": (0.92, 0.02, -0.34),
    "right_eye": (0.92, 0.02, 0.34),
    "left_ear": (-0.02, -0.08, -0.84),
    "right_ear": (-0.02, -0.08, 0.84),
    "mouth_left": (0.84, -0.58, -0.18),
    "mouth_right": (0.84, -0.58, 0.18),
}


def _expand(parts):
    for name, c, r, mat in parts:
        if name.startswith("±"):
            for sg in (-1.0, 1.0):
                yield (c[0], c[1], sg * c[2]), r, mat
        else:
            yield c, r, mat


def head_primitives(sk: Skeleton, appearance) -> list[tuple]:
    R = sk.frames["head"]
    c0 = sk.joints["head"]
    hr = sk.build.head_radius
    out = []
    hair = [(c, r, "hair") for c, r in _HAIR[appearance.hair_style]]
    for c, r, mat in list(_expand(_PARTS)) + hair:
        out.append(("el", c0 + R @ (hr * np.asarray(c)), R.T.copy(), hr * np.asarray(r), mat))
    return out


def face_points(sk: Skeleton) -> dict[str, np.ndarray]:
    R = sk.frames["head"]
    c0 = sk.joints["head"]
    hr = sk.build.head_radius
    return {k: c0 + R @ (hr * np.asarray(v)) for k, v in _FACE_POINTS.items()}
