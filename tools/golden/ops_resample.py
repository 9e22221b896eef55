"""Golden cases of the resampling and padding ops (FORMAT.md, "Second set of ops"): interpolate
(nearest, bilinear with and without align_corners), pixel_shuffle, pixel_unshuffle and pad
(constant, reflect, replicate). Loaded by generate.py."""

import torch
import torch.nn.functional as F

F64 = torch.float64

PARAMS = {
    "interpolate": ["mode", "size", "align_corners"],
    "pixel_shuffle": ["upscale_factor"],
    "pixel_unshuffle": ["downscale_factor"],
    "pad": ["pad", "mode", "value"],
}


def _leaf(t):
    return t.detach().clone().to(F64).requires_grad_(True)


def compute(op, params, inputs):
    """{output: float64 tensor} from float64 copies of the inputs."""
    x = _leaf(inputs["x"])
    if op == "interpolate":
        ac = params["align_corners"] if params["mode"] == "bilinear" else None
        y = F.interpolate(x, size=params["size"], mode=params["mode"], align_corners=ac)
    elif op == "pixel_shuffle":
        y = F.pixel_shuffle(x, params["upscale_factor"])
    elif op == "pixel_unshuffle":
        y = F.pixel_unshuffle(x, params["downscale_factor"])
    elif params["mode"] == "constant":
        y = F.pad(x, params["pad"], mode="constant", value=params["value"])
    else:
        y = F.pad(x, params["pad"], mode=params["mode"])
    out = {"y": y}
    if "dy" in inputs:
        y.backward(inputs["dy"].to(F64))
        out["dx"] = x.grad
    return out


def random_case(src, op, opts):
    """(params, inputs) of one random valid case: small NCHW shapes, odd sizes and 1s included."""
    n, c = src.randint(1, 2), src.randint(1, 3)
    if op == "interpolate":
        mode = src.choice(["nearest", "bilinear"])
        ac = mode == "bilinear" and src.choice([False, True])
        h, w = src.randint(1, 7), src.randint(1, 7)
        size = [src.randint(1, 13), src.randint(1, 13)]
        x = src.normal(n, c, h, w)
        return {"mode": mode, "size": size, "align_corners": ac}, {"x": x, "dy": src.normal(n, c, size[0], size[1])}
    if op == "pixel_shuffle":
        r = src.randint(1, 3)
        h, w = src.randint(1, 5), src.randint(1, 5)
        x = src.normal(n, c * r * r, h, w)
        return {"upscale_factor": r}, {"x": x, "dy": src.normal(n, c, h * r, w * r)}
    if op == "pixel_unshuffle":
        r = src.randint(1, 3)
        h, w = r * src.randint(1, 4), r * src.randint(1, 4)
        x = src.normal(n, c, h, w)
        return {"downscale_factor": r}, {"x": x, "dy": src.normal(n, c * r * r, h // r, w // r)}
    mode = src.choice(["constant", "reflect", "replicate"])
    h, w = src.randint(1, 7), src.randint(1, 7)
    if mode == "reflect":
        h, w = max(h, 2), max(w, 2)
        pad = [src.randint(0, w - 1), src.randint(0, w - 1), src.randint(0, h - 1), src.randint(0, h - 1)]
    elif mode == "replicate":
        pad = [src.randint(0, 6) for _ in range(4)]
    else:
        # negative pads crop (keeping at least one cell)
        pad = [src.randint(-(w - 1) // 2, 4), src.randint(-(w - 1) // 2, 4),
               src.randint(-(h - 1) // 2, 4), src.randint(-(h - 1) // 2, 4)]
    value = src.uniform(-2, 2, 1).item() if mode == "constant" else 0.0
    oh, ow = h + pad[2] + pad[3], w + pad[0] + pad[1]
    x = src.normal(n, c, h, w)
    return {"pad": pad, "mode": mode, "value": value}, {"x": x, "dy": src.normal(n, c, oh, ow)}


def fixed_cases(src):
    """Cases of common networks: a U-Net's nearest upsampling, an FPN's bilinear resize, a corner-aligned downsizing, ESPCN's upscaling, a space-to-depth stem, reflection padding of style transfer."""
    return [
        ("interpolate_nearest_x2", "interpolate", {"mode": "nearest", "size": [8, 10], "align_corners": False},
         {"x": src.normal(1, 2, 4, 5), "dy": src.normal(1, 2, 8, 10)}),
        ("interpolate_bilinear_fpn", "interpolate", {"mode": "bilinear", "size": [7, 9], "align_corners": False},
         {"x": src.normal(1, 2, 4, 5), "dy": src.normal(1, 2, 7, 9)}),
        ("interpolate_bilinear_corners_down", "interpolate", {"mode": "bilinear", "size": [3, 2], "align_corners": True},
         {"x": src.normal(1, 2, 7, 5), "dy": src.normal(1, 2, 3, 2)}),
        ("pixel_shuffle_espcn", "pixel_shuffle", {"upscale_factor": 3},
         {"x": src.normal(1, 9, 4, 5), "dy": src.normal(1, 1, 12, 15)}),
        ("pixel_unshuffle_stem", "pixel_unshuffle", {"downscale_factor": 2},
         {"x": src.normal(1, 3, 8, 6), "dy": src.normal(1, 12, 4, 3)}),
        ("pad_reflect_style", "pad", {"pad": [3, 3, 3, 3], "mode": "reflect", "value": 0.0},
         {"x": src.normal(1, 2, 6, 5), "dy": src.normal(1, 2, 12, 11)}),
        ("pad_replicate_wide", "pad", {"pad": [5, 0, 2, 7], "mode": "replicate", "value": 0.0},
         {"x": src.normal(2, 1, 3, 4), "dy": src.normal(2, 1, 12, 9)}),
        ("pad_constant_crop", "pad", {"pad": [-1, 2, 1, -2], "mode": "constant", "value": 0.5},
         {"x": src.normal(1, 2, 5, 5), "dy": src.normal(1, 2, 4, 6)}),
    ]
