"""Golden cases of the second set's activations (FORMAT.md, "Second set of ops"): relu6, hardswish,
hardsigmoid, silu, mish, gelu (approximate "none" or "tanh"), softplus (beta, threshold) and prelu
(a weight of C slopes or 1 shared slope). A family module of generate.py (see the comment above
its FAMILIES)."""

import torch
import torch.nn.functional as F

F64 = torch.float64

PARAMS = {
    "relu6": [],
    "hardswish": [],
    "hardsigmoid": [],
    "silu": [],
    "mish": [],
    "gelu": ["approximate"],
    "softplus": ["beta", "threshold"],
    "prelu": [],
}

ELEMENTWISE = {
    "relu6": F.relu6,
    "hardswish": F.hardswish,
    "hardsigmoid": F.hardsigmoid,
    "silu": F.silu,
    "mish": F.mish,
}


def leaf(t):
    return t.detach().clone().to(F64).requires_grad_(True)


def compute(op, params, inputs):
    """y and, when dy is given, the gradients, in float64 from the inputs."""
    x = leaf(inputs["x"])
    out = {}
    if op == "prelu":
        w = leaf(inputs["weight"])
        y = F.prelu(x, w)
    elif op == "gelu":
        y = F.gelu(x, approximate=params["approximate"])
    elif op == "softplus":
        y = F.softplus(x, beta=params["beta"], threshold=params["threshold"])
    else:
        y = ELEMENTWISE[op](x)
    out["y"] = y
    if "dy" in inputs:
        y.backward(inputs["dy"].to(F64))
        out["dx"] = x.grad
        if op == "prelu":
            out["dweight"] = w.grad
    return out


def random_shape(src, op):
    """(N, C, ...) of rank 2 to 4 for prelu; any rank 1 to 4 for the element-wise ops."""
    rank = src.randint(2 if op == "prelu" else 1, 4)
    dims = [src.randint(1, 3), src.randint(1, 6)] + [src.randint(1, 7) for _ in range(rank - 2)]
    return dims[:rank] if rank >= 2 else [src.randint(1, 40)]


def random_case(src, op, opts):
    """Values of scale 4 (both sides of every kink, softplus' threshold crossed) and a random upstream gradient."""
    shape = random_shape(src, op)
    params = {}
    if op == "gelu":
        params = {"approximate": src.choice(["none", "tanh"])}
    elif op == "softplus":
        params = {"beta": src.choice([1.0, 2.0, 0.5]), "threshold": src.choice([20.0, 1.0, 3.0])}
    inputs = {"x": src.normal(*shape, scale=4.0)}
    if op == "prelu":
        inputs["weight"] = src.uniform(-0.5, 0.5, shape[1] if src.randint(0, 2) > 0 else 1)
    inputs["dy"] = src.normal(*shape)
    return params, inputs


def f32(values):
    return torch.tensor(values, dtype=torch.float32).to(F64)


def fixed_cases(src):
    """Inputs at the kinks (PyTorch's conventions there) and far out (no overflow), and PReLU's layouts."""
    kinks = f32([-6.0, -3.0, -1.5, 0.0, 1.5, 3.0, 6.0, 7.5]).reshape(2, 4)
    far = f32([-100.0, -30.0, -15.0, -0.25, 0.25, 15.0, 30.0, 100.0]).reshape(2, 4)
    dy = src.normal(2, 4)
    cases = []
    for op in ("relu6", "hardswish", "hardsigmoid"):
        cases.append(("%s_kinks" % op, op, {}, {"x": kinks, "dy": dy}))
    for op in ("silu", "mish"):
        cases.append(("%s_far" % op, op, {}, {"x": far, "dy": dy}))
    for approximate in ("none", "tanh"):
        cases.append(("gelu_%s_far" % approximate, "gelu", {"approximate": approximate}, {"x": far, "dy": dy}))
    cases.append(("softplus_far", "softplus", {"beta": 1.0, "threshold": 20.0}, {"x": far, "dy": dy}))
    cases.append(("softplus_beta2_threshold3", "softplus", {"beta": 2.0, "threshold": 3.0},
                  {"x": f32([-2.0, -0.5, 0.0, 0.5, 1.25, 1.5, 1.75, 4.0]).reshape(2, 4), "dy": dy}))
    x = src.normal(2, 3, 4, 5, scale=2.0)
    cases.append(("prelu_per_channel_nchw", "prelu", {},
                  {"x": x, "weight": f32([0.25, -0.1, 0.5]), "dy": src.normal(2, 3, 4, 5)}))
    cases.append(("prelu_shared_nchw", "prelu", {}, {"x": x, "weight": f32([0.25]), "dy": src.normal(2, 3, 4, 5)}))
    cases.append(("prelu_zeros_forward_only", "prelu", {}, {"x": f32([[0.0, -1.0], [2.0, 0.0]]),
                                                           "weight": f32([0.5, 0.25])}))
    return cases
