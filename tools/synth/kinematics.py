"""Forward kinematics: a ``BodyPose`` (angles) -> joint centres and segment frames.

Body frame (metres): x = forward (the way the person faces), y = up (floor at y = 0),
z = the person's right. It is right-handed: forward x up = right.

The pelvis rotates about the hip axis (the line through both hip joint centres), so pelvic
tilt never moves the hip joint centres: this is why hip keypoints cannot measure tilt. The
lumbar spine starts at the sacrum in a direction fixed to the pelvis and bends back to the
thorax, so anterior tilt deepens the lumbar curve (lordosis), as in real bodies. The thorax
direction is solved so that the mid-hip -> mid-shoulder line has exactly the requested trunk
lean and lateral bend: those two are the truth definitions of docs/measurements.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from tools.synth.body import Build

Vec = NDArray[np.float64]
SIDES = ("left", "right")
UP = np.array([0.0, 1.0, 0.0])

# Direction of the first lumbar chord (S1 -> L3) relative to the pelvis "up" axis, in degrees
# forward. With tilt ~10 deg (a typical neutral standing pelvis) the chord leans ~22 deg
# forward and the lumbar spine curves back to the thorax: a normal lordosis.
SACRAL_CHORD_DEG = 12.0
# How much of the sacrum-to-thorax angle each lumbar chord keeps (lower chord, upper chord).
LUMBAR_WEIGHTS = (0.72, 0.30)


@dataclass(frozen=True)
class LegAngles:
    """One leg in the sagittal plane (degrees).

    thigh_deg: direction hip -> knee from straight down, + = forward.
    knee_flex_deg: 0 = straight; the shin direction is ``thigh_deg - knee_flex_deg``.
    foot_pitch_deg: sole against the floor, 0 = flat, + = toes down (heel up).
    """

    thigh_deg: float = 0.0
    knee_flex_deg: float = 0.0
    foot_pitch_deg: float = 0.0


@dataclass(frozen=True)
class BodyPose:
    """Everything that places the body. Angles in degrees, positions in metres."""

    root_x: float = 0.0  # mid-hip, forward along the body frame
    root_y: float = 0.9  # mid-hip height above the floor
    pelvic_tilt_deg: float = 10.0  # + = anterior (front of the pelvis down)
    trunk_lean_deg: float = 0.0  # mid-hip -> mid-shoulder from vertical, + = forward
    bend_right_deg: float = 0.0  # same line in the frontal plane, + = toward the right
    legs: dict[str, LegAngles] = field(
        default_factory=lambda: {s: LegAngles() for s in SIDES}
    )
    arms: str = "down"  # down | hips | thigh | knee | chest | overhead | overhead_left | overhead_right | swing
    arm_swing_deg: float = 0.0  # walking: left arm forward by this much, right arm back
    arms_from: str | None = None  # while changing arm style: the old style...
    arm_mix: float = 1.0  # ...and how far (0 = old style, 1 = ``arms``) the change has gone
    head_pitch_deg: float = 0.0  # + = chin down

    def with_(self, **kw) -> BodyPose:
        return replace(self, **kw)


@dataclass
class Skeleton:
    """Joint centres (body frame) and segment rotation matrices (columns fwd, up, right)."""

    build: Build
    joints: dict[str, Vec]
    frames: dict[str, NDArray[np.float64]]

    def __getitem__(self, name: str) -> Vec:
        return self.joints[name]


def rot_z(deg: float) -> NDArray[np.float64]:
    """Rotation about the body's lateral (z) axis; + turns forward toward up."""
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def sagittal_dir(deg_from_down: float) -> Vec:
    """Unit vector pointing ``deg`` forward of straight down."""
    a = math.radians(deg_from_down)
    return np.array([math.sin(a), -math.cos(a), 0.0])


FORWARD = np.array([1.0, 0.0, 0.0])


