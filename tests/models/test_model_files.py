"""The committed model bundles are the bytes that ``models/SHA256SUMS`` names.

Why: a bundle truncated by a bad checkout, a Git LFS pointer left in its place, or a local
rebuild that drifted would otherwise surface later as an obscure MediaPipe error or, worse,
as subtly different landmarks.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
SUMS = MODELS_DIR / "SHA256SUMS"


def _expected() -> dict[str, str]:
    pairs = (line.split() for line in SUMS.read_text().splitlines() if line.strip())
    return {name: digest for digest, name in pairs}


def test_sums_list_every_variant():
    variants = ("lite", "full", "heavy")
    assert sorted(_expected()) == sorted(
        [f"pose_landmarker_{v}.task" for v in variants]  # MediaPipe bundles
        + ["pose_detector.onnx"]  # ONNX Runtime backend: one detector, and per variant
        + [f"pose_landmarks_detector_{v}.onnx" for v in variants]  # a landmark model
        + [f"pose_segmentation_{v}.onnx" for v in variants])  # and its mask head


@pytest.mark.parametrize("name", sorted(_expected()))
def test_bundle_matches_sha256sums(name):
    path = MODELS_DIR / name
    assert path.is_file(), f"{path} missing; run `python models/build_models.py`"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == _expected()[name], (
        f"{path} is corrupted or was rebuilt differently (sha256 {digest}); restore it with "
        "`git checkout -- models/` or rebuild with `python models/build_models.py` "
        "(.task) / `python models/build_onnx.py` (.onnx)")
