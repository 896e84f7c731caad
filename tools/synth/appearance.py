"""How a person looks (skin, hair, clothes) and how it is drawn in colours.

Colours are sRGB 0-255. ``sample_appearance`` draws a plausible outfit from a seeded RNG, so a
clip's look is reproducible from its seed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from tools.synth.head import HAIR_STYLES

SKIN_TONES = [
    (241, 194, 167), (224, 172, 140), (210, 160, 120), (198, 134, 103),
    (170, 115, 85), (141, 85, 60), (110, 70, 50), (88, 58, 42),
]
HAIR_COLOURS = [(35, 25, 20), (60, 40, 25), (95, 65, 40), (150, 110, 70), (200, 170, 110), (120, 120, 120)]
SHIRT_COLOURS = [
    (200, 40, 40), (40, 90, 180), (240, 240, 235), (30, 30, 35), (60, 140, 80),
    (230, 170, 40), (130, 60, 150), (120, 130, 140), (240, 120, 150), (60, 170, 190),
]
TROUSER_COLOURS = [(30, 30, 40), (50, 60, 90), (70, 70, 75), (110, 90, 70), (20, 20, 22), (90, 100, 120)]
SHOE_COLOURS = [(240, 240, 240), (30, 30, 30), (200, 60, 50), (60, 80, 160), (150, 150, 150)]


@dataclass(frozen=True)
class Appearance:
    skin: tuple[int, int, int] = SKIN_TONES[1]
    hair: tuple[int, int, int] = HAIR_COLOURS[1]
    hair_style: str = "short"
    shirt: tuple[int, int, int] = SHIRT_COLOURS[1]
    trousers: tuple[int, int, int] = TROUSER_COLOURS[0]
    shoe: tuple[int, int, int] = SHOE_COLOURS[0]
    long_sleeves: bool = False
    # A loose shirt and baggy trousers: the cloth stands off the body, hides the limbs' and
    # the lower back's contours, and drapes over the waist.
    loose: bool = False

    def palette(self) -> dict[str, np.ndarray]:
        skin = np.array(self.skin, float)
        lip = skin * np.array([0.78, 0.52, 0.52]) + np.array([30, 0, 5])
        return {
            "skin": skin,
            "hair": np.array(self.hair, float),
            "brow": np.array(self.hair, float) * 0.8,
            "shirt": np.array(self.shirt, float),
            "trousers": np.array(self.trousers, float),
            "shoe": np.array(self.shoe, float),
            "sole": np.array(self.shoe, float) * 0.55 + 60,
            "eye_white": np.array([235.0, 232.0, 225.0]),
            "iris": np.array([45.0, 30.0, 25.0]),
            "lip": np.clip(lip, 0, 255),
        }

    def to_dict(self) -> dict:
        return asdict(self)


def _pick(rng: np.random.Generator, seq):
    return seq[int(rng.integers(len(seq)))]


def sample_appearance(rng: np.random.Generator) -> Appearance:
    shirt = _pick(rng, SHIRT_COLOURS)
    trousers = _pick(rng, TROUSER_COLOURS)
    return Appearance(
        skin=_pick(rng, SKIN_TONES),
        hair=_pick(rng, HAIR_COLOURS),
        hair_style=_pick(rng, [s for s in HAIR_STYLES if s != "bald"] * 3 + ["bald"]),
        shirt=shirt,
        trousers=trousers,
        shoe=_pick(rng, SHOE_COLOURS),
        long_sleeves=bool(rng.random() < 0.4),
    )