def frame_from_up(up: Vec, forward_hint: Vec = FORWARD) -> NDArray[np.float64]:
    """Rotation matrix (columns fwd, up, right) whose up axis is ``up``."""
    u = up / np.linalg.norm(up)
    f = forward_hint - np.dot(forward_hint, u) * u
    f /= np.linalg.norm(f)
    r = np.cross(f, u)
    return np.column_stack([f, u, r])


def foot_points(b: Build, ankle: Vec, pitch_deg: float, z: float) -> dict[str, Vec]:
    """Heel centre, toe centre, heel back and toe tip of a foot pitched by ``pitch_deg``."""
    R = rot_z(-pitch_deg)
    out = {}
    for name, (x, y) in (
        ("heel_c", b.heel_centre),
        ("toe_c", b.toe_centre),
        ("toe", b.toe_tip),
        ("heel", (b.heel_centre[0] - b.heel_radius * 0.9, b.heel_centre[1] - b.heel_radius * 0.4)),
    ):
        p = ankle + R @ np.array([x, y, 0.0])
        p[2] = z
        out[name] = p
    return out


def leg_chain(b: Build, hip: Vec, leg: LegAngles) -> dict[str, Vec]:
    knee = hip + b.thigh * sagittal_dir(leg.thigh_deg)
    ankle = knee + b.shin * sagittal_dir(leg.thigh_deg - leg.knee_flex_deg)
    return {"knee": knee, "ankle": ankle, **foot_points(b, ankle, leg.foot_pitch_deg, hip[2])}


def _spine(b: Build, pose: BodyPose, mid_hip: Vec, R_pelvis, tau: float, lam: float):
    """Spine points for thorax angles ``tau`` (sagittal) and ``lam`` (frontal)."""
    sac = mid_hip + R_pelvis @ np.array([b.sacrum[0], b.sacrum[1], 0.0])
    sigma = SACRAL_CHORD_DEG + pose.pelvic_tilt_deg  # lumbar start direction, from vertical
    a1 = tau + LUMBAR_WEIGHTS[0] * (sigma - tau)
    a2 = tau + LUMBAR_WEIGHTS[1] * (sigma - tau)
    l3 = sac + 0.5 * b.lumbar * np.array([math.sin(math.radians(a1)), math.cos(math.radians(a1)), 0.0])
    t12 = l3 + 0.5 * b.lumbar * np.array([math.sin(math.radians(a2)), math.cos(math.radians(a2)), 0.0])
    d3 = np.array([math.tan(math.radians(tau)), 1.0, math.tan(math.radians(lam))])
    R_thorax = frame_from_up(d3)
    c7 = t12 + b.thoracic * R_thorax[:, 1]
    off = b.shoulder_offset
    mid_sh = c7 + R_thorax @ np.array([off[0], off[1], 0.0])
    return sac, l3, t12, c7, mid_sh, R_thorax, (a1, a2)


def _solve_thorax(b: Build, pose: BodyPose, mid_hip: Vec, R_pelvis):
    """Thorax angles that give the requested lean and bend of mid-hip -> mid-shoulder.

    Lean depends almost only on the sagittal angle and bend on the frontal one, so each is
    solved by its own secant iteration; 4-6 spine evaluations reach 1e-9 deg.
    """

    def errors(tau: float, lam: float) -> tuple[float, float]:
        *_, mid_sh, _, _ = _spine(b, pose, mid_hip, R_pelvis, tau, lam)
        v = mid_sh - mid_hip
        return (pose.trunk_lean_deg - math.degrees(math.atan2(v[0], v[1])),
                pose.bend_right_deg - math.degrees(math.atan2(v[2], v[1])))

    x0 = [pose.trunk_lean_deg, pose.bend_right_deg]
    e0 = list(errors(*x0))
    x1 = [x0[0] + 1.3 * e0[0], x0[1] + 1.3 * e0[1]]
    for _ in range(30):
        e1 = list(errors(*x1))
        if abs(e1[0]) < 1e-9 and abs(e1[1]) < 1e-9:
            break
        x2 = []
        for i in (0, 1):
            de = e1[i] - e0[i]
            step = -e1[i] * (x1[i] - x0[i]) / de if abs(de) > 1e-15 else 1.3 * e1[i]
            x2.append(x1[i] + step)
        x0, e0, x1 = x1, e1, x2
    return x1[0], x1[1]


