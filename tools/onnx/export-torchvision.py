#!/usr/bin/python3
"""Exports torchvision networks to ONNX with seeded random weights, in ONNX's test layout.

Needs Debian's python3-torch and python3-torchvision (run with /usr/bin/python3); nothing is
downloaded (weights=None). Besides torchvision's networks, googlenet_lrn is Inception v1 as the paper
and Caffe's bvlc_googlenet have it (with LRN; torchvision's googlenet has batch norm instead), written
here in PyTorch (GoogLeNetLrn). For each network and opset it writes

    MODEL_DIR/<name>-opset<N>/model.onnx
    MODEL_DIR/<name>-opset<N>/test_data_set_0/input_0.pb   (seeded input, float32, batch 1)
    MODEL_DIR/<name>-opset<N>/test_data_set_0/output_0.pb  (PyTorch's float32 output)
    MODEL_DIR/<name>-opset<N>/reference64/test_data_set_0/  (the same input; the output of the same
                                                             network run in float64, rounded to float32)
    MODEL_DIR/<name>-opset<N>/bound.txt                     (the bound for jdnn onnx verify, see below)

The model is exported in eval mode with a dynamic batch axis ("batch") on its input and output; where
torch.onnx refuses that at an opset, with the batch fixed at 1 (the refusal in static-batch.txt), and
where it refuses that too, the folder holds only export-error.txt (both refusals).
The float64 output is a second reference: e_torch = max|float32 - float64| / max|float64| is
PyTorch's own float32 error on this network and input. jdnn's bound against PyTorch's float32 output
is derived from it: allowing jdnn's float32 error against the float64 truth to be up to 10 times
PyTorch's own (the factor of 10 ErrorBounds leaves over observed errors), the triangle inequality
gives |jdnn - torch32| <= 10 e_torch + e_torch = 11 e_torch, written to bound.txt. Both data sets
are checked by tools/onnx/zoo-verify.sh: against float64 within 10 e_torch, against PyTorch's
float32 within 11 e_torch.

    /usr/bin/python3 tools/onnx/export-torchvision.py [--out target/onnx-zoo] [--opsets 9-17]
        [--models resnet18,mobilenet_v2,...] [--seed 1] [--size 224]
"""
import argparse
import copy
import os
import shutil
import sys

import torch
import torchvision
from onnx import numpy_helper

class _LrnFunction(torch.autograd.Function):
    """torch.nn.functional.local_response_norm, exported as ONNX's LRN node.

    torch 1.13 traces torch.nn.LocalResponseNorm into its decomposition (Pow, 3-D AveragePool, If, ...);
    this symbolic writes the one LRN node the network has. Same formula: ONNX's LRN and PyTorch's both
    divide x by (k + alpha / size * sum of squares over size neighbouring channels) ** beta.
    """

    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        return torch.nn.functional.local_response_norm(x, size, alpha, beta, k)

    @staticmethod
    def symbolic(g, x, size, alpha, beta, k):
        return g.op("LRN", x, size_i=size, alpha_f=alpha, beta_f=beta, bias_f=k)


class Lrn(torch.nn.Module):
    """Local response normalization across channels (Caffe's LRN, ONNX's LRN)."""

    def __init__(self, size=5, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, x):
        return _LrnFunction.apply(x, self.size, self.alpha, self.beta, self.k)


def _conv(cin, cout, kernel, stride=1, pad=0):
    return [torch.nn.Conv2d(cin, cout, kernel, stride, pad), torch.nn.ReLU(inplace=True)]


class _Inception(torch.nn.Module):
    """The paper's inception module: 1x1 | 1x1 -> 3x3 | 1x1 -> 5x5 | maxpool 3x3/1 -> 1x1, concatenated."""

    def __init__(self, cin, c1, c3r, c3, c5r, c5, pool):
        super().__init__()
        self.b1 = torch.nn.Sequential(*_conv(cin, c1, 1))
        self.b3 = torch.nn.Sequential(*_conv(cin, c3r, 1), *_conv(c3r, c3, 3, pad=1))
        self.b5 = torch.nn.Sequential(*_conv(cin, c5r, 1), *_conv(c5r, c5, 5, pad=2))
        self.bp = torch.nn.Sequential(torch.nn.MaxPool2d(3, 1, 1, ceil_mode=True), *_conv(cin, pool, 1))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b3(x), self.b5(x), self.bp(x)], 1)


