"""Golden cases of max pooling with indices and max unpooling (FORMAT.md, "Second set of ops"):
max_pool2d_with_indices (F.max_pool2d with return_indices: y, the i64 indices h * W + w into each
input plane, dx) and max_unpool2d (F.max_unpool2d with output_size: y, dx, from x and i64 indices).
A family module of generate.py (see the comment above FAMILIES there).

Unpooling cases take their indices from a max pooling (F.max_pool2d of a random input of the
unpooling's output size) with stride >= kernel: windows that do not overlap, so no two inputs of a
plane name one position (PyTorch's result for those is "the last writer", nondeterministic on its
GPUs; jdnn's rule, the highest input position wins, is checked by the conformance suite instead).
"""

import torch
import torch.nn.functional as F

F64 = torch.float64

PARAMS = {
    "max_pool2d_with_indices": ["kernel", "stride", "padding", "dilation", "ceil_mode"],
    "max_unpool2d": ["kernel", "stride", "padding", "output_size"],
}


def _leaf(t):
    return t.detach().clone().to(F64).requires_grad_(True)


def compute(op, params, inputs):
    """{output: tensor} from float64 copies of the inputs; indices stay int64."""
    p = params
    x = _leaf(inputs["x"])
    if op == "max_pool2d_with_indices":
        y, indices = F.max_pool2d(x, p["kernel"], stride=p["stride"], padding=p["padding"], dilation=p["dilation"],
                                  ceil_mode=p["ceil_mode"], return_indices=True)
        out = {"y": y, "indices": indices}
    else:
        y = F.max_unpool2d(x, inputs["indices"], p["kernel"], stride=p["stride"], padding=p["padding"],
                           output_size=p["output_size"])
        out = {"y": y}
    if "dy" in inputs:
        y.backward(inputs["dy"].to(F64))
        out["dx"] = x.grad
    return out


def _pool(src, n, c, size, kernel, stride, padding, dilation, ceil, ties=False):
    """(x, y, indices) of a max pooling of a random x, or None when PyTorch refuses the settings or a
    window falls entirely on padding (a dilated one can: PyTorch then gives -inf)."""
    x = src.normal(n, c, size[0], size[1])
    if ties:
        x = torch.round(x * 2) / 2  # multiples of 1/2: many ties, which the first maximum must win
    try:
        y, indices = F.max_pool2d(x, kernel, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil,
                                  return_indices=True)
    except RuntimeError:
        return None
    if y.numel() == 0 or torch.isinf(y).any():
        return None
    return x, y, indices


def _pool_case(src, n, c, size, kernel, stride, padding, dilation, ceil, ties=False):
    drawn = _pool(src, n, c, size, kernel, stride, padding, dilation, ceil, ties)
    if drawn is None:
        return None
    x, y, _ = drawn
    params = {"kernel": kernel, "stride": stride, "padding": padding, "dilation": dilation, "ceil_mode": ceil}
    return params, {"x": x, "dy": src.normal(*y.shape)}


def _unpool_case(src, n, c, size, kernel, stride, padding):
    """An unpooling back to `size` of a max pooling's output and indices (x drawn afresh)."""
    drawn = _pool(src, n, c, size, kernel, stride, padding, [1, 1], False)
    if drawn is None:
        return None
    _, y, indices = drawn
    params = {"kernel": kernel, "stride": stride, "padding": padding, "output_size": list(size)}
    return params, {"x": src.normal(*y.shape), "indices": indices, "dy": src.normal(n, c, size[0], size[1])}


def random_case(src, op, opts):
    """(params, inputs) of one random valid case: small planes, odd sizes and 1s included."""
    while True:
        n, c = src.randint(1, 2), src.randint(1, 3)
        size = [src.randint(1, 9), src.randint(1, 9)]
        kernel = [src.randint(1, 3), src.randint(1, 3)]
        padding = [src.randint(0, kernel[0] // 2), src.randint(0, kernel[1] // 2)]
        if op == "max_pool2d_with_indices":
            stride = [src.randint(1, 3), src.randint(1, 3)]
            dilation = [src.choice([1, 1, 2]), src.choice([1, 1, 2])]
            case = _pool_case(src, n, c, size, kernel, stride, padding, dilation, src.choice([False, True]))
        else:
            stride = [kernel[0] + src.randint(0, 1), kernel[1] + src.randint(0, 1)]  # windows never overlap
            case = _unpool_case(src, n, c, size, kernel, stride, padding)
        if case is not None:
            return case


def fixed_cases(src):
    """ResNet's stem pooling (overlapping windows) on inputs full of ties, and SegNet's 2x2 unpooling."""
    resnet = _pool_case(src, 1, 2, [9, 9], [3, 3], [2, 2], [1, 1], [1, 1], False, ties=True)
    segnet = _unpool_case(src, 2, 3, [8, 6], [2, 2], [2, 2], [0, 0])
    return [("max_pool2d_with_indices_resnet_ties", "max_pool2d_with_indices") + resnet,
            ("max_unpool2d_segnet", "max_unpool2d") + segnet]
