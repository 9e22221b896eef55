"""The losses family of FORMAT.md's second set: log_softmax, nll_loss, mse_loss, l1_loss,
smooth_l1_loss and binary_cross_entropy_with_logits, every loss with reduction "mean".

A family module of generate.py (see the comment above FAMILIES there): PARAMS, compute,
random_case and fixed_cases.
"""

import torch
import torch.nn.functional as F

F64 = torch.float64

PARAMS = {
    "log_softmax": ["dim"],
    "nll_loss": ["reduction"],
    "mse_loss": ["reduction"],
    "l1_loss": ["reduction"],
    "smooth_l1_loss": ["reduction", "beta"],
    "binary_cross_entropy_with_logits": ["reduction"],
}

ELEMENTWISE = {
    "mse_loss": lambda x, t, p: F.mse_loss(x, t, reduction=p["reduction"]),
    "l1_loss": lambda x, t, p: F.l1_loss(x, t, reduction=p["reduction"]),
    "smooth_l1_loss": lambda x, t, p: _smooth_l1(x, t, p),
    "binary_cross_entropy_with_logits":
        lambda x, t, p: F.binary_cross_entropy_with_logits(x, t, reduction=p["reduction"]),
}


def _smooth_l1(x, t, p):
    """F.smooth_l1_loss as PyTorch 2.x defines it: beta = 0 is l1_loss (2.x dispatches there; 1.13's own
    kernel gives the gradient -1/n, not 0, where x == t at beta = 0)."""
    if p["beta"] == 0.0:
        return F.l1_loss(x, t, reduction=p["reduction"])
    return F.smooth_l1_loss(x, t, reduction=p["reduction"], beta=p["beta"])


def _leaf(t):
    return t.detach().clone().to(F64).requires_grad_(True)


def compute(op, params, inputs):
    """{output: float64 tensor} of one case, from float64 copies of its inputs."""
    x = _leaf(inputs["x"])
    if op == "log_softmax":
        y = F.log_softmax(x, dim=params["dim"])
        y.backward(inputs["dy"].to(F64))
        return {"y": y, "dx": x.grad}
    if op == "nll_loss":
        loss = F.nll_loss(x, inputs["target"], reduction=params["reduction"])
    else:
        loss = ELEMENTWISE[op](x, inputs["target"].to(F64), params)
    loss.backward()
    return {"loss": loss.detach().reshape(1), "dx": x.grad}


def _shape(src):
    """A random shape of rank 1 to 4, extents 1 to 7."""
    return [src.randint(1, 7) for _ in range(src.randint(1, 4))]


def random_case(src, op, opts):
    """(params, inputs) of one random case of op."""
    if op == "log_softmax":
        n, k = src.randint(1, opts.max_batch * 2), src.randint(1, 9)
        return {"dim": 1}, {"x": src.normal(n, k, scale=src.choice([1.0, 4.0])), "dy": src.normal(n, k)}
    if op == "nll_loss":
        n, k = src.randint(1, opts.max_batch * 2), src.randint(1, 9)
        return {"reduction": "mean"}, {"x": src.uniform(-6.0, 0.0, n, k), "target": src.labels(k, n)}
    shape = _shape(src)
    params = {"reduction": "mean"}
    if op == "binary_cross_entropy_with_logits":
        x = src.normal(*shape, scale=src.choice([1.0, 5.0, 30.0]))
        if src.randint(0, 2) == 0:
            target = src.uniform(0.0, 1.0, *shape).round()  # hard labels 0 and 1
        else:
            target = src.uniform(0.0, 1.0, *shape)
        return params, {"x": x, "target": target}
    if op == "smooth_l1_loss":
        params["beta"] = src.choice([1.0, 0.5, 0.0, 2.0, 0.25])
    x = src.normal(*shape)
    target = src.normal(*shape)
    if op != "mse_loss" and src.randint(0, 2) == 0:
        flat_x, flat_t = x.reshape(-1), target.reshape(-1)
        flat_t[::3] = flat_x[::3]  # ties: the gradient of |x - t| at x == t is 0
    return params, {"x": x, "target": target}


def fixed_cases(src):
    """Named cases: logits far beyond exp's float range; L1, and smooth L1 with beta 0, at ties (dx 0 there)."""
    x = src.normal(4, 5)
    big = torch.tensor([[100.0, -100.0, 88.5, -90.25], [1e4, -1e4, 0.0, 17.0]], dtype=F64)
    hard = torch.tensor([[0.0, 1.0, 0.0, 1.0], [1.0, 0.0, 0.5, 1.0]], dtype=F64)
    return [
        ("bce_with_logits_large", "binary_cross_entropy_with_logits", {"reduction": "mean"},
         {"x": big, "target": hard}),
        ("l1_all_ties", "l1_loss", {"reduction": "mean"}, {"x": x, "target": x.clone()}),
        ("smooth_l1_beta0_ties", "smooth_l1_loss", {"reduction": "mean", "beta": 0.0},
         {"x": x, "target": torch.where(x > 0, x, -x)}),
    ]