class GoogLeNetLrn(torch.nn.Module):
    """Inception v1 as in Szegedy et al. 2014 (table 1) and Caffe's bvlc_googlenet, with its two LRNs.

    torchvision's googlenet has batch norm in place of LRN and 3x3 convolutions in the "5x5" branches;
    this is the paper's network: biased convolutions and ReLUs, LRN(5, 1e-4, 0.75, 1) after pool1 and
    after conv2, ceil-mode max pools, 5x5 branches, global average pool, dropout 0.4, fc 1000.
    """

    TABLE1 = [  # in, 1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool proj (the paper's table 1)
        ("3a", 192, 64, 96, 128, 16, 32, 32), ("3b", 256, 128, 128, 192, 32, 96, 64), "pool",
        ("4a", 480, 192, 96, 208, 16, 48, 64), ("4b", 512, 160, 112, 224, 24, 64, 64),
        ("4c", 512, 128, 128, 256, 24, 64, 64), ("4d", 512, 112, 144, 288, 32, 64, 64),
        ("4e", 528, 256, 160, 320, 32, 128, 128), "pool",
        ("5a", 832, 256, 160, 320, 32, 128, 128), ("5b", 832, 384, 192, 384, 48, 128, 128)]

    def __init__(self, classes=1000):
        super().__init__()
        layers = [*_conv(3, 64, 7, 2, 3), torch.nn.MaxPool2d(3, 2, ceil_mode=True), Lrn(),
                  *_conv(64, 64, 1), *_conv(64, 192, 3, pad=1), Lrn(), torch.nn.MaxPool2d(3, 2, ceil_mode=True)]
        for row in self.TABLE1:
            layers.append(torch.nn.MaxPool2d(3, 2, ceil_mode=True) if row == "pool" else _Inception(*row[1:]))
        self.features = torch.nn.Sequential(*layers)
        self.pool = torch.nn.AdaptiveAvgPool2d(1)
        self.dropout = torch.nn.Dropout(0.4)
        self.fc = torch.nn.Linear(1024, classes)
        for m in self.modules():  # He initialisation keeps the activations' scale through 22 ReLU layers
            if isinstance(m, torch.nn.Conv2d):
                torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                torch.nn.init.uniform_(m.bias, -0.1, 0.1)

    def forward(self, x):
        return self.fc(self.dropout(torch.flatten(self.pool(self.features(x)), 1)))


# Inputs are uniform in [-1, 1) times this (default 1): googlenet_lrn takes Caffe's range (pixel values
# minus the mean, about +-128), where LRN's alpha/size * sum of squares is of order 1, not 1e-4.
INPUT_SCALE = {"googlenet_lrn": 128.0}

# name -> constructor (weights=None everywhere: random initialisation, no download)
MODELS = {
    "resnet18": lambda: torchvision.models.resnet18(weights=None),
    "resnet50": lambda: torchvision.models.resnet50(weights=None),
    "mobilenet_v2": lambda: torchvision.models.mobilenet_v2(weights=None),
    "mobilenet_v3_small": lambda: torchvision.models.mobilenet_v3_small(weights=None),
    "googlenet": lambda: torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=True),
    "googlenet_lrn": GoogLeNetLrn,
    "shufflenet_v2_x1_0": lambda: torchvision.models.shufflenet_v2_x1_0(weights=None),
    "squeezenet1_1": lambda: torchvision.models.squeezenet1_1(weights=None),
    "densenet121": lambda: torchvision.models.densenet121(weights=None),
    "alexnet": lambda: torchvision.models.alexnet(weights=None),
    "vgg11": lambda: torchvision.models.vgg11(weights=None),
}
DEFAULT = ["resnet18", "mobilenet_v2", "googlenet", "googlenet_lrn", "shufflenet_v2_x1_0", "squeezenet1_1",
           "densenet121", "alexnet", "vgg11", "mobilenet_v3_small"]


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


