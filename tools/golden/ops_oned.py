"""Golden cases of the 1-D convolution and pooling ops (FORMAT.md, "Second set of ops"): conv1d
(stride, padding, dilation, groups, with and without bias), max_pool1d (dilation, ceil mode) and
avg_pool1d (ceil mode, count_include_pad), over (N, C, L) tensors, forward and backward. A family
module of generate.py (see the comment above FAMILIES there)."""

import torch
import torch.nn.functional as F

F64 = torch.float64

PARAMS = {
    "conv1d": ["stride", "padding", "dilation", "groups"],
    "max_pool1d": ["kernel", "stride", "padding", "dilation", "ceil_mode"],
    "avg_pool1d": ["kernel", "stride", "padding", "ceil_mode", "count_include_pad"],
}


def _leaf(t):
    return t.detach().clone().to(F64).requires_grad_(True)


def _forward(op, p, x, w, b):
    if op == "conv1d":
        return F.conv1d(x, w, b, stride=p["stride"], padding=p["padding"], dilation=p["dilation"], groups=p["groups"])
    if op == "max_pool1d":
        return F.max_pool1d(x, p["kernel"], stride=p["stride"], padding=p["padding"], dilation=p["dilation"],
                            ceil_mode=p["ceil_mode"])
    return F.avg_pool1d(x, p["kernel"], stride=p["stride"], padding=p["padding"], ceil_mode=p["ceil_mode"],
                        count_include_pad=p["count_include_pad"])


def compute(op, params, inputs):
    """{output: float64 tensor} from float64 copies of the inputs."""
    x = _leaf(inputs["x"])
    w = _leaf(inputs["w"]) if "w" in inputs else None
    b = _leaf(inputs["b"]) if "b" in inputs else None
    y = _forward(op, params, x, w, b)
    out = {"y": y}
    if "dy" in inputs:
        y.backward(inputs["dy"].to(F64))
        out["dx"] = x.grad
        if w is not None:
            out["dw"] = w.grad
        if b is not None:
            out["db"] = b.grad
    return out


def _pool_windows_hit(length, k, s, p, d, out):
    """True when every window holds an element of the input (PyTorch gives -inf for an empty one)."""
    return all(any(0 <= o * s - p + t * d < length for t in range(k)) for o in range(out))


def random_case(src, op, opts):
    """(params, inputs) of one random valid case: short sequences, odd lengths and 1s included."""
    while True:
        n = src.randint(1, 2)
        length = src.randint(1, 13)
        if op == "conv1d":
            groups = src.choice([1, 1, 2, 3])
            c, k = groups * src.randint(1, 3), groups * src.randint(1, 3)
            r, stride, dilation = src.randint(1, 5), src.randint(1, 3), src.choice([1, 1, 2, 3])
            padding = src.randint(0, (dilation * (r - 1)) // 2 + 2)
            out = (length + 2 * padding - dilation * (r - 1) - 1) // stride + 1
            if out < 1:
                continue
            inputs = {"x": src.normal(n, c, length), "w": src.normal(k, c // groups, r)}
            if src.randint(0, 2) > 0:
                inputs["b"] = src.normal(k)
            inputs["dy"] = src.normal(n, k, out)
            return {"stride": [stride], "padding": [padding], "dilation": [dilation], "groups": groups}, inputs
        c = src.randint(1, 4)
        kernel, stride = src.randint(1, 4), src.randint(1, 3)
        padding = src.randint(0, kernel // 2)
        dilation = src.choice([1, 1, 2]) if op == "max_pool1d" else 1
        ceil = src.choice([False, True])
        num = length + 2 * padding - dilation * (kernel - 1) - 1 + (stride - 1 if ceil else 0)
        out = num // stride + 1
        if ceil and (out - 1) * stride >= length + padding:
            out -= 1
        if out < 1 or not _pool_windows_hit(length, kernel, stride, padding, dilation, out):
            continue
        if op == "max_pool1d":
            params = {"kernel": [kernel], "stride": [stride], "padding": [padding], "dilation": [dilation],
                      "ceil_mode": ceil}
        else:
            params = {"kernel": [kernel], "stride": [stride], "padding": [padding], "ceil_mode": ceil,
                      "count_include_pad": src.choice([False, True])}
        return params, {"x": src.normal(n, c, length), "dy": src.normal(n, c, out)}
