"""Lighting: one directional key light, a sky/floor hemisphere ambient and a weak fill from
the camera, plus an optional soft highlight. Lambert shading is enough for a pose model: what
it needs is that limbs read as rounded volumes and that overlapping limbs differ in shade.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from tools.synth.camera import Camera


@dataclass(frozen=True)
class Light:
    direction: tuple[float, float, float] = (0.4, 0.8, 0.6)  # world, toward the light
    key: float = 0.62
    ambient: float = 0.45
    fill: float = 0.15
    level: float = 1.0  # overall exposure: < 1 dim room, > 1 bright
    tint: tuple[float, float, float] = (1.0, 1.0, 1.0)

    def in_camera(self, cam: Camera) -> CamLight:
        d = np.asarray(self.direction, float)
        d /= np.linalg.norm(d)
        return CamLight(
            cam.dir_to_cam(d).astype(np.float32),
            cam.dir_to_cam(np.array([0.0, 1.0, 0.0])).astype(np.float32),
            self.key,
            self.ambient,
            self.fill,
            self.level * np.asarray(self.tint, np.float32),
        )

    def to_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class CamLight:
    L: np.ndarray  # unit vector toward the light, camera frame
    up: np.ndarray  # world up in the camera frame
    key: float
    ambient: float
    fill: float
    gain: np.ndarray  # per-channel exposure x tint


def sample_light(rng: np.random.Generator) -> Light:
    az = rng.uniform(-2.5, 2.5)
    el = rng.uniform(0.5, 1.2)
    d = (np.cos(el) * np.sin(az), np.sin(el), np.cos(el) * np.cos(az))
    warm = rng.uniform(-0.08, 0.08)
    return Light(
        direction=tuple(float(v) for v in d),
        key=float(rng.uniform(0.45, 0.75)),
        ambient=float(rng.uniform(0.35, 0.55)),
        level=float(rng.uniform(0.7, 1.15)),
        tint=(1.0 + warm, 1.0, 1.0 - warm),
    )


def shade(n, albedo, light: CamLight, view=None, spec=0.0) -> np.ndarray:
    """Colours (N, 3) uint8 for unit normals ``n`` (N, 3, camera frame) and albedo 0-255.

    ``spec`` is a highlight strength, one number or one per pixel (N,).
    """
    n = np.asarray(n, np.float32)
    ndl = np.maximum(n @ light.L, 0.0)
    hemi = 0.6 + 0.4 * (n @ light.up)
    k = light.ambient * hemi + light.key * ndl
    if view is not None:
        ndv = np.maximum((n * view).sum(-1), 0.0)
        k = k + light.fill * ndv
    c = np.asarray(albedo, np.float32) * (k[:, None] * light.gain[None, :])
    spec = np.asarray(spec, np.float32)
    if view is not None and spec.max(initial=0.0) > 0.0:
        h = light.L[None, :] + view
        h /= np.linalg.norm(h, axis=-1, keepdims=True)
        c += (spec * 255.0 * np.maximum((n * h).sum(-1), 0.0) ** 24)[..., None]
    return np.clip(c, 0, 255).astype(np.uint8)
