"""Pick a ``PoseEstimator`` backend by name, and find the model files it needs.

Why: the CLI, the app and the benchmarks choose a backend from a string (a flag, a config
value); keeping that mapping and the model-file locations here means no caller imports a
backend module directly, and a backend's heavy dependency (MediaPipe, ONNX Runtime) is only
imported when that backend is actually asked for.
"""

from __future__ import annotations

from pathlib import Path

from vision.estimator import MODEL_VARIANTS, MODELS_DIR, EstimatorOptions, PoseEstimator

BACKENDS = ("onnx", "mediapipe")


def model_path(variant: str) -> Path:
    """Path of the MediaPipe Tasks bundle for a BlazePose variant, which must exist.

    Why: the bundles are built, not downloaded at run time; a missing one means a checkout
    without them, and the error says how to rebuild rather than failing inside MediaPipe.
    """
    if variant not in MODEL_VARIANTS:
        raise ValueError(f"model variant must be one of {', '.join(MODEL_VARIANTS)}, "
                         f"got {variant!r}")
    path = MODELS_DIR / f"pose_landmarker_{variant}.task"
    if not path.is_file():
        raise FileNotFoundError(
            f"pose model bundle not found: {path}; rebuild it with "
            "`python models/build_models.py` (needs PyPI and npm access once)")
    return path


def create_estimator(backend: str, options: EstimatorOptions) -> PoseEstimator:
    """A ready estimator for ``backend`` (one of ``BACKENDS``) with ``options``."""
    if backend == "mediapipe":
        from vision.mediapipe_estimator import MediaPipeEstimator

        return MediaPipeEstimator(options)
    if backend == "onnx":
        from vision.onnx_estimator import OnnxEstimator

        return OnnxEstimator(options)
    raise ValueError(f"unknown pose backend {backend!r}; choose one of {', '.join(BACKENDS)}")
