#!/usr/bin/env python3
"""Writes jdnn-golden/1 files: op cases whose expected outputs PyTorch computes in float64.

The format is shared/golden/FORMAT.md: one JSON document

    {"format": "jdnn-golden/1", "generator": "...", "cases": [
        {"name": ..., "op": ..., "params": {...}, "inputs": [...], "outputs": [...],
         "tensors": {NAME: {"shape": [...], "dtype": "f32" | "f64" | "i64", "data": BASE64}}}]}

where data is the base64 of the elements, row-major, little-endian. Inputs are f32 (labels i64),
expected outputs f64.

Every input is made float32 first and only then widened to float64, and is checked to be exactly
representable in float32 before it is written: the outputs are then exactly what float64 math gives
on the values a float32 device receives. All math runs on the CPU (no cuDNN, no TF32).

Usage:
    python3 tools/golden/generate.py --seed 2 --out file.json
    python3 tools/golden/generate.py --seed 3 --ops conv2d,linear --conv-cases 40 --out conv.json
    python3 tools/golden/generate.py --recompute old.json --out new.json   # same inputs, outputs again
    python3 tools/golden/generate.py --seed 7 --ops layer_norm,cat --conv-cases 0 --other-cases 0 \
        --optimizer-cases 0 --second-cases 5 --out second.json              # the second set (ops_*.py)

Needs PyTorch (any version with label_smoothing in cross_entropy, 1.10 or newer); numpy is not needed.
"""

import argparse
import base64
import json
import random
import struct
import sys
import zlib

torch = None  # imported by load_torch(), so that --help works without PyTorch
F = None
F64 = None

FORMAT = "jdnn-golden/1"


def load_torch():
    global torch, F, F64
    try:
        import torch as t
        import torch.nn.functional as f
    except ImportError:
        sys.exit("generate.py: PyTorch is required (pip install torch, or apt-get install python3-torch)")
    torch, F, F64 = t, f, t.float64


# The ops of FORMAT.md's "Second set of ops" come in families, one module each beside this file:
# tools/golden/ops_<family>.py. A family module defines
#   PARAMS                       {op: [parameter names, in the file's order]}
#   compute(op, params, inputs)  {output name: float64 tensor}, from float64 copies of the inputs
#   random_case(src, op, opts)   (params, inputs) of one random valid case, src a Source (below)
# and may define fixed_cases(src): [(name, op, params, inputs)], named cases of common networks.
# A module may also extend first-set ops with settings the first set does not draw (4-value padding):
#   EXTENDS                      [first-set ops]; random_case draws them too, and compute computes
#   extends(op, params)          True for the cases of those ops its compute must handle
# A module imports torch itself; it is loaded after PyTorch is (load_families). Each family draws
# from a Source of its own, seeded from --seed and the module's name.
FAMILIES = []