def opsets(spec):
    """"9-17" or "9,13,17" -> the list of opsets."""
    result = []
    for part in spec.split(","):
        low, _, high = part.partition("-")
        result.extend(range(int(low), int(high or low) + 1))
    return result


def export(name, opset_list, out, seed, size):
    """Runs the network once in float32 and once in float64, then exports it at each opset.

    An opset torch.onnx cannot export is recorded in <name>-opset<N>/export-error.txt (no model.onnx);
    returns the number of such opsets.
    """
    torch.manual_seed(seed)
    model = MODELS[name]()
    randomize_batch_norm(model, torch.Generator().manual_seed(seed + 1))
    model.eval()
    x = (torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(seed + 2)) * 2 - 1) \
        * INPUT_SCALE.get(name, 1.0)
    with torch.no_grad():
        y32 = model(x)
        y64 = copy.deepcopy(model).double()(x.double())
    err = ((y32.double() - y64).abs().max() / y64.abs().max()).item()
    failed = 0
    for opset in opset_list:
        folder = os.path.join(out, f"{name}-opset{opset}")
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        # With a dynamic batch axis; where torch.onnx refuses that (an op without a symbolic for unknown
        # extents at this opset), again with the batch fixed at 1, the refusal kept in static-batch.txt.
        refusals = []
        for dynamic in ({"input": {0: "batch"}, "output": {0: "batch"}}, None):
            try:
                with torch.no_grad():
                    torch.onnx.export(model, x, os.path.join(folder, "model.onnx"), opset_version=opset,
                                      input_names=["input"], output_names=["output"], dynamic_axes=dynamic,
                                      do_constant_folding=True)
                break
            except Exception as e:  # torch.onnx's refusal
                refusals.append(f"{'dynamic' if dynamic else 'static'} batch: {type(e).__name__}: {e}\n")
                for f in os.listdir(folder):
                    os.remove(os.path.join(folder, f))
        if len(refusals) == 2:
            with open(os.path.join(folder, "export-error.txt"), "w") as f:
                f.writelines(refusals)
            print(f"{name} opset {opset}: not exported: {refusals[0].splitlines()[0][:200]}")
            failed += 1
            continue
        if refusals:
            with open(os.path.join(folder, "static-batch.txt"), "w") as f:
                f.writelines(refusals)
            print(f"{name} opset {opset}: exported with batch 1 fixed: {refusals[0].splitlines()[0][:200]}")
        save(x, os.path.join(folder, "test_data_set_0", "input_0.pb"))
        save(y32, os.path.join(folder, "test_data_set_0", "output_0.pb"))
        save(x, os.path.join(folder, "reference64", "test_data_set_0", "input_0.pb"))
        save(y64.float(), os.path.join(folder, "reference64", "test_data_set_0", "output_0.pb"))
        with open(os.path.join(folder, "bound.txt"), "w") as f:
            f.write(f"{11 * err:.3g} {10 * err:.3g}\n")
        print(f"{name} opset {opset}: {folder}  torch float32 vs float64: {err:.3g}")
    return failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join("target", "onnx-zoo"))
    parser.add_argument("--opsets", default="9-17", help="comma-separated opsets or ranges (9-17)")
    parser.add_argument("--models", default=",".join(DEFAULT),
                        help="comma-separated; known: " + ",".join(MODELS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", type=int, default=224)
    args = parser.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    failed = 0
    for name in args.models.split(","):
        if name not in MODELS:
            sys.exit(f"unknown model {name}; known: {','.join(MODELS)}")
        failed += export(name, opsets(args.opsets), args.out, args.seed, args.size)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
