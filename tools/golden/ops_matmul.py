"""Golden cases of the batched matrix product matmul: torch.matmul of operands of rank 2 or more,
with broadcasting batch dimensions, and its gradients. Not in FORMAT.md's second set; its row is
in tests/src/test/resources/golden/README.md. Loaded by generate.py."""

import torch

F64 = torch.float64

PARAMS = {"matmul": []}


def _leaf(t):
    return t.detach().clone().to(F64).requires_grad_(True)


def compute(op, params, inputs):
    """{output: float64 tensor} from float64 copies of the inputs."""
    a, b = _leaf(inputs["a"]), _leaf(inputs["b"])
    y = torch.matmul(a, b)
    out = {"y": y}
    if "dy" in inputs:
        y.backward(inputs["dy"].to(F64))
        out.update({"da": a.grad, "db": b.grad})
    return out


def _operands(src):
    """Shapes of a (..., M, K) and b (..., K, N): trailing parts of one batch shape, some extents 1."""
    batch = [src.randint(1, 3) for _ in range(src.randint(0, 3))]
    m, k, n = src.randint(1, 9), src.randint(1, 9), src.randint(1, 9)
    pair = []
    for rows, cols in ((m, k), (k, n)):
        rank = src.randint(0, len(batch))
        own = [1 if src.randint(0, 2) == 0 else d for d in batch[len(batch) - rank:]]
        pair.append(own + [rows, cols])
    return pair


def random_case(src, op, opts):
    """(params, inputs) of one random valid case of matmul."""
    sa, sb = _operands(src)
    a, b = src.normal(*sa), src.normal(*sb)
    out = list(torch.matmul(a, b).shape)
    return {}, {"a": a, "b": b, "dy": src.normal(*out)}


def fixed_cases(src):
    """Named cases: attention scores (both operands batched), a shared weight, cross-broadcast batches."""
    return [
        ("matmul_attention", "matmul", {},
         {"a": src.normal(2, 3, 5, 8), "b": src.normal(2, 3, 8, 5), "dy": src.normal(2, 3, 5, 5)}),
        ("matmul_shared_weight", "matmul", {},
         {"a": src.normal(2, 4, 6), "b": src.normal(6, 3), "dy": src.normal(2, 4, 3)}),
        ("matmul_cross_broadcast", "matmul", {},
         {"a": src.normal(2, 1, 3, 4), "b": src.normal(3, 4, 2), "dy": src.normal(2, 3, 3, 2)}),
    ]
