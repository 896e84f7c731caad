"""The body's surface: a skeleton -> shaded primitives (round cones and ellipsoids).

Each primitive is a tuple in the body frame:
  ("rc", pa, pb, ra, rb, material)      round cone (tapered capsule) from pa to pb
  ("el", centre, axes, radii, material) ellipsoid; ``axes`` rows are its unit axes
Materials are names ("skin", "shirt", ...) that the renderer looks up in the person's
appearance.

Torso parts are attached to the segment they move with: buttocks and lower belly to the
pelvis (so pelvic tilt rotates them about the hip axis), the waist to the two lumbar chords
(so the lower-back outline follows the lordosis), the chest to the thorax. That is what lets a
body-outline method see pelvic tilt in the rendered image.
"""

from __future__ import annotations

import numpy as np

from tools.synth.head import head_primitives
from tools.synth.kinematics import SIDES, Skeleton


def _el(centre, frame, radii, mat):
    """Ellipsoid with axes = columns of ``frame`` (fwd, up, right) and radii in that order."""
    return ("el", np.asarray(centre, float), np.asarray(frame, float).T, np.asarray(radii, float), mat)


def _rc(pa, pb, ra, rb, mat):
    return ("rc", np.asarray(pa, float), np.asarray(pb, float), float(ra), float(rb), mat)


RIGHT = np.array([0.0, 0.0, 1.0])


def _along(frame_up_vec, lateral=RIGHT):
    """Frame whose up axis is ``frame_up_vec`` and whose right axis stays near ``lateral``."""
    u = frame_up_vec / np.linalg.norm(frame_up_vec)
    r = lateral - np.dot(lateral, u) * u
    r /= np.linalg.norm(r)
    f = np.cross(u, r)
    return np.column_stack([f, u, r])


LOOSE_GIRTH = 1.3  # loose clothes: cloth radii this much wider than the body beneath


def body_primitives(sk: Skeleton, appearance) -> list[tuple]:
    b, j, fr = sk.build, sk.joints, sk.frames
    H, g, sh = b.height, b.girth, b.shoulder
    sleeve = "shirt" if appearance.long_sleeves else "skin"
    gc = g * (LOOSE_GIRTH if appearance.loose else 1.0)  # the cloth's girth
    P = []
    # --- pelvis: moves with the pelvic tilt -------------------------------------------------
    Rp = fr["pelvis"]
    mh = j["mid_hip"]
    P.append(_el(mh + Rp @ [-0.010 * H, 0.030 * H, 0], Rp, [0.062 * H * gc, 0.060 * H, 0.094 * H * gc], "trousers"))
    P.append(_el(mh + Rp @ [0.028 * H, 0.040 * H, 0], Rp, [0.046 * H * gc, 0.048 * H, 0.080 * H * gc], "trousers"))
    for s, sg in (("left", -1), ("right", 1)):
        c = mh + Rp @ [-0.044 * H * g**0.5, -0.002 * H, sg * 0.040 * H * g]
        P.append(_el(c, Rp, [0.050 * H * gc, 0.058 * H, 0.046 * H * gc], "trousers"))
    # --- waist: follows the two lumbar chords (the lordosis) ----------------------------------
    for lo, hi, key, rad in (
        ("sacrum", "l3", "lumbar_low", [0.057, 0.085, 0.089]),
        ("l3", "t12", "lumbar_high", [0.060, 0.095, 0.088]),
    ):
        R = fr[key]
        c = 0.5 * (j[lo] + j[hi]) + R @ [0.046 * H, 0.0, 0.0]
        P.append(_el(c, R, [rad[0] * H * gc, rad[1] * H, rad[2] * H * gc], "shirt"))
    if appearance.loose:
        # The shirt's hem hangs straight from the chest over the lumbar hollow to the hips.
        Rt0 = fr["thorax"]
        c = 0.5 * (j["t12"] + j["sacrum"]) + Rt0 @ [0.040 * H, -0.02 * H, 0.0]
        P.append(_el(c, Rt0, [0.066 * H * gc, 0.12 * H, 0.090 * H * gc], "shirt"))
    # --- chest and shoulder girdle -----------------------------------------------------------
    Rt = fr["thorax"]
    P.append(_el(j["t12"] + Rt @ [0.050 * H, 0.50 * b.thoracic, 0], Rt, [0.068 * H * gc, 0.110 * H, 0.092 * H * gc * sh], "shirt"))
    P.append(_el(j["c7"] + Rt @ [0.018 * H, -0.030 * H, 0], Rt, [0.052 * H * gc, 0.045 * H, 0.105 * H * sh], "shirt"))
    for s in SIDES:
        P.append(_el(j[f"{s}_shoulder"], Rt, [0.032 * H * gc, 0.030 * H * gc, 0.030 * H * gc], "shirt"))
    # --- neck and head -------------------------------------------------------------------
    P.append(_rc(j["neck_base"] - 0.02 * H * Rt[:, 1], j["head_pivot"], 0.030 * H * g**0.5, 0.027 * H, "skin"))
    P.extend(head_primitives(sk, appearance))
    # --- arms ------------------------------------------------------------------------------
    for s in SIDES:
        sh_, el_, wr, hd = (j[f"{s}_{n}"] for n in ("shoulder", "elbow", "wrist", "hand"))
        P.append(_rc(sh_, el_, 0.025 * H * gc, 0.019 * H * gc, "shirt"))
        gs = gc if appearance.long_sleeves else g
        P.append(_rc(el_, wr, 0.019 * H * gs, 0.0135 * H * gs, sleeve))
        hand_dir = hd - wr
        lateral = np.array([0.0, 0.0, 1.0 if s == "right" else -1.0])
        Rh = _along(hand_dir, np.cross(hand_dir, lateral) + 1e-6)
        P.append(_el(0.5 * (wr + hd), Rh, [0.013 * H, 0.5 * np.linalg.norm(hand_dir), 0.026 * H], "skin"))
    # --- legs --------------------------------------------------------------------------------
    for s in SIDES:
        hip, knee, ankle = (j[f"{s}_{n}"] for n in ("hip", "knee", "ankle"))
        Rth = fr[f"{s}_thigh"]
        P.append(_rc(hip, knee, 0.050 * H * gc, 0.031 * H * gc, "trousers"))
        P.append(_el(hip + 0.42 * (knee - hip) + Rth @ [0.004 * H, 0, 0], Rth, [0.052 * H * gc, 0.125 * H, 0.050 * H * gc], "trousers"))
        P.append(_el(knee, Rth, [0.034 * H * gc**0.5, 0.036 * H, 0.033 * H * gc**0.5], "trousers"))
        Rsh = fr[f"{s}_shin"]
        P.append(_rc(knee, ankle, 0.030 * H * gc, 0.019 * H * gc**0.5, "trousers"))
        calf = knee + 0.30 * (ankle - knee) + Rsh @ [-0.012 * H, 0, 0]
        P.append(_el(calf, Rsh, [0.034 * H * gc, 0.088 * H, 0.032 * H * gc], "trousers"))
        P.extend(_shoe(sk, s))
    return P


