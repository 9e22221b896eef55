"""Normalization ops of FORMAT.md's second set: local_response_norm, group_norm, instance_norm, layer_norm.

Loaded by generate.py (see the comment above FAMILIES there). Every case has x, and weight and bias
where the op takes them; three cases in four also have dy and list the gradients (the others are
forward-only, outputs ["y"]). Gradient cases of group, instance and layer norm normalize rows of
four or more values and take a dy that keeps dweight and dbias well-conditioned (_row_signed_dyadic).
"""

import torch
import torch.nn.functional as F

F64 = torch.float64

PARAMS = {
    "local_response_norm": ["size", "alpha", "beta", "k"],
    "group_norm": ["num_groups", "eps"],
    "instance_norm": ["eps"],
    "layer_norm": ["normalized_shape", "eps"],
}

EPS = [1e-5, 1e-3, 0.1]


def _leaf(t):
    return t.detach().clone().to(F64).requires_grad_(True)


def compute(op, params, inputs):
    """{output: float64 tensor} for one case: y, and with dy the gradients."""
    x = _leaf(inputs["x"])
    p = params
    affine = op != "local_response_norm"
    if affine:
        w, b = _leaf(inputs["weight"]), _leaf(inputs["bias"])
    if op == "local_response_norm":
        y = F.local_response_norm(x, p["size"], alpha=p["alpha"], beta=p["beta"], k=p["k"])
    elif op == "group_norm":
        y = F.group_norm(x, p["num_groups"], w, b, eps=p["eps"])
    elif op == "instance_norm":
        y = F.instance_norm(x, None, None, w, b, use_input_stats=True, eps=p["eps"])
    elif op == "layer_norm":
        y = F.layer_norm(x, p["normalized_shape"], w, b, eps=p["eps"])
    else:
        raise ValueError("ops_norm: unknown op %r" % op)
    out = {"y": y}
    if "dy" in inputs:
        y.backward(inputs["dy"].to(F64))
        out["dx"] = x.grad
        if affine:
            out["dweight"] = w.grad
            out["dbias"] = b.grad
    return out


def _x(src, shape):
    """Normal data, sometimes scaled up and shifted (a mean far from zero tests the statistics)."""
    return src.normal(*shape, scale=src.choice([1.0, 3.0]), shift=src.choice([0.0, 0.0, 5.0]))


def _row_size(op, params, shape):
    """Values per normalized row: a (sample, group) of group norm, a (sample, channel) plane, a layer."""
    numel = 1
    for d in shape:
        numel *= d
    if op == "group_norm":
        return numel // (shape[0] * params["num_groups"])
    if op == "instance_norm":
        return numel // (shape[0] * shape[1])
    rows = 1
    for d in shape[:len(shape) - len(params["normalized_shape"])]:
        rows *= d
    return numel // rows


def random_case(src, op, opts):
    """(params, inputs) of one random valid case of op."""
    with_grad = src.randint(0, 3) > 0
    while True:
        params, inputs, shape = _random_forward(src, op)
        # With two values a row, x_hat is +-1 and dx vanishes analytically, leaving only rounding
        # noise to compare (as for batch norm in generate.py): gradient cases normalize four or more.
        if op == "group_norm" and shape[0] * _row_size(op, params, shape) <= 1:
            continue  # PyTorch: "Expected more than 1 value per channel when training" (N * C/G * spatial > 1)
        if op == "local_response_norm" or not with_grad or _row_size(op, params, shape) >= 4:
            break
    if with_grad:
        if op == "local_response_norm":
            inputs["dy"] = src.normal(*shape)
        else:
            inputs["dy"] = _row_signed_dyadic(src, inputs["x"], _row_size(op, params, shape))
    return params, inputs


def _row_signed_dyadic(src, x, row_size):
    """dy = sign(x - its row's mean) * k / 64, k in 1..64 (as io.jdnn's BatchNormChecks makes it).

    dbias = sum(dy) is then exact in float32 in any order, and dweight = sum(dy * x_hat) adds terms
    of one sign: with one channel (or feature) each is a single output, and a random dy would make
    it a cancellation of terms a hundred times its size, which float32 cannot resolve to the bound.
    """
    rows = x.reshape(-1, row_size)
    sign = torch.where(rows >= rows.mean(dim=1, keepdim=True), 1.0, -1.0).to(F64)
    k = torch.randint(1, 65, tuple(rows.shape), generator=src.gen).to(F64)
    return (sign * k / 64).reshape(x.shape)


def _random_forward(src, op):
    """(params, inputs without dy, shape of x) of one random case of op."""
    n = src.randint(1, 3)
    if op == "local_response_norm":
        c = src.randint(1, 9)
        spatial = [src.randint(1, 6) for _ in range(src.choice([1, 2, 2]))]
        shape = [n, c] + spatial
        params = {"size": src.choice([1, 2, 3, 4, 5, 7]), "alpha": src.choice([1e-4, 0.01, 0.5, 1.0]),
                  "beta": src.choice([0.5, 0.75, 1.0, 1.5]), "k": src.choice([0.5, 1.0, 2.0])}
        return params, {"x": src.normal(*shape, scale=src.choice([1.0, 2.0]))}, shape
    if op == "layer_norm":
        shape = [src.randint(1, 5) for _ in range(src.randint(2, 4))]
        trailing = src.randint(1, len(shape) - 1)
        norm = shape[len(shape) - trailing:]
        params = {"normalized_shape": norm, "eps": src.choice(EPS)}
        return params, {"x": _x(src, shape), "weight": src.normal(*norm), "bias": src.normal(*norm)}, shape
    if op == "group_norm":
        groups = src.randint(1, 4)
        c = groups * src.randint(1, 3)
        rank = src.randint(2, 4)
        params = {"num_groups": groups, "eps": src.choice(EPS)}
    else:
        c = src.randint(1, 5)
        rank = src.randint(3, 4)
        params = {"eps": src.choice(EPS)}
    shape = [n, c] + [src.randint(1, 6) for _ in range(rank - 2)]
    if op == "instance_norm" and all(s == 1 for s in shape[2:]):
        shape[2] = 2  # PyTorch: "Expected more than 1 spatial element when training"
    return params, {"x": _x(src, shape), "weight": src.normal(c), "bias": src.normal(c)}, shape
