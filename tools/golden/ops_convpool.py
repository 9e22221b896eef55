"""Convolution and pooling extensions of FORMAT.md's second set: asymmetric and wide padding.

Loaded by generate.py (see the comment above FAMILIES there). This module adds no op of its own
yet: it extends the first-set ops conv2d, max_pool2d and avg_pool2d (EXTENDS) with cases whose
`padding` holds four values [top, left, bottom, right] (ONNX's order), and pooling cases whose
padding exceeds half the window (up to kernel - 1, as ONNX allows; PyTorch refuses more than
half). Expected values come from F.pad and the op with zero padding:
  conv2d      zero-pad x, then convolve;
  max_pool2d  pad x with -inf, then pool; the ceil-mode rule of jdnn and PyTorch (a window must
              start before H + top) may drop the last window PyTorch keeps on the padded input,
              so the output is cropped to jdnn's size;
  avg_pool2d  window sums of the zero-padded x (divisor_override=1) over the window's cells inside
              the padded input (count_include_pad) or inside x (not), counted the same way on ones.
Every case has dy and lists the gradients.
"""

import torch
import torch.nn.functional as F

F64 = torch.float64

PARAMS = {}
EXTENDS = ["conv2d", "max_pool2d", "avg_pool2d"]


def extends(op, params):
    """True for the cases this module computes: 4-value padding, or pooling padding over half the window."""
    pad = params.get("padding")
    if isinstance(pad, list) and len(pad) == 4:
        return True
    if op == "conv2d":
        return False
    pad = pad if isinstance(pad, list) else [pad, pad]
    kernel = params["kernel"] if isinstance(params["kernel"], list) else [params["kernel"]] * 2
    return pad[0] > kernel[0] // 2 or pad[1] > kernel[1] // 2


def _leaf(t):
    return t.detach().clone().to(F64).requires_grad_(True)


def _torch_pad(padding):
    """[top, left, bottom, right] (or [h, w], or one value) as F.pad's (left, right, top, bottom)."""
    if not isinstance(padding, list):
        padding = [padding, padding]
    if len(padding) == 2:
        padding = padding * 2
    top, left, bottom, right = padding
    return (left, right, top, bottom)


def compute(op, params, inputs):
    """{output: float64 tensor} for one case: y, dx (and dw, db for conv2d)."""
    p = params
    x = _leaf(inputs["x"])
    dy = inputs["dy"].to(F64)
    pad = _torch_pad(p["padding"])
    if op == "conv2d":
        w = _leaf(inputs["w"])
        b = _leaf(inputs["b"]) if "b" in inputs else None
        y = F.conv2d(F.pad(x, pad), w, b, stride=p["stride"], padding=0, dilation=p["dilation"], groups=p["groups"])
        y.backward(dy)
        out = {"y": y, "dx": x.grad, "dw": w.grad}
        if b is not None:
            out["db"] = b.grad
        return out
    oh, ow = dy.shape[2], dy.shape[3]
    if op == "max_pool2d":
        xp = F.pad(x, pad, value=float("-inf"))
        y = F.max_pool2d(xp, p["kernel"], stride=p["stride"], padding=0, dilation=p["dilation"],
                         ceil_mode=p["ceil_mode"])[:, :, :oh, :ow]
    elif op == "avg_pool2d":
        def window_sums(t):
            return F.avg_pool2d(t, p["kernel"], stride=p["stride"], padding=0, ceil_mode=p["ceil_mode"],
                                count_include_pad=True, divisor_override=1)[:, :, :oh, :ow]
        sums = window_sums(F.pad(x, pad))
        ones = torch.ones(x.shape[2:], dtype=F64).reshape(1, 1, x.shape[2], x.shape[3])
        cells = F.pad(ones, pad, value=1.0) if p["count_include_pad"] else F.pad(ones, pad)
        y = sums / window_sums(cells)
    else:
        raise ValueError("ops_convpool: unknown op %r" % op)
    y.backward(dy)
    return {"y": y, "dx": x.grad}


# ---------------------------------------------------------------------------------------- sizes

def _conv_out(size, k, s, before, after, d):
    return (size + before + after - d * (k - 1) - 1) // s + 1