def _arm_ik(shoulder: Vec, target: Vec, upper: float, fore: float, pole: Vec):
    """Two-link IK: elbow and wrist reaching toward ``target``, elbow toward ``pole``."""
    d_vec = target - shoulder
    d = float(np.linalg.norm(d_vec))
    u = d_vec / max(d, 1e-9)
    d = min(max(d, 0.35 * (upper + fore)), 0.995 * (upper + fore))
    x = (upper**2 - fore**2 + d**2) / (2 * d)
    h = math.sqrt(max(upper**2 - x**2, 0.0))
    p = pole - np.dot(pole, u) * u
    n = np.linalg.norm(p)
    p = p / n if n > 1e-9 else np.cross(u, [0.0, 0.0, 1.0])
    elbow = shoulder + u * x + p * h
    wrist = shoulder + u * d
    return elbow, wrist


def _arm_target(b: Build, pose: BodyPose, style: str, side: str, j: dict[str, Vec], R_thorax) -> tuple[Vec, Vec]:
    """(wrist target, elbow pole) for one arm in arm style ``style``."""
    h = b.height
    sgn = 1.0 if side == "right" else -1.0  # +z is the right side
    lateral = np.array([0.0, 0.0, sgn])
    sh = j[f"{side}_shoulder"]
    if style == "hips":
        hip = j[f"{side}_hip"]
        target = hip + np.array([0.0, 0.075 * h, sgn * 0.085 * h * b.girth])
        return target, lateral * 1.0 + np.array([-0.6, 0.0, 0.0])
    if style == "thigh":
        # Both hands rest on the front thigh just behind the knee.
        front = max(SIDES, key=lambda s: j[f"{s}_ankle"][0])
        knee, hip = j[f"{front}_knee"], j[f"{front}_hip"]
        target = knee + 0.28 * (hip - knee) + np.array([0.0, 0.05 * h, 0.0])
        target[2] = knee[2] + sgn * 0.035 * h * b.girth
        return target, lateral * 0.8 + np.array([-0.3, 0.0, 0.0])
    if style == "knee":
        # Both hands resting on top of the front knee, one over the other: they hide the knee
        # from the camera, as in a therapist's demo of the stretch.
        front = max(SIDES, key=lambda s: j[f"{s}_ankle"][0])
        knee = j[f"{front}_knee"]
        target = knee + np.array([0.02 * h, 0.035 * h, 0.0])
        target[2] = knee[2] + sgn * 0.045 * h * b.girth
        return target, lateral * 0.8 + np.array([-0.3, 0.0, 0.0])
    if style == "overhead":
        # Both arms reaching up and back with the thorax, as in a back-bend.
        target = sh + R_thorax @ np.array([-0.03 * h, 0.34 * h, sgn * 0.03 * h])
        return target, lateral
    if style == "chest":
        # Forearms folded across the chest: the calibration stance that keeps both arms off
        # the lower back's outline (an arm hanging at the side covers the lumbar hollow).
        target = j["mid_shoulder"] + R_thorax @ np.array([0.10 * h, -0.11 * h, -sgn * 0.06 * h])
        return target, R_thorax @ np.array([0.3, -1.0, sgn * 0.6])
    if style == f"overhead_{side}":
        target = sh + R_thorax @ np.array([0.02 * h, 0.33 * h, -sgn * 0.05 * h])
        return target, lateral + np.array([0.0, 0.0, 0.0])
    swing = pose.arm_swing_deg * (1.0 if side == "left" else -1.0) if style == "swing" else 0.0
    reach = 0.96 * (b.upper_arm + b.forearm)
    target = sh + reach * sagittal_dir(swing + 6.0) + lateral * 0.02 * h
    return target, np.array([-1.0, 0.0, 0.0]) + lateral * 0.3


