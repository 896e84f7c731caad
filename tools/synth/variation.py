"""Nuisance parameters of one clip, all drawn from its seed: who (build, clothes), how they
hold their arms, the exact form values (jittered inside their band), the room, the light and
the camera. The same seed always gives the same clip.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from tools.synth.appearance import Appearance, sample_appearance
from tools.synth.body import BUILDS, Build
from tools.synth.camera import Camera
from tools.synth.kinematics import forward_kinematics
from tools.synth.lunge import LungeParams, lunge_pose
from tools.synth.render import CameraFx
from tools.synth.room import Room, sample_room
from tools.synth.scenarios import Scenario, jittered
from tools.synth.shading import Light, sample_light
from tools.synth.stickers import StickerSpec
from tools.synth.truth import NEUTRAL_TILT_DEG


@dataclass
class Passerby:
    build: Build
    appearance: Appearance
    z: float  # depth of the walking line (behind the main person)
    x_start: float
    direction: float  # +1 walks toward +x
    t_start: float
    speed: float


@dataclass
class Setup:
    seed: int
    build: Build
    appearance: Appearance
    hold: LungeParams
    fault: LungeParams | None
    room: Room
    light: Light
    camera: Camera
    fx: CameraFx
    offset_x: float  # world x of the body frame origin (centres the held lunge)
    passerby: Passerby | None = None
    neutral_tilt_deg: float = NEUTRAL_TILT_DEG  # the relaxed standing pelvis (calibration)
    stickers: StickerSpec | None = None


def _centre_offset(build: Build, hold: LungeParams, facing: str) -> float:
    """World x for the body origin that centres the held lunge in the frame."""
    sk = forward_kinematics(build, lunge_pose(build, hold))
    xs = [sk[k][0] for k in sk.joints if not k.startswith(("asis", "psis"))]
    mid = 0.5 * (max(xs) + min(xs))
    return -mid if facing == "right" else mid


def sample_setup(sc: Scenario, seed: int, size: tuple[int, int] = (640, 480)) -> Setup:
    rng = np.random.default_rng(seed)
    build = BUILDS[sorted(BUILDS)[int(rng.integers(len(BUILDS)))]]
    appearance = sample_appearance(rng)
    if sc.loose_clothes:
        appearance = replace(appearance, loose=True)
    arms = sc.hold.arms
    if sc.arm_choices is not None:
        arms = sc.arm_choices[int(rng.integers(len(sc.arm_choices)))]
    elif arms == "thigh":  # the default: vary it
        arms = ["thigh", "thigh", "hips", "down"][int(rng.integers(4))]
    hold = jittered(sc.hold, sc.jitter, rng).with_(arms=arms)
    fault = jittered(sc.fault, sc.jitter, rng).with_(arms=arms) if sc.fault else None
    room = sample_room(rng)
    if sc.passerby:
        room.wall_dist = float(rng.uniform(2.3, 2.8))
        room.boxes = [b for b in room.boxes if b.kind in ("skirting", "picture", "window", "door", "mat")]
    light = sample_light(rng)
    dist = float(rng.uniform(2.7, 3.8))
    cam_h = float(rng.uniform(0.5, 1.3))
    yaw = math.radians(sc.yaw_deg)
    sx = 1.0 if sc.facing == "right" else -1.0  # swing toward the person's front
    camera = Camera(
        width=size[0],
        height=size[1],
        hfov_deg=float(rng.uniform(55.0, 68.0)),
        position=(sx * dist * math.sin(yaw), cam_h, dist * math.cos(yaw)),
        target=(0.0, float(rng.uniform(0.7, 0.85)), 0.0),
    )
    fx = CameraFx(blur_sigma=float(rng.uniform(0.4, 0.8)), noise_sigma=float(rng.uniform(1.5, 4.0)), seed=seed)
    setup = Setup(seed, build, appearance, hold, fault, room, light, camera, fx, _centre_offset(build, hold, sc.facing))
    if sc.passerby:
        direction = 1.0 if rng.random() < 0.5 else -1.0
        setup.passerby = Passerby(
            build=BUILDS[sorted(BUILDS)[int(rng.integers(len(BUILDS)))]],
            appearance=sample_appearance(rng),
            z=-room.wall_dist + 1.1,
            x_start=-direction * 3.2,
            direction=direction,
            t_start=float(rng.uniform(0.8, 1.6)),
            speed=float(rng.uniform(1.1, 1.4)),
        )
    # Drawn last, so scenarios without them keep every earlier draw (and their clips).
    if sc.neutral_jitter is not None:
        setup.neutral_tilt_deg = NEUTRAL_TILT_DEG + float(rng.uniform(*sc.neutral_jitter))
    if sc.tilt_from_neutral:
        n = setup.neutral_tilt_deg
        setup.hold = setup.hold.with_(pelvic_tilt_deg=n + setup.hold.pelvic_tilt_deg)
        if setup.fault is not None:
            setup.fault = setup.fault.with_(pelvic_tilt_deg=n + setup.fault.pelvic_tilt_deg)
        setup.offset_x = _centre_offset(build, setup.hold, sc.facing)
    if sc.stickers:
        setup.stickers = StickerSpec()
        setup.appearance = _not_sticker_coloured(setup.appearance, setup.stickers.colour)
    return setup


def _not_sticker_coloured(app: Appearance, sticker) -> Appearance:
    """Clothes of the stickers' hue would hide them (a clinician picks contrasting stickers):
    replace such a shirt or trousers with the first listed colour far from the sticker's."""
    from dataclasses import replace

    from tools.synth.appearance import SHIRT_COLOURS, TROUSER_COLOURS

    def close(c) -> bool:
        return float(np.linalg.norm(np.asarray(c, float) - np.asarray(sticker, float))) < 140.0 or \
            (c[1] > c[0] + 30 and c[1] > c[2] + 10)

    shirt = app.shirt if not close(app.shirt) else next(c for c in SHIRT_COLOURS if not close(c))
    trousers = app.trousers if not close(app.trousers) else next(c for c in TROUSER_COLOURS if not close(c))
    return replace(app, shirt=shirt, trousers=trousers)
