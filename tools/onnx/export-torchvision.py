#!/usr/bin/python3
"""Exports torchvision networks to ONNX with seeded random weights, in ONNX's test layout.

Needs Debian's python3-torch and python3-torchvision (run with /usr/bin/python3); nothing is
downloaded (weights=None). For each network and opset it writes

    MODEL_DIR/<name>-opset<N>/model.onnx
    MODEL_DIR/<name>-opset<N>/test_data_set_0/input_0.pb   (seeded input, float32, batch 1)
    MODEL_DIR/<name>-opset<N>/test_data_set_0/output_0.pb  (PyTorch's float32 output)
    MODEL_DIR/<name>-opset<N>/reference64/test_data_set_0/  (the same input; the output of the same
                                                             network run in float64, rounded to float32)
    MODEL_DIR/<name>-opset<N>/bound.txt                     (the bound for jdnn onnx verify, see below)

The model is exported in eval mode with a dynamic batch axis ("batch") on its input and output.
The float64 output is a second reference: e_torch = max|float32 - float64| / max|float64| is
PyTorch's own float32 error on this network and input. jdnn's bound against PyTorch's float32 output
is derived from it: allowing jdnn's float32 error against the float64 truth to be up to 10 times
PyTorch's own (the factor of 10 ErrorBounds leaves over observed errors), the triangle inequality
gives |jdnn - torch32| <= 10 e_torch + e_torch = 11 e_torch, written to bound.txt. Both data sets
are checked by tools/onnx/zoo-verify.sh: against float64 within 10 e_torch, against PyTorch's
float32 within 11 e_torch.

    /usr/bin/python3 tools/onnx/export-torchvision.py [--out target/onnx-zoo] [--opsets 13,17]
        [--models resnet18,mobilenet_v2,...] [--seed 1] [--size 224]
"""
import argparse
import os
import sys

import torch
import torchvision
from onnx import numpy_helper

# name -> constructor (weights=None everywhere: random initialisation, no download)
MODELS = {
    "resnet18": lambda: torchvision.models.resnet18(weights=None),
    "resnet50": lambda: torchvision.models.resnet50(weights=None),
    "mobilenet_v2": lambda: torchvision.models.mobilenet_v2(weights=None),
    "mobilenet_v3_small": lambda: torchvision.models.mobilenet_v3_small(weights=None),
    "googlenet": lambda: torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=True),
    "shufflenet_v2_x1_0": lambda: torchvision.models.shufflenet_v2_x1_0(weights=None),
    "squeezenet1_1": lambda: torchvision.models.squeezenet1_1(weights=None),
    "densenet121": lambda: torchvision.models.densenet121(weights=None),
    "alexnet": lambda: torchvision.models.alexnet(weights=None),
    "vgg11": lambda: torchvision.models.vgg11(weights=None),
}
DEFAULT = ["resnet18", "mobilenet_v2", "googlenet", "shufflenet_v2_x1_0", "squeezenet1_1",
           "densenet121", "alexnet", "mobilenet_v3_small"]


def randomize_batch_norm(model, generator):
    """Fresh torchvision batch norms are identities (mean 0, var 1); random statistics exercise folding."""
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            c = m.num_features
            m.running_mean.copy_(torch.randn(c, generator=generator) * 0.1)
            m.running_var.copy_(torch.rand(c, generator=generator) * 0.5 + 0.75)
            m.weight.data.copy_(torch.rand(c, generator=generator) * 0.5 + 0.75)
            m.bias.data.copy_(torch.randn(c, generator=generator) * 0.1)


def save(tensor, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(tensor.detach().cpu().numpy()).SerializeToString())


def export(name, opset, out, seed, size):
    torch.manual_seed(seed)
    model = MODELS[name]()
    randomize_batch_norm(model, torch.Generator().manual_seed(seed + 1))
    model.eval()
    x = torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(seed + 2)) * 2 - 1
    folder = os.path.join(out, f"{name}-opset{opset}")
    os.makedirs(folder, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(model, x, os.path.join(folder, "model.onnx"), opset_version=opset,
                          input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                          do_constant_folding=True)
        y32 = model(x)
        y64 = model.double()(x.double())
    save(x, os.path.join(folder, "test_data_set_0", "input_0.pb"))
    save(y32, os.path.join(folder, "test_data_set_0", "output_0.pb"))
    save(x, os.path.join(folder, "reference64", "test_data_set_0", "input_0.pb"))
    save(y64.float(), os.path.join(folder, "reference64", "test_data_set_0", "output_0.pb"))
    err = ((y32.double() - y64).abs().max() / y64.abs().max()).item()
    with open(os.path.join(folder, "bound.txt"), "w") as f:
        f.write(f"{11 * err:.3g} {10 * err:.3g}\n")
    print(f"{name} opset {opset}: {folder}  torch float32 vs float64: {err:.3g}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join("target", "onnx-zoo"))
    parser.add_argument("--opsets", default="13,17")
    parser.add_argument("--models", default=",".join(DEFAULT),
                        help="comma-separated; known: " + ",".join(MODELS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", type=int, default=224)
    args = parser.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    for name in args.models.split(","):
        if name not in MODELS:
            sys.exit(f"unknown model {name}; known: {','.join(MODELS)}")
        for opset in (int(o) for o in args.opsets.split(",")):
            export(name, opset, args.out, args.seed, args.size)


if __name__ == "__main__":
    main()
