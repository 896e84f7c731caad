"""A clip's motion: a sequence of segments, each giving the pose and truth phase over time.

Segments: hold a pose (with slow breathing sway), blend between two poses (eased, body kept on
the floor, front foot planted), or walk. Lunge poses come from ``lunge.lunge_pose`` and are
exact; blends and walking are only kept physically plausible, and the truth is still exact
because it is always measured from the joints that were drawn.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields, replace

from tools.synth.body import Build
from tools.synth.kinematics import BodyPose, LegAngles
from tools.synth.lunge import SIDES, front_ankle_x, ground


def ease(w: float) -> float:
    """Smoothstep: motion starts and ends at rest, as people move."""
    w = min(max(w, 0.0), 1.0)
    return w * w * (3 - 2 * w)


def blend_pose(a: BodyPose, b: BodyPose, w: float) -> BodyPose:
    out = {}
    for f in fields(BodyPose):
        va, vb = getattr(a, f.name), getattr(b, f.name)
        if f.name == "legs":
            out["legs"] = {
                s: LegAngles(*[(1 - w) * x + w * y for x, y in zip(
                    (va[s].thigh_deg, va[s].knee_flex_deg, va[s].foot_pitch_deg),
                    (vb[s].thigh_deg, vb[s].knee_flex_deg, vb[s].foot_pitch_deg),
                )])
                for s in SIDES
            }
        elif isinstance(va, float) and isinstance(vb, float):
            out[f.name] = (1 - w) * va + w * vb
        else:
            out[f.name] = vb
    if a.arms != b.arms:
        out["arms_from"], out["arm_mix"] = a.arms, w
    return BodyPose(**out)


PoseFn = Callable[[float], BodyPose]  # local time (s) -> pose


@dataclass
class Segment:
    duration: float
    pose_at: PoseFn
    phase: str  # truth phase while this segment plays
    label: str = ""


class Timeline:
    def __init__(self, build: Build):
        self.build = build
        self.segments: list[Segment] = []

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.segments)

    def end_pose(self) -> BodyPose:
        s = self.segments[-1]
        return s.pose_at(s.duration)

    def hold(self, pose: BodyPose, duration: float, phase: str, label: str = "hold", sway: bool = True):
        t0 = self.duration

        def at(t: float, pose=pose) -> BodyPose:
            if not sway:
                return pose
            # Breathing: ~0.7 deg of trunk and 0.5 deg of pelvis, a 4 s cycle.
            ph = 2 * math.pi * (t + t0) / 4.0
            return replace(
                pose,
                trunk_lean_deg=pose.trunk_lean_deg + 0.7 * math.sin(ph),
                pelvic_tilt_deg=pose.pelvic_tilt_deg + 0.5 * math.sin(ph + 1.0),
            )

        self.segments.append(Segment(duration, at, phase, label))

    def move(self, target: BodyPose, duration: float, phase: str, label: str = "move", pin_front: bool = True):
        start = self.end_pose()
        b = self.build
        x_front = front_ankle_x(b, start)

        def at(t: float) -> BodyPose:
            p = ground(b, blend_pose(start, target, ease(t / duration)))
            if pin_front:  # the front foot stays where it stands
                p = replace(p, root_x=p.root_x + x_front - front_ankle_x(b, p))
            return p

        self.segments.append(Segment(duration, at, phase, label))

    def walk(self, duration: float, phase: str, speed: float = 1.1, label: str = "walk"):
        start = self.end_pose()
        self.segments.append(Segment(duration, walk_fn(self.build, start, speed), phase, label))

    def at(self, t: float) -> tuple[BodyPose, str, str]:
        t0 = 0.0
        for s in self.segments:
            if t < t0 + s.duration or s is self.segments[-1]:
                return s.pose_at(min(t - t0, s.duration)), s.phase, s.label
            t0 += s.duration
        raise ValueError("empty timeline")


def walk_fn(b: Build, start: BodyPose, speed: float) -> PoseFn:
    """A simple gait from a standing start: legs and arms swing in opposition, the stance
    leg carries the body (``ground``), and the amplitude ramps up over the first step."""
    stride_t = 1.1  # seconds per gait cycle (two steps)

    def at(t: float) -> BodyPose:
        ramp = ease(t / 0.5)
        ph = 2 * math.pi * t / stride_t
        legs = {}
        for s, sg in (("left", 1.0), ("right", -1.0)):
            swing = sg * math.sin(ph)
            forward_swing = sg * math.cos(ph) > 0  # this leg is moving forward
            thigh = 22.0 * swing * ramp
            knee = (8.0 + (45.0 * abs(math.cos(ph)) if forward_swing else 0.0)) * ramp
            pitch = max(0.0, -thigh) * 0.9 if not forward_swing else 0.0
            legs[s] = LegAngles(thigh, knee, pitch)
        pose = replace(
            start,
            root_x=start.root_x + speed * max(0.0, t - 0.25),
            legs=legs,
            arms="swing",
            arms_from=None,
            arm_mix=1.0,
            arm_swing_deg=-20.0 * math.sin(ph) * ramp,
            trunk_lean_deg=4.0 * ramp,
            pelvic_tilt_deg=10.0,
        )
        return ground(b, pose)

    return at