def _shoe(sk: Skeleton, s: str) -> list[tuple]:
    b, j = sk.build, sk.joints
    H = b.height
    Rf = sk.frames[f"{s}_foot"]
    ankle, heel_c, toe_c = j[f"{s}_ankle"], j[f"{s}_heel_c"], j[f"{s}_toe_c"]
    out = [_rc(heel_c, toe_c, b.heel_radius, b.toe_radius, "shoe")]
    # The upper: a wide ellipsoid over the midfoot, so the shoe is as wide as a foot.
    mid = ankle + Rf @ [0.040 * H, -0.016 * H, 0]
    out.append(_el(mid, Rf, [0.062 * H, 0.019 * H, 0.027 * H], "shoe"))
    out.append(_el(ankle + Rf @ [-0.004 * H, 0.004 * H, 0], Rf, [0.026 * H, 0.024 * H, 0.024 * H], "shoe"))
    sole_c = 0.5 * (heel_c + toe_c) + Rf @ [0, -0.010 * H, 0]
    out.append(_el(sole_c, Rf, [0.075 * H, 0.008 * H, 0.026 * H], "sole"))
    return out


def primitives_to_world(prims: list[tuple], R_wb: np.ndarray, t_wb: np.ndarray) -> list[tuple]:
    """Body-frame primitives -> world frame (rotation ``R_wb``, translation ``t_wb``)."""
    out = []
    for p in prims:
        if p[0] == "rc":
            out.append(("rc", R_wb @ p[1] + t_wb, R_wb @ p[2] + t_wb, p[3], p[4], p[5]))
        else:
            out.append(("el", R_wb @ p[1] + t_wb, p[2] @ R_wb.T, p[3], p[4]))
    return out


def body_to_world(facing: str, offset_x: float, offset_z: float = 0.0):
    """(R, t) placing the body frame in the world: forward = +x (facing right) or -x."""
    if facing == "right":
        R = np.eye(3)
    else:  # 180 deg about the vertical: forward -> -x, right -> -z
        R = np.diag([-1.0, 1.0, -1.0])
    return R, np.array([offset_x, 0.0, offset_z])

