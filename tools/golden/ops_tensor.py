"""Golden cases of the tensor ops (FORMAT.md, "Second set of ops"): cat, permute and the
broadcasting arithmetic add, sub, mul, div, maximum, minimum. Loaded by generate.py."""

import torch

F64 = torch.float64

BINARY = ("add", "sub", "mul", "div", "maximum", "minimum")

PARAMS = {
    "cat": ["dim"],
    "permute": ["dims"],
}
PARAMS.update({op: [] for op in BINARY})


def _leaf(t):
    return t.detach().clone().to(F64).requires_grad_(True)


def compute(op, params, inputs):
    """{output: float64 tensor} from float64 copies of the inputs."""
    if op == "cat":
        xs = []
        i = 0
        while "x%d" % i in inputs:
            xs.append(_leaf(inputs["x%d" % i]))
            i += 1
        y = torch.cat(xs, dim=params["dim"])
        out = {"y": y}
        if "dy" in inputs:
            y.backward(inputs["dy"].to(F64))
            out.update({"dx%d" % k: x.grad for k, x in enumerate(xs)})
        return out
    if op == "permute":
        x = _leaf(inputs["x"])
        y = x.permute(*params["dims"])
        out = {"y": y.contiguous()}
        if "dy" in inputs:
            y.backward(inputs["dy"].to(F64))
            out["dx"] = x.grad
        return out
    a, b = _leaf(inputs["a"]), _leaf(inputs["b"])
    y = getattr(torch, op)(a, b)
    out = {"y": y}
    if "dy" in inputs:
        y.backward(inputs["dy"].to(F64))
        out.update({"da": a.grad, "db": b.grad})
    return out


def _shape(src, rank, largest):
    return [src.randint(1, largest) for _ in range(rank)]


def _broadcast_pair(src):
    """Shapes of a and b: trailing parts of one output shape, some extents set to 1."""
    out = _shape(src, src.randint(1, 6), 4)
    pair = []
    for _ in range(2):
        rank = src.randint(1, len(out))
        pair.append([1 if src.randint(0, 2) == 0 else d for d in out[len(out) - rank:]])
    return pair


def random_case(src, op, opts):
    """(params, inputs) of one random valid case of op."""
    if op == "cat":
        rank = src.randint(1, 5)
        shape = _shape(src, rank, 4)
        dim = src.randint(0, rank - 1)
        xs = {}
        for i in range(src.randint(1, 4)):
            shape[dim] = src.randint(1, 5)
            xs["x%d" % i] = src.normal(*shape)
        total = sum(x.shape[dim] for x in xs.values())
        shape[dim] = total
        xs["dy"] = src.normal(*shape)
        # PyTorch's negative dims count from the end; a runner normalizes them.
        return {"dim": dim - rank if src.randint(0, 3) == 0 else dim}, xs
    if op == "permute":
        rank = src.randint(1, 6)
        shape = _shape(src, rank, 4)
        dims = list(range(rank))
        src.rng.shuffle(dims)
        out = [shape[d] for d in dims]
        return {"dims": dims}, {"x": src.normal(*shape), "dy": src.normal(*out)}
    sa, sb = _broadcast_pair(src)
    out = list(torch.broadcast_shapes(tuple(sa), tuple(sb)))
    a, b = src.normal(*sa), src.normal(*sb)
    if op == "div":
        # Divisors away from zero: |b| in [0.5, 2].
        b = torch.where(b < 0, -1.0, 1.0).to(F64) * src.uniform(0.5, 2.0, *sb)
    if op in ("maximum", "minimum") and src.randint(0, 1) == 0:
        # Small integers, so that ties (where the gradient splits evenly) are common.
        a, b = torch.round(a), torch.round(b)
    return {}, {"a": a, "b": b, "dy": src.normal(*out)}


def fixed_cases(src):
    """Named cases of common networks: channel concat of an Inception block, NCHW to NHWC, bias add."""
    return [
        ("cat_inception", "cat", {"dim": 1},
         {"x0": src.normal(2, 3, 4, 4), "x1": src.normal(2, 5, 4, 4), "x2": src.normal(2, 2, 4, 4),
          "dy": src.normal(2, 10, 4, 4)}),
        ("permute_nchw_nhwc", "permute", {"dims": [0, 2, 3, 1]},
         {"x": src.normal(2, 3, 4, 5), "dy": src.normal(2, 4, 5, 3)}),
        ("add_bias", "add", {}, {"a": src.normal(2, 3, 4, 4), "b": src.normal(3, 1, 1), "dy": src.normal(2, 3, 4, 4)}),
        ("maximum_ties", "maximum", {},
         {"a": torch.tensor([[1.0, 2.0, 3.0]], dtype=F64), "b": torch.tensor([[1.0], [3.0]], dtype=F64),
          "dy": src.normal(2, 3)}),
        ("minimum_ties", "minimum", {},
         {"a": torch.tensor([[1.0, 2.0, 3.0]], dtype=F64), "b": torch.tensor([[1.0], [3.0]], dtype=F64),
          "dy": src.normal(2, 3)}),
    ]