def _pool_out(size, k, s, before, after, d, ceil):
    """PyTorch's pooling_output_shape with 2 * pad read as before + after."""
    out = (size + before + after - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
    if ceil and (out - 1) * s >= size + before:
        out -= 1
    return out


def _windows_hit(size, k, s, before, d, out):
    """True when every window holds at least one element of the input (else max pooling has none)."""
    return all(any(0 <= o * s - before + r * d < size for r in range(k)) for o in range(out))


def _asymmetric(src, highs):
    """[top, left, bottom, right], each in [0, hi] of its axis, with bottom != top or right != left."""
    while True:
        pads = [src.randint(0, highs[0]), src.randint(0, highs[1]), src.randint(0, highs[0]), src.randint(0, highs[1])]
        if pads[0] != pads[2] or pads[1] != pads[3]:
            return pads


def random_case(src, op, opts):
    """(params, inputs) of one random valid case of op with asymmetric padding."""
    if op == "conv2d":
        return _random_conv(src, opts)
    return _random_pool(src, op, opts)


def _random_conv(src, opts):
    while True:
        groups = src.choice([1, 1, 2, 3])
        c = groups * src.randint(1, opts.max_channels_per_group)
        k = groups * src.randint(1, opts.max_channels_per_group)
        n = src.randint(1, opts.max_batch)
        h, w = src.randint(1, opts.max_size), src.randint(1, opts.max_size)
        r, s = src.randint(1, 5), src.randint(1, 5)
        stride = [src.randint(1, 3), src.randint(1, 3)]
        dilation = [src.choice([1, 1, 2]), src.choice([1, 1, 2])]
        # ONNX/TensorFlow "SAME" pads up to the effective kernel - 1 in all; a little more is allowed too.
        pads = _asymmetric(src, [dilation[0] * (r - 1) // 2 + 2, dilation[1] * (s - 1) // 2 + 2])
        out = [_conv_out(h, r, stride[0], pads[0], pads[2], dilation[0]),
               _conv_out(w, s, stride[1], pads[1], pads[3], dilation[1])]
        if min(out) < 1:
            continue
        inputs = {"x": src.normal(n, c, h, w), "w": src.normal(k, c // groups, r, s)}
        if src.randint(0, 2) > 0:
            inputs["b"] = src.normal(k)
        inputs["dy"] = src.normal(n, k, out[0], out[1])
        return {"stride": stride, "padding": pads, "dilation": dilation, "groups": groups}, inputs


def _random_pool(src, op, opts):
    while True:
        kernel = [src.randint(1, 4), src.randint(1, 4)]
        stride = [src.randint(1, 3), src.randint(1, 3)]
        # Each side up to kernel - 1 (windows mostly in the padding); symmetric draws as [h, w].
        pads = [src.randint(0, kernel[0] - 1), src.randint(0, kernel[1] - 1),
                src.randint(0, kernel[0] - 1), src.randint(0, kernel[1] - 1)]
        dilation = [src.choice([1, 1, 2]), src.choice([1, 1, 2])] if op == "max_pool2d" else [1, 1]
        ceil = src.choice([False, True])
        n, c = src.randint(1, opts.max_batch), src.randint(1, 4)
        h, w = src.randint(1, opts.max_size + 1), src.randint(1, opts.max_size + 1)
        out = [_pool_out(h, kernel[0], stride[0], pads[0], pads[2], dilation[0], ceil),
               _pool_out(w, kernel[1], stride[1], pads[1], pads[3], dilation[1], ceil)]
        if min(out) < 1 or not (_windows_hit(h, kernel[0], stride[0], pads[0], dilation[0], out[0])
                                and _windows_hit(w, kernel[1], stride[1], pads[1], dilation[1], out[1])):
            continue
        if pads[:2] == pads[2:]:
            pads = pads[:2]
        if op == "max_pool2d":
            params = {"kernel": kernel, "stride": stride, "padding": pads, "dilation": dilation, "ceil_mode": ceil}
        else:
            params = {"kernel": kernel, "stride": stride, "padding": pads, "ceil_mode": ceil,
                      "count_include_pad": src.choice([False, True])}
        return params, {"x": src.normal(n, c, h, w), "dy": src.normal(n, c, out[0], out[1])}
