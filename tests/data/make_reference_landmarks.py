"""Regenerate ``messi5_reference_landmarks.json``, the golden landmarks the estimator tests use.

Why stored rather than recomputed: the test must notice when a change to the estimator, the
model bundles or MediaPipe moves the landmarks. Run it again only on purpose (a new bundle,
a MediaPipe upgrade), look at the result drawn on the image, and commit the JSON with a note:

    python tests/data/make_reference_landmarks.py
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import cv2
import mediapipe

ROOT = Path(__file__).resolve().parents[2]
IMAGE = Path("/usr/share/doc/opencv-doc/examples/data/messi5.jpg")  # Debian opencv-doc
OUT = Path(__file__).with_name("messi5_reference_landmarks.json")


def main() -> None:
    # Imported here, after the path fix, so the script runs from a plain checkout.
    sys.path.insert(0, str(ROOT))
    from vision.estimator import MODEL_VARIANTS, EstimatorOptions
    from vision.mediapipe_estimator import MediaPipeEstimator

    bgr = cv2.imread(str(IMAGE))
    if bgr is None:
        raise SystemExit(f"cannot read {IMAGE}; install Debian's opencv-doc package")
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    variants = {}
    for variant in MODEL_VARIANTS:
        with MediaPipeEstimator(EstimatorOptions(model=variant)) as estimator:
            pose = estimator.estimate(rgb, 0.0)
        if pose.is_empty:
            raise SystemExit(f"{variant}: no person found in {IMAGE}")
        variants[variant] = {
            "xy_px": pose.xy.round(2).tolist(),
            "visibility": pose.visibility.round(4).tolist(),
            "world_m": pose.world.round(4).tolist(),
        }
    text = json.dumps({
        "image": str(IMAGE),
        "image_size": [rgb.shape[1], rgb.shape[0]],
        "how": "first frame of a fresh MediaPipeEstimator (VIDEO mode), timestamp 0.0",
        "mediapipe": mediapipe.__version__,
        "variants": variants,
    }, indent=1)
    # One landmark per line keeps the file short and its diffs readable.
    text = re.sub(r"\[\s*([-0-9.e]+(?:,\s*[-0-9.e]+)*)\s*\]",
                  lambda m: "[" + re.sub(r",\s*", ", ", m.group(1)) + "]", text)
    OUT.write_text(text + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