def load_families():
    """Imports every tools/golden/ops_*.py, in name order, and adds its ops to PARAMS."""
    import glob
    import importlib.util
    import os
    here = os.path.dirname(os.path.abspath(__file__))
    for path in sorted(glob.glob(os.path.join(here, "ops_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        clash = set(module.PARAMS) & set(PARAMS)
        if clash:
            sys.exit("generate.py: %s defines ops that exist already: %s" % (name, ", ".join(sorted(clash))))
        PARAMS.update(module.PARAMS)
        FAMILIES.append(module)


def family_of(op):
    """The family module that defines op, or None for the first set of ops."""
    for f in FAMILIES:
        if op in f.PARAMS:
            return f
    return None

# The ops of FORMAT.md and the parameter names each takes, in the order the file lists them.
PARAMS = {
    "conv2d": ["stride", "padding", "dilation", "groups"],
    "conv_transpose2d": ["stride", "padding", "output_padding", "dilation", "groups"],
    "max_pool2d": ["kernel", "stride", "padding", "dilation", "ceil_mode"],
    "avg_pool2d": ["kernel", "stride", "padding", "ceil_mode", "count_include_pad"],
    "adaptive_avg_pool2d": ["output_size"],
    "batch_norm_train": ["eps", "momentum"],
    "batch_norm_eval": ["eps", "momentum"],
    "relu": [],
    "leaky_relu": ["negative_slope"],
    "elu": ["alpha"],
    "sigmoid": [],
    "tanh": [],
    "softmax": ["dim"],
    "softmax_cross_entropy": ["reduction", "label_smoothing"],
    "linear": [],
    "sgd": ["lr", "momentum", "dampening", "nesterov", "weight_decay"],
    "adagrad": ["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"],
    "rmsprop": ["lr", "alpha", "eps", "weight_decay", "momentum", "centered"],
    "adam": ["lr", "betas", "eps", "weight_decay", "amsgrad"],
    "adamw": ["lr", "betas", "eps", "weight_decay", "amsgrad"],
    "adadelta": ["lr", "rho", "eps", "weight_decay"],
}
CONV_FAMILY = ["conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d"]
OTHER_FAMILY = ["adaptive_avg_pool2d", "batch_norm_train", "batch_norm_eval", "relu", "leaky_relu", "sigmoid",
                "tanh", "elu", "softmax", "softmax_cross_entropy", "linear"]
OPTIMIZERS = ["sgd", "adagrad", "rmsprop", "adam", "adamw", "adadelta"]
OPTIMIZER_CLASSES = {"sgd": "SGD", "adagrad": "Adagrad", "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW",
                     "adadelta": "Adadelta"}
OPTIMIZER_STEPS = 3
OPTIMIZER_ELEMENTS = 37


# ---------------------------------------------------------------------------------------- encoding

def is_f32(t):
    """True when every element of the float64 tensor t is exactly a float32 value."""
    return bool(torch.equal(t.to(torch.float32).to(F64), t))


def encode(t, dtype):
    """The file's tensor object for t: shape, dtype, base64 of the little-endian elements."""
    flat = t.detach().reshape(-1).tolist()
    if dtype == "f32":
        if not is_f32(t.detach().to(F64)):
            raise ValueError("an f32 input holds values float32 cannot represent exactly")
        data = struct.pack("<%df" % len(flat), *flat)
    elif dtype == "f64":
        data = struct.pack("<%dd" % len(flat), *flat)
    elif dtype == "i64":
        data = struct.pack("<%dq" % len(flat), *[int(v) for v in flat])
    else:
        raise ValueError("dtype: expected f32, f64 or i64, got %r" % dtype)
    return {"shape": list(t.shape), "dtype": dtype, "data": base64.b64encode(data).decode("ascii")}


def decode(obj):
    """A tensor object of the file as a float64 (or int64) CPU tensor."""
    fmt = {"f32": "f", "f64": "d", "i64": "q"}[obj["dtype"]]
    raw = base64.b64decode(obj["data"], validate=True)
    count = len(raw) // struct.calcsize(fmt)
    values = struct.unpack("<%d%s" % (count, fmt), raw)
    dtype = torch.int64 if obj["dtype"] == "i64" else F64
    return torch.tensor(values, dtype=dtype).reshape(obj["shape"])


def make_case(name, op, params, inputs, outputs):
    """A case in the file's layout; inputs and outputs are {name: tensor}, outputs written as f64 (i64 if integer)."""
    tensors = {}
    for k, v in inputs.items():
        tensors[k] = encode(v, "i64" if v.dtype == torch.int64 else "f32")
    for k, v in outputs.items():
        # integer outputs (max_pool2d_with_indices's indices) stay i64, as FORMAT.md gives them
        tensors[k] = encode(v.detach(), "i64") if v.dtype == torch.int64 else encode(v.detach().to(F64), "f64")
    return {"name": name, "op": op, "params": params, "inputs": sorted(inputs), "outputs": sorted(outputs),
            "tensors": tensors}


# ---------------------------------------------------------------------------------------- the ops

def leaf(t):
    return t.detach().clone().to(F64).requires_grad_(True)


def compute(op, params, inputs):
    """Expected outputs of one case, from float64 copies of its inputs, on the CPU."""
    family = family_of(op)
    if family is not None:
        return family.compute(op, params, inputs)
    for f in FAMILIES:
        if op in getattr(f, "EXTENDS", ()) and f.extends(op, params):
            return f.compute(op, params, inputs)
    p = params
    if op in ("conv2d", "conv_transpose2d"):
        x, w = leaf(inputs["x"]), leaf(inputs["w"])
        b = leaf(inputs["b"]) if "b" in inputs else None
        if op == "conv2d":
            y = F.conv2d(x, w, b, stride=p["stride"], padding=p["padding"], dilation=p["dilation"], groups=p["groups"])
        else:
            y = F.conv_transpose2d(x, w, b, stride=p["stride"], padding=p["padding"],
                                   output_padding=p["output_padding"], groups=p["groups"], dilation=p["dilation"])
        y.backward(inputs["dy"].to(F64))
        out = {"y": y, "dx": x.grad, "dw": w.grad}
        if b is not None:
            out["db"] = b.grad
        return out
    if op in ("max_pool2d", "avg_pool2d", "adaptive_avg_pool2d"):
        x = leaf(inputs["x"])
        if op == "max_pool2d":
            y = F.max_pool2d(x, p["kernel"], stride=p["stride"], padding=p["padding"], dilation=p["dilation"],
                             ceil_mode=p["ceil_mode"])
        elif op == "avg_pool2d":
            y = F.avg_pool2d(x, p["kernel"], stride=p["stride"], padding=p["padding"], ceil_mode=p["ceil_mode"],
                             count_include_pad=p["count_include_pad"])
        else:
            y = F.adaptive_avg_pool2d(x, p["output_size"])
        y.backward(inputs["dy"].to(F64))
        return {"y": y, "dx": x.grad}
    if op in ("batch_norm_train", "batch_norm_eval"):
        training = op == "batch_norm_train"
        x, gamma, beta = leaf(inputs["x"]), leaf(inputs["gamma"]), leaf(inputs["beta"])
        running_mean = inputs["running_mean"].to(F64).clone()
        running_var = inputs["running_var"].to(F64).clone()
        y = F.batch_norm(x, running_mean, running_var, gamma, beta, training=training, momentum=p["momentum"],
                         eps=p["eps"])
        y.backward(inputs["dy"].to(F64))
        out = {"y": y, "dx": x.grad, "dgamma": gamma.grad, "dbeta": beta.grad}
        if training:
            dims = [d for d in range(x.dim()) if d != 1]
            xd = x.detach()
            mean = xd.mean(dim=dims)
            var = xd.var(dim=dims, unbiased=False)
            out["running_mean_out"] = running_mean
            out["running_var_out"] = running_var
            out["save_mean"] = mean
            out["save_invstd"] = 1.0 / torch.sqrt(var + p["eps"])
        return out
    if op in ("relu", "leaky_relu", "elu", "sigmoid", "tanh", "softmax"):
        x = leaf(inputs["x"])
        if op == "relu":
            y = F.relu(x)
        elif op == "leaky_relu":
            y = F.leaky_relu(x, p["negative_slope"])
        elif op == "elu":
            y = F.elu(x, p["alpha"])
        elif op == "sigmoid":
            y = torch.sigmoid(x)
        elif op == "tanh":
            y = torch.tanh(x)
        else:
            y = F.softmax(x, dim=p["dim"])
        y.backward(inputs["dy"].to(F64))
        return {"y": y, "dx": x.grad}
    if op == "softmax_cross_entropy":
        logits = leaf(inputs["logits"])
        loss = F.cross_entropy(logits, inputs["target"], reduction=p["reduction"],
                               label_smoothing=p["label_smoothing"])
        loss.backward()
        return {"loss": loss.detach().reshape(1), "dlogits": logits.grad}
    if op == "linear":
        x, w = leaf(inputs["x"]), leaf(inputs["w"])
        b = leaf(inputs["b"]) if "b" in inputs else None
        y = F.linear(x, w, b)
        y.backward(inputs["dy"].to(F64))
        out = {"y": y, "dx": x.grad, "dw": w.grad}
        if b is not None:
            out["db"] = b.grad
        return out
    if op in OPTIMIZERS:
        param = inputs["p0"].to(F64).clone().requires_grad_(True)
        kwargs = dict(p)
        if "betas" in kwargs:
            kwargs["betas"] = tuple(kwargs["betas"])
        opt = getattr(torch.optim, OPTIMIZER_CLASSES[op])([param], **kwargs)
        out = {}
        step = 1
        while "g%d" % step in inputs:
            param.grad = inputs["g%d" % step].to(F64).clone()
            opt.step()
            out["p%d" % step] = param.detach().clone()
            step += 1
        return out
    raise ValueError("unknown op %r" % op)


# ---------------------------------------------------------------------------------------- inputs

class Source:
    """Deterministic parameters (random.Random) and float32 data (torch.Generator) from one seed."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.gen = torch.Generator().manual_seed(seed)

    def randint(self, lo, hi):
        return self.rng.randint(lo, hi)

    def choice(self, values):
        return self.rng.choice(values)

    def normal(self, *shape, scale=1.0, shift=0.0):
        """Normal values made in float32 (scale and shift applied in float32), widened exactly."""
        t = torch.randn(*shape, generator=self.gen, dtype=torch.float32) * scale + shift
        return t.to(F64)

    def uniform(self, lo, hi, *shape):
        t = torch.rand(*shape, generator=self.gen, dtype=torch.float32) * (hi - lo) + lo
        return t.to(F64)

    def labels(self, classes, n):
        return torch.randint(0, classes, (n,), generator=self.gen, dtype=torch.int64)


def conv_out(size, k, s, p, d):
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def conv_transpose_out(size, k, s, p, d, op):
    return (size - 1) * s - 2 * p + d * (k - 1) + op + 1


def pool_out(size, k, s, p, d, ceil):
    """PyTorch's pooling_output_shape."""
    num = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)
    out = num // s + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    return out


def windows_hit(size, k, s, p, d, out):
    """True when every pooling window holds at least one element of the input.

    With dilation a window can fall between the rows (H=1, kernel 3, dilation 2, padding 1 looks at
    rows -1, 1, 3): PyTorch's max_pool2d then returns -inf and its CPU backward writes out of bounds."""
    return all(any(0 <= o * s - p + r * d < size for r in range(k)) for o in range(out))


def conv_inputs(src, op, n, c, h, w, k, r, s, groups, bias, out_hw):
    """x, w, b (if bias) and dy of a conv2d or conv_transpose2d case with c image and k output channels."""
    x = src.normal(n, c, h, w)
    if op == "conv2d":
        weight = src.normal(k, c // groups, r, s)
    else:
        weight = src.normal(c, k // groups, r, s)
    inputs = {"x": x, "w": weight}
    if bias:
        inputs["b"] = src.normal(k)
    inputs["dy"] = src.normal(n, k, out_hw[0], out_hw[1])
    return inputs


def random_conv(src, op, opts):
    """A random valid conv2d or conv_transpose2d case: odd sizes, groups, dilation, asymmetric settings."""
    while True:
        groups = src.choice([1, 1, 2, 3, 4])
        c = groups * src.randint(1, opts.max_channels_per_group)
        k = groups * src.randint(1, opts.max_channels_per_group)
        n = src.randint(1, opts.max_batch)
        h, w = src.randint(1, opts.max_size), src.randint(1, opts.max_size)
        r, s = src.randint(1, 5), src.randint(1, 5)
        stride = [src.randint(1, 3), src.randint(1, 3)]
        dilation = [src.choice([1, 1, 2, 3]), src.choice([1, 1, 2])]
        if op == "conv2d":
            padding = [src.randint(0, (dilation[0] * (r - 1)) // 2 + 2), src.randint(0, (dilation[1] * (s - 1)) // 2 + 2)]
            out = [conv_out(h, r, stride[0], padding[0], dilation[0]), conv_out(w, s, stride[1], padding[1], dilation[1])]
            params = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
        else:
            padding = [src.randint(0, (dilation[0] * (r - 1)) // 2 + 1), src.randint(0, (dilation[1] * (s - 1)) // 2 + 1)]
            output_padding = [src.randint(0, max(stride[0], dilation[0]) - 1), src.randint(0, max(stride[1], dilation[1]) - 1)]
            out = [conv_transpose_out(h, r, stride[0], padding[0], dilation[0], output_padding[0]),
                   conv_transpose_out(w, s, stride[1], padding[1], dilation[1], output_padding[1])]
            params = {"stride": stride, "padding": padding, "output_padding": output_padding, "dilation": dilation,
                      "groups": groups}
        if min(out) < 1 or max(out) > 4 * opts.max_size:
            continue
        return params, conv_inputs(src, op, n, c, h, w, k, r, s, groups, src.randint(0, 2) > 0, out)


def random_pool(src, op, opts):
    """A random valid max_pool2d or avg_pool2d case (ceil mode, padding, dilation for max)."""
    while True:
        kernel = [src.randint(1, 4), src.randint(1, 4)]
        stride = [src.randint(1, 3), src.randint(1, 3)]
        padding = [src.randint(0, kernel[0] // 2), src.randint(0, kernel[1] // 2)]
        dilation = [src.choice([1, 1, 2]), src.choice([1, 1, 2])] if op == "max_pool2d" else [1, 1]
        ceil = src.choice([False, True])
        n, c = src.randint(1, opts.max_batch), src.randint(1, 5)
        h, w = src.randint(1, opts.max_size + 1), src.randint(1, opts.max_size + 1)
        out = [pool_out(h, kernel[0], stride[0], padding[0], dilation[0], ceil),
               pool_out(w, kernel[1], stride[1], padding[1], dilation[1], ceil)]
        if min(out) < 1 or not (windows_hit(h, kernel[0], stride[0], padding[0], dilation[0], out[0])
                                and windows_hit(w, kernel[1], stride[1], padding[1], dilation[1], out[1])):
            continue
        if op == "max_pool2d":
            params = {"kernel": kernel, "stride": stride, "padding": padding, "dilation": dilation, "ceil_mode": ceil}
        else:
            params = {"kernel": kernel, "stride": stride, "padding": padding, "ceil_mode": ceil,
                      "count_include_pad": src.choice([False, True])}
        return params, {"x": src.normal(n, c, h, w), "dy": src.normal(n, c, out[0], out[1])}


def random_other(src, op, opts):
    """A random case of the ops outside the convolution family."""
    if op == "adaptive_avg_pool2d":
        n, c = src.randint(1, opts.max_batch), src.randint(1, 5)
        h, w = src.randint(1, opts.max_size), src.randint(1, opts.max_size)
        size = [src.randint(1, h), src.randint(1, w)]
        return {"output_size": size}, {"x": src.normal(n, c, h, w), "dy": src.normal(n, c, size[0], size[1])}
    if op in ("batch_norm_train", "batch_norm_eval"):
        while True:
            n, c, h, w = src.randint(1, 4), src.randint(1, 5), src.randint(1, 6), src.randint(1, 6)
            # Training needs more than one value per channel; with two, x_hat is +-1 and the input
            # gradient vanishes analytically, leaving only rounding noise to compare. Four or more.
            if op == "batch_norm_eval" or n * h * w >= 4:
                break
        params = {"eps": src.choice([1e-5, 1e-3]) if op == "batch_norm_train" else 1e-5,
                  "momentum": src.choice([0.1, 0.01]) if op == "batch_norm_train" else 0.1}
        return params, {"x": src.normal(n, c, h, w, scale=2.0, shift=0.5), "gamma": src.normal(c), "beta": src.normal(c),
                        "running_mean": src.normal(c, scale=0.5), "running_var": src.uniform(0.5, 1.5, c),
                        "dy": src.normal(n, c, h, w)}
    if op in ("relu", "leaky_relu", "elu", "sigmoid", "tanh", "softmax"):
        shape = (src.randint(1, 4), src.randint(2, 9))
        params = {}
        if op == "leaky_relu":
            params = {"negative_slope": src.choice([0.01, 0.2])}
        elif op == "elu":
            params = {"alpha": src.choice([1.0, 0.5])}
        elif op == "softmax":
            params = {"dim": 1}
        scale = 3.0 if op != "softmax" else 2.0
        return params, {"x": src.normal(*shape, scale=scale), "dy": src.normal(*shape)}
    if op == "softmax_cross_entropy":
        n, k = src.randint(1, 6), src.randint(2, 6)
        return ({"reduction": "mean", "label_smoothing": src.choice([0.0, 0.0, 0.1])},
                {"logits": src.normal(n, k, scale=2.0), "target": src.labels(k, n)})
    if op == "linear":
        n, i, o = src.randint(1, 5), src.randint(1, 9), src.randint(1, 6)
        inputs = {"x": src.normal(n, i), "w": src.normal(o, i)}
        if src.randint(0, 3) > 0:
            inputs["b"] = src.normal(o)
        inputs["dy"] = src.normal(n, o)
        return {}, inputs
    raise ValueError("unknown op %r" % op)


def random_optimizer(src, op):
    """Hyper-parameters that exercise each rule's branches (momentum, nesterov, centered, AMSGrad, decay)."""
    if op == "sgd":
        momentum = src.choice([0.0, 0.9])
        nesterov = momentum > 0 and src.choice([False, True])
        params = {"lr": src.choice([0.01, 0.1]), "momentum": momentum,
                  "dampening": 0.0 if nesterov else src.choice([0.0, 0.1]), "nesterov": nesterov,
                  "weight_decay": src.choice([0.0, 0.01])}
    elif op == "adagrad":
        params = {"lr": src.choice([0.01, 0.1]), "lr_decay": src.choice([0.0, 0.01]),
                  "weight_decay": src.choice([0.0, 0.01]), "initial_accumulator_value": src.choice([0.0, 0.1]),
                  "eps": 1e-10}
    elif op == "rmsprop":
        params = {"lr": src.choice([0.001, 0.01]), "alpha": src.choice([0.9, 0.99]), "eps": 1e-8,
                  "weight_decay": src.choice([0.0, 0.01, 0.1]), "momentum": src.choice([0.0, 0.9]),
                  "centered": src.choice([False, True])}
    elif op in ("adam", "adamw"):
        params = {"lr": src.choice([0.001, 0.01]), "betas": src.choice([[0.9, 0.999], [0.8, 0.99], [0.9, 0.99]]),
                  "eps": src.choice([1e-8, 1e-6]), "weight_decay": src.choice([0.0, 0.01, 0.1]),
                  "amsgrad": src.choice([False, True])}
    else:
        params = {"lr": src.choice([0.5, 1.0]), "rho": src.choice([0.9, 0.95]), "eps": 1e-6,
                  "weight_decay": src.choice([0.0, 0.01])}
    inputs = {"p0": src.normal(OPTIMIZER_ELEMENTS)}
    for k in range(1, OPTIMIZER_STEPS + 1):
        inputs["g%d" % k] = src.normal(OPTIMIZER_ELEMENTS)
    return params, inputs


def fixed_cases(src):
    """The named cases every file starts with: the layers of common networks."""
    def conv(name, op, n, c, h, w, k, r, s, params, bias=True):
        if op == "conv2d":
            out = [conv_out(h, r, params["stride"][0], params["padding"][0], params["dilation"][0]),
                   conv_out(w, s, params["stride"][1], params["padding"][1], params["dilation"][1])]
        else:
            out = [conv_transpose_out(h, r, params["stride"][0], params["padding"][0], params["dilation"][0],
                                      params["output_padding"][0]),
                   conv_transpose_out(w, s, params["stride"][1], params["padding"][1], params["dilation"][1],
                                      params["output_padding"][1])]
        return name, op, params, conv_inputs(src, op, n, c, h, w, k, r, s, params["groups"], bias, out)

    def pool(name, op, n, c, h, w, params):
        if op == "adaptive_avg_pool2d":
            out = params["output_size"]
        else:
            d = params.get("dilation", [1, 1])
            out = [pool_out(h, params["kernel"][0], params["stride"][0], params["padding"][0], d[0], params["ceil_mode"]),
                   pool_out(w, params["kernel"][1], params["stride"][1], params["padding"][1], d[1], params["ceil_mode"])]
        return name, op, params, {"x": src.normal(n, c, h, w), "dy": src.normal(n, c, out[0], out[1])}

    one = {"stride": [1, 1], "padding": [0, 0], "dilation": [1, 1], "groups": 1}
    return [
        conv("conv2d_1x1", "conv2d", 2, 8, 5, 5, 4, 1, 1, dict(one)),
        conv("conv2d_3x3_same", "conv2d", 2, 3, 7, 6, 5, 3, 3, dict(one, padding=[1, 1])),
        conv("conv2d_stride2_dilation2", "conv2d", 1, 4, 11, 9, 6, 3, 3,
             {"stride": [2, 2], "padding": [2, 2], "dilation": [2, 2], "groups": 2}),
        conv("conv2d_depthwise", "conv2d", 2, 6, 8, 8, 6, 3, 3, dict(one, padding=[1, 1], groups=6)),
        conv("conv2d_kernel_equals_input", "conv2d", 2, 3, 5, 5, 4, 5, 5, dict(one), bias=False),
        conv("conv_transpose2d_dcgan", "conv_transpose2d", 2, 4, 4, 4, 3, 4, 4,
             {"stride": [2, 2], "padding": [1, 1], "output_padding": [0, 0], "dilation": [1, 1], "groups": 1}),
        conv("conv_transpose2d_outpad", "conv_transpose2d", 1, 3, 5, 4, 2, 3, 3,
             {"stride": [2, 2], "padding": [1, 1], "output_padding": [1, 1], "dilation": [1, 1], "groups": 1}),
        pool("max_pool2d_resnet", "max_pool2d", 2, 3, 12, 12,
             {"kernel": [3, 3], "stride": [2, 2], "padding": [1, 1], "dilation": [1, 1], "ceil_mode": False}),
        pool("avg_pool2d_ceil_exclude_pad", "avg_pool2d", 1, 2, 7, 7,
             {"kernel": [3, 3], "stride": [2, 2], "padding": [1, 1], "ceil_mode": True, "count_include_pad": False}),
        pool("global_avg_pool", "adaptive_avg_pool2d", 2, 5, 7, 7, {"output_size": [1, 1]}),
    ]


# ---------------------------------------------------------------------------------------- driver

def generate(opts):
    src = Source(opts.seed)
    wanted = set(opts.ops.split(",")) if opts.ops else set(PARAMS)
    unknown = wanted - set(PARAMS)
    if unknown:
        sys.exit("generate.py: --ops: unknown op(s) %s; known: %s" % (", ".join(sorted(unknown)), ", ".join(PARAMS)))
    plan = []
    if not opts.no_fixed:
        plan.extend(fixed_cases(src))
    for i in range(opts.conv_cases):
        for op in CONV_FAMILY:
            maker = random_conv if op.startswith("conv") else random_pool
            params, inputs = maker(src, op, opts)
            plan.append(("%s_rand%d" % (op, i), op, params, inputs))
    for i in range(opts.other_cases):
        for op in OTHER_FAMILY:
            params, inputs = random_other(src, op, opts)
            plan.append(("%s_rand%d" % (op, i), op, params, inputs))
    for i in range(opts.optimizer_cases):
        op = OPTIMIZERS[i % len(OPTIMIZERS)]
        params, inputs = random_optimizer(src, op)
        plan.append(("%s_rand%d" % (op, i), op, params, inputs))
    for family in FAMILIES:
        # A stream of its own per family: adding a family, or first-set cases, changes no family's cases.
        fsrc = Source(zlib.crc32(("%d:%s" % (opts.seed, family.__name__)).encode("utf-8")))
        if not opts.no_fixed and hasattr(family, "fixed_cases"):
            plan.extend(family.fixed_cases(fsrc))
        for i in range(opts.second_cases):
            for op in list(family.PARAMS) + list(getattr(family, "EXTENDS", ())):
                params, inputs = family.random_case(fsrc, op, opts)
                plan.append(("%s_rand%d" % (op, i), op, params, inputs))
    cases = []
    for name, op, params, inputs in plan:
        if op not in wanted:
            continue
        check_params(name, op, params)
        cases.append(make_case(name, op, params, inputs, compute(op, params, inputs)))
    return {"format": FORMAT,
            "generator": "PyTorch %s, float64 math on float32-representable inputs, seed %d (tools/golden/generate.py, CPU)"
                         % (torch.__version__, opts.seed),
            "cases": cases}


def check_params(name, op, params):
    if list(params) != PARAMS[op]:
        raise AssertionError("%s: parameters %s, expected %s" % (name, list(params), PARAMS[op]))


def max_normalized_error(new, old):
    """max|new - old| / max|old|, the metric of io.jdnn.ErrorBounds."""
    ref = old.abs().max().item() if old.numel() else 0.0
    err = (new - old).abs().max().item() if old.numel() else 0.0
    return err / ref if ref > 0 else err


def recompute(opts):
    """Same inputs, outputs computed again here; prints how far each case's old outputs were."""
    with open(opts.recompute, encoding="utf-8") as f:
        doc = json.load(f)
    if doc.get("format") != FORMAT:
        sys.exit("generate.py: %s: format %r, expected %r" % (opts.recompute, doc.get("format"), FORMAT))
    wanted = set(opts.ops.split(",")) if opts.ops else None
    cases = []
    for case in doc["cases"]:
        if wanted is not None and case["op"] not in wanted:
            cases.append(case)
            continue
        inputs = {k: decode(case["tensors"][k]) for k in case["inputs"]}
        for k, v in inputs.items():
            if v.dtype != torch.int64 and not is_f32(v):
                raise ValueError("%s: input %s is not float32-representable" % (case["name"], k))
        new = compute(case["op"], case["params"], inputs)
        worst = 0.0
        for k in case["outputs"]:
            worst = max(worst, max_normalized_error(new[k].detach().to(F64), decode(case["tensors"][k])))
        print("%-32s %.2e" % (case["name"], worst), file=sys.stderr)
        outputs = {k: new[k] for k in case["outputs"]}
        fresh = make_case(case["name"], case["op"], case["params"], inputs, outputs)
        fresh["inputs"], fresh["outputs"] = case["inputs"], case["outputs"]
        fresh["tensors"] = {k: (case["tensors"][k] if k in case["inputs"] else fresh["tensors"][k])
                            for k in case["tensors"]}
        cases.append(fresh)
    ops = "outputs of " + ",".join(sorted(wanted)) if wanted else "all outputs"
    generator = "%s; %s recomputed from the same inputs by tools/golden/generate.py --recompute (PyTorch %s, CPU)" % (
        doc.get("generator", ""), ops, torch.__version__)
    return {"format": FORMAT, "generator": generator, "cases": cases}


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write a jdnn-golden/1 file of cases computed by PyTorch in float64.")
    ap.add_argument("--seed", type=int, default=1, help="seed of every parameter and value (default 1)")
    ap.add_argument("--out", required=True, help="the file to write")
    ap.add_argument("--ops", default="", help="comma-separated ops to keep (default: every op)")
    ap.add_argument("--conv-cases", type=int, default=12,
                    help="random cases of each of conv2d, conv_transpose2d, max_pool2d, avg_pool2d (default 12)")
    ap.add_argument("--other-cases", type=int, default=4,
                    help="random cases of each other layer op: pooling, batch norm, activations, softmax, "
                         "cross-entropy, linear (default 4)")
    ap.add_argument("--optimizer-cases", type=int, default=12,
                    help="random optimizer cases, cycling sgd, adagrad, rmsprop, adam, adamw, adadelta (default 12)")
    ap.add_argument("--second-cases", type=int, default=0,
                    help="random cases of each op of the second set (tools/golden/ops_*.py; default 0)")
    ap.add_argument("--max-batch", type=int, default=3, help="largest batch of the random cases (default 3)")
    ap.add_argument("--max-size", type=int, default=14, help="largest height and width of the random cases (default 14)")
    ap.add_argument("--max-channels-per-group", type=int, default=3,
                    help="largest channels per group of the random convolutions (default 3)")
    ap.add_argument("--no-fixed", action="store_true", help="leave out the named cases (conv2d_1x1, ...)")
    ap.add_argument("--recompute", metavar="FILE",
                    help="instead of new cases: read FILE and compute its cases' outputs again from their inputs "
                         "(with --ops, only those ops'); prints each case's old-vs-new error to stderr")
    opts = ap.parse_args(argv)
    for name in ("max_batch", "max_size", "max_channels_per_group"):
        if getattr(opts, name) < 1:
            ap.error("--%s: expected a value >= 1" % name.replace("_", "-"))
    for name in ("conv_cases", "other_cases", "optimizer_cases", "second_cases"):
        if getattr(opts, name) < 0:
            ap.error("--%s: expected a value >= 0" % name.replace("_", "-"))
    load_torch()
    load_families()
    torch.set_default_dtype(F64)
    doc = recompute(opts) if opts.recompute else generate(opts)
    with open(opts.out, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    print("wrote %s: %d cases" % (opts.out, len(doc["cases"])), file=sys.stderr)


if __name__ == "__main__":
    main()
