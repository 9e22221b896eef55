#!/usr/bin/python3
"""Generates ONNX's backend node tests for the ops jdnn-onnx claims into onnx/src/test/resources/node/.

Needs Debian's python3-onnx (run with /usr/bin/python3). ONNX's generator uses numpy aliases that
numpy 1.24 removed (np.float, np.int, np.bool, np.object): they are aliased to the builtins first.
Only tests whose every node is a claimed op are kept, in ONNX's layout (model.onnx and
test_data_set_N/input_K.pb, output_K.pb); a test importing an opset older than 7 (jdnn loads 7 to
21) is re-tagged as opset 7 when each of its ops has the same definition at 7; tests larger than --max-kb are left out to keep the
repository small. CI does not have python3-onnx: the generated files are committed.

    /usr/bin/python3 tools/onnx/generate-node-tests.py [--out onnx/src/test/resources/node] [--max-kb 256]
"""
import argparse
import os
import shutil
import sys
import tempfile

import numpy as np

for alias, builtin in (("float", float), ("int", int), ("bool", bool), ("object", object)):
    if not hasattr(np, alias):
        setattr(np, alias, builtin)

import onnx  # noqa: E402  (after the numpy aliases)
from onnx.backend.test import cmd_tools  # noqa: E402

# The ops of issue 16 item 1 (keep in step with OpTable.java).
CLAIMED = {
    "Conv", "ConvTranspose", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
    "BatchNormalization", "InstanceNormalization", "LayerNormalization", "GroupNormalization", "LRN",
    "Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "Clip",
    "Softplus", "Gelu", "Softmax", "LogSoftmax", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Sum", "Max",
    "Min", "Concat", "Split", "Slice", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Pad",
    "Resize", "Upsample", "DepthToSpace", "SpaceToDepth", "Dropout", "Identity", "Constant",
    "ConstantOfShape", "Shape", "Gather", "Cast", "ReduceMean",
}


def retag_to_7(path, model):
    """Re-tags a model of opset < 7 as opset 7 when its ops' definitions did not change in between."""
    for imp in model.opset_import:
        if imp.domain in ("", "ai.onnx") and imp.version < 7:
            if all(onnx.defs.get_schema(n.op_type, 7).since_version <= imp.version for n in model.graph.node):
                imp.version = 7
                onnx.save(model, path)
            return


def size_kb(path):
    total = 0
    for root, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="onnx/src/test/resources/node")
    parser.add_argument("--max-kb", type=float, default=256)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cmd_tools.generate_data(argparse.Namespace(output=tmp, op_type=None))
        node_dir = os.path.join(tmp, "node")
        if os.path.exists(args.out):
            shutil.rmtree(args.out)
        os.makedirs(args.out)
        kept, skipped_ops, skipped_size = [], 0, []
        for name in sorted(os.listdir(node_dir)):
            src = os.path.join(node_dir, name)
            model = onnx.load(os.path.join(src, "model.onnx"))
            ops = {n.op_type for n in model.graph.node}
            if not ops or not ops <= CLAIMED or any(n.domain not in ("", "ai.onnx") for n in model.graph.node):
                skipped_ops += 1
                continue
            if size_kb(src) > args.max_kb:
                skipped_size.append(name)
                continue
            shutil.copytree(src, os.path.join(args.out, name))
            retag_to_7(os.path.join(args.out, name, "model.onnx"), model)
            kept.append(name)
        print(f"kept {len(kept)} tests ({size_kb(args.out):.0f} KiB), left out {skipped_ops} with other ops and "
              f"{len(skipped_size)} larger than {args.max_kb:.0f} KiB: {' '.join(skipped_size)}", file=sys.stderr)


if __name__ == "__main__":
    main()
