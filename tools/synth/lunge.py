"""Lunge parameters -> a ``BodyPose`` that respects the floor contacts.

A kneeling lunge has the front foot flat on the floor and the rear knee on (or a set height
above) the floor. Those two contacts tie the pelvis height to both legs, so of the three
quantities front knee angle, front shin angle and rear-knee lift, exactly one must be left
``None`` and is derived here (closed form, no search). Trunk lean, rear hip extension and
pelvic tilt are always exact. The front ankle is planted at x = 0 of the body frame.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import numpy as np

from tools.synth.body import Build
from tools.synth.kinematics import BodyPose, LegAngles, leg_chain, rot_z

SIDES = ("left", "right")


def other(side: str) -> str:
    return "right" if side == "left" else "left"


@dataclass(frozen=True)
class LungeParams:
    """The form parameters of one held lunge (degrees, metres)."""

    trunk_lean_deg: float = 0.0  # + = shoulders ahead of the hips
    front_knee_deg: float | None = 90.0  # interior hip-knee-ankle angle of the front leg
    front_shin_deg: float | None = None  # shin from vertical, + = knee ahead of the ankle
    rear_knee_lift_m: float | None = 0.0  # rear knee above its kneeling contact (0 = down)
    rear_hip_ext_deg: float = 20.0  # + = rear thigh behind the trunk line
    pelvic_tilt_deg: float = 4.0  # + = anterior tilt (PSIS -> ASIS below horizontal)
    lateral_bend_deg: float = 0.0  # + = trunk bends away from the stretched (rear) leg
    front_heel_lift_deg: float = 0.0  # front heel raised, pivoting on the toe
    front_leg: str = "right"
    arms: str = "thigh"
    head_pitch_deg: float = 0.0

    def with_(self, **kw) -> LungeParams:
        return replace(self, **kw)

    @property
    def stretched_side(self) -> str:
        return other(self.front_leg)

    def to_dict(self) -> dict:
        return asdict(self)


def blend_params(a: LungeParams, b: LungeParams, w: float) -> LungeParams:
    """Linear blend of the numeric fields (``None`` stays ``None``); discrete fields from b."""
    out = {}
    for k, va in asdict(a).items():
        vb = getattr(b, k)
        if isinstance(va, (int, float)) and isinstance(vb, (int, float)) and not isinstance(va, bool):
            out[k] = (1 - w) * va + w * vb
        elif va is None or vb is None:
            if (va is None) != (vb is None):
                raise ValueError(f"cannot blend {k}: derived in one pose and set in the other")
            out[k] = None
        else:
            out[k] = vb
    return LungeParams(**out)


def _foot_ankle_height(b: Build, pitch_deg: float) -> float:
    """Ankle height when the foot, pitched by ``pitch_deg``, rests on its toe (or is flat)."""
    toe = rot_z(-pitch_deg) @ np.array([b.toe_centre[0], b.toe_centre[1], 0.0])
    return b.toe_radius - toe[1]


def _toe_contact_pitch(b: Build, ankle_y: float, toes_back: bool) -> float:
    """Foot pitch that puts the toe cap on the floor for a given ankle height.

    ``x sin p - y cos p = ankle_y - r`` has two roots: toes forward and down (standing on
    the ball, heel up) or toes pointing back (kneeling on the top of the foot).
    """
    x, y = b.toe_centre
    rhs = ankle_y - b.toe_radius
    amp, phi = math.hypot(x, y), math.atan2(-y, x)
    s = max(-1.0, min(1.0, rhs / amp))
    p = (math.pi - math.asin(s) if toes_back else math.asin(s)) - phi
    return math.degrees(p)


def lunge_pose(b: Build, p: LungeParams) -> BodyPose:
    """The BodyPose of lunge ``p``: contacts exact, one of knee/shin/lift derived."""
    derived = [k for k in ("front_knee_deg", "front_shin_deg", "rear_knee_lift_m") if getattr(p, k) is None]
    if len(derived) != 1:
        raise ValueError("exactly one of front_knee_deg, front_shin_deg, rear_knee_lift_m must be None")
    lt, ls = b.thigh, b.shin
    ankle_y = _foot_ankle_height(b, p.front_heel_lift_deg)
    rear_thigh = -p.trunk_lean_deg - p.rear_hip_ext_deg  # from docs/measurements.md, f = +1
    K, s, lift = p.front_knee_deg, p.front_shin_deg, p.rear_knee_lift_m
    if lift is not None:
        hip_y = b.knee_contact_height + lift + lt * math.cos(math.radians(rear_thigh))
        target = hip_y - ankle_y  # vertical hip -> ankle drop the front leg must span
        if s is None:
            # lt*cos(alpha) + ls*cos(s) with alpha = 180 - K - s, written as R cos(s - phi)
            k = math.radians(K)
            a_, b_ = ls - lt * math.cos(k), lt * math.sin(k)
            R, phi = math.hypot(a_, b_), math.atan2(b_, a_)
            if abs(target) > R:
                raise ValueError(f"front knee {K} deg cannot reach the floor from hip height {hip_y:.3f} m")
            s = math.degrees(phi - math.acos(target / R))
        else:
            c = (ls * math.cos(math.radians(s)) - target) / lt
            if abs(c) > 1:
                raise ValueError(f"front shin {s} deg cannot reach the floor from hip height {hip_y:.3f} m")
            K = math.degrees(math.acos(c)) - s
    else:
        front_thigh = 180.0 - K - s
        hip_y = ankle_y + ls * math.cos(math.radians(s)) + lt * math.cos(math.radians(front_thigh))
        lift = hip_y - b.knee_contact_height - lt * math.cos(math.radians(rear_thigh))
        if lift < -1e-9:
            raise ValueError(f"rear knee would be {-lift:.3f} m below the floor")
    front = LegAngles(180.0 - K - s, 180.0 - K, p.front_heel_lift_deg)
    rear = _rear_leg(b, rear_thigh, b.knee_contact_height + lift)
    legs = {p.front_leg: front, other(p.front_leg): rear}
    # Plant the front ankle at x = 0: the hip sits behind it by the front leg's reach.
    knee_dx = lt * math.sin(math.radians(front.thigh_deg))
    ankle_dx = ls * math.sin(math.radians(front.thigh_deg - front.knee_flex_deg))
    bend_sign = 1.0 if p.stretched_side == "left" else -1.0  # away from the rear leg
    return BodyPose(
        root_x=-(knee_dx + ankle_dx),
        root_y=hip_y,
        pelvic_tilt_deg=p.pelvic_tilt_deg,
        trunk_lean_deg=p.trunk_lean_deg,
        bend_right_deg=bend_sign * p.lateral_bend_deg,
        legs=legs,
        arms=p.arms,
        head_pitch_deg=p.head_pitch_deg,
    )


def _rear_leg(b: Build, thigh_deg: float, knee_y: float) -> LegAngles:
    """Rear shin and foot for a rear knee at ``knee_y``.

    Knee down: the shin lies back along the floor and the foot rests on its top (toes
    pointing back). Knee lifted: the person stands on the ball of the rear foot, heel up.
    """
    kneeling = knee_y < b.knee_contact_height + 0.03 * b.height
    ankle_y = (0.045 if kneeling else 0.085) * b.height
    c = max(-1.0, min(1.0, (knee_y - ankle_y) / b.shin))
    shin = -math.degrees(math.acos(c))  # pointing back from the knee
    pitch = _toe_contact_pitch(b, knee_y - b.shin * c, toes_back=kneeling)
    return LegAngles(thigh_deg, thigh_deg - shin, pitch)


def standing_pose(b: Build, front_leg: str = "right", arms: str = "down") -> BodyPose:
    """Upright standing, feet together under the hips, front ankle at x = 0."""
    legs = {s: LegAngles(0.0, 0.0, 0.0) for s in SIDES}
    return BodyPose(
        root_x=0.0,
        root_y=b.ankle_height + b.shin + b.thigh,
        pelvic_tilt_deg=10.0,
        trunk_lean_deg=0.0,
        legs=legs,
        arms=arms,
    )


def kneeling_pose(b: Build, arms: str = "chest") -> BodyPose:
    """Upright on both knees (tall kneeling): thighs vertical, shins back along the floor,
    feet on their tops. The start of the kneeling lunge, and its neutral-pelvis calibration:
    the hips are about where they will be in the stretch, unlike standing."""
    leg = _rear_leg(b, 0.0, b.knee_contact_height)
    return BodyPose(
        root_x=0.0,
        root_y=b.knee_contact_height + b.thigh,
        pelvic_tilt_deg=10.0,
        trunk_lean_deg=0.0,
        legs={s: leg for s in SIDES},
        arms=arms,
    )


def ground(b: Build, pose: BodyPose) -> BodyPose:
    """Move the body vertically so that its lowest contact point touches the floor.

    Contacts: heel and toe caps of both shoes, and each knee. For poses from ``lunge_pose``
    this changes nothing; for blends between poses it keeps the body on the floor.
    """
    hip = np.array([pose.root_x, pose.root_y, 0.0])
    lowest = math.inf
    for side in SIDES:
        pts = leg_chain(b, hip, pose.legs[side])
        lowest = min(
            lowest,
            pts["heel_c"][1] - b.heel_radius,
            pts["toe_c"][1] - b.toe_radius,
            pts["knee"][1] - b.knee_contact_height,
        )
    return replace(pose, root_y=pose.root_y - lowest)


def front_ankle_x(b: Build, pose: BodyPose) -> float:
    hip = np.array([pose.root_x, pose.root_y, 0.0])
    return max(leg_chain(b, hip, pose.legs[s])["ankle"][0] for s in SIDES)