def forward_kinematics(b: Build, pose: BodyPose) -> Skeleton:
    h = b.height
    j: dict[str, Vec] = {}
    fr: dict[str, NDArray[np.float64]] = {}
    mid_hip = np.array([pose.root_x, pose.root_y, 0.0])
    R_pelvis = rot_z(-pose.pelvic_tilt_deg)
    j["mid_hip"], fr["pelvis"] = mid_hip, R_pelvis
    for side, sgn in (("left", -1.0), ("right", 1.0)):
        hip = mid_hip + np.array([0.0, 0.0, sgn * b.hip_width / 2])
        j[f"{side}_hip"] = hip
        for lm, (x, y) in (("asis", b.asis), ("psis", b.psis)):
            j[f"{side}_{lm}"] = mid_hip + R_pelvis @ np.array([x, y, sgn * 0.06 * h])
        leg = leg_chain(b, hip, pose.legs[side])
        for k, v in leg.items():
            j[f"{side}_{k}"] = v
        fr[f"{side}_thigh"] = frame_from_up(hip - leg["knee"])
        fr[f"{side}_shin"] = frame_from_up(leg["knee"] - leg["ankle"])
        fr[f"{side}_foot"] = rot_z(-pose.legs[side].foot_pitch_deg)

    tau, lam = _solve_thorax(b, pose, mid_hip, R_pelvis)
    sac, l3, t12, c7, mid_sh, R_thorax, (a1, a2) = _spine(b, pose, mid_hip, R_pelvis, tau, lam)
    j.update(sacrum=sac, l3=l3, t12=t12, c7=c7, mid_shoulder=mid_sh)
    fr["lumbar_low"], fr["lumbar_high"], fr["thorax"] = rot_z(-a1), rot_z(-a2), R_thorax
    off = b.shoulder_offset
    for side, sgn in (("left", -1.0), ("right", 1.0)):
        j[f"{side}_shoulder"] = c7 + R_thorax @ np.array([off[0], off[1], sgn * off[2]])

    # Neck and head: people keep their gaze level, so the head only half follows the thorax.
    neck_up = 0.5 * R_thorax[:, 1] + 0.5 * UP
    neck_base = c7 + R_thorax @ np.array([0.022 * h, 0.0, 0.0])
    head_pivot = neck_base + b.neck * neck_up / np.linalg.norm(neck_up)
    R_head = rot_z(-pose.head_pitch_deg) @ frame_from_up(0.3 * R_thorax[:, 1] + 0.7 * UP)
    j.update(neck_base=neck_base, head_pivot=head_pivot)
    j["head"] = head_pivot + R_head @ np.array([0.012 * h, 0.042 * h, 0.0])
    fr["head"] = R_head

    for side in SIDES:
        target, pole = _arm_target(b, pose, pose.arms, side, j, R_thorax)
        if pose.arms_from is not None and pose.arm_mix < 1.0:
            t0, p0 = _arm_target(b, pose, pose.arms_from, side, j, R_thorax)
            w = pose.arm_mix
            target, pole = (1 - w) * t0 + w * target, (1 - w) * p0 + w * pole
        elbow, wrist = _arm_ik(j[f"{side}_shoulder"], target, b.upper_arm, b.forearm, pole)
        j[f"{side}_elbow"], j[f"{side}_wrist"] = elbow, wrist
        fore = wrist - elbow
        fore /= np.linalg.norm(fore)
        w = 0.5 if pose.arms in ("thigh", "knee") else 0.0
        if pose.arms_from is not None:
            w = (1 - pose.arm_mix) * (0.5 if pose.arms_from in ("thigh", "knee") else 0.0) + pose.arm_mix * w
        hand_dir = (1 - w) * fore + w * np.array([0.3, -1.0, 0.0])
        j[f"{side}_hand"] = wrist + b.hand * hand_dir / np.linalg.norm(hand_dir)
    return Skeleton(b, j, fr)
