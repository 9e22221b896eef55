package io.jdnn.onnx;

import io.jdnn.InterpolateProblem;
import io.jdnn.PadProblem;
import io.jdnn.PixelShuffleProblem;

import java.util.Arrays;

/**
 * Pad (of the last two axes), Resize and Upsample (where ONNX's coordinate mapping coincides
 * exactly with one of {@link InterpolateProblem}'s), DepthToSpace (CRD is pixel_shuffle, DCR a
 * reshape and permute) and SpaceToDepth (pixel_unshuffle, then a permute into ONNX's channel order).
 */
final class ResampleLowering {
    private ResampleLowering() {
    }

    static void pad(Lowerer l) {
        Value x = l.in(0);
        int r = x.rank();
        String mode = l.node.getString("mode", "constant");
        long[] pads;
        double value;
        if (l.opset() < 11) {
            pads = l.node.getInts(l.opset() < 2 ? "paddings" : "pads", null);
            value = l.node.getFloat("value", 0f);
        } else {
            pads = l.longs(1, "pads", null);
            value = l.has(2) ? l.doubles(2, "constant_value")[0] : 0;
            long[] axes = l.longs(3, "axes", null);
            if (axes != null) {
                long[] full = new long[2 * r];
                for (int i = 0; i < axes.length; i++) {
                    int a = l.axis(axes[i], r);
                    full[a] = pads[i];
                    full[a + r] = pads[i + axes.length];
                }
                pads = full;
            }
        }
        if (pads == null || pads.length != 2 * r) {
            throw l.refuse("pads must have " + 2 * r + " entries, got " + (pads == null ? "none" : Arrays.toString(pads)));
        }
        for (int a = 0; a < r - 2; a++) {
            if (pads[a] != 0 || pads[a + r] != 0) {
                throw l.refuse("padding of axis " + a + " is not supported (the last two axes only)");
            }
        }
        PadProblem.Mode m = switch (mode) {
            case "constant" -> PadProblem.Mode.CONSTANT;
            case "reflect" -> PadProblem.Mode.REFLECT;
            case "edge" -> PadProblem.Mode.REPLICATE;
            default -> throw l.refuse("mode '" + mode + "' is not supported (constant, reflect, edge)");
        };
        int h = r >= 2 ? x.dims[r - 2] : 1;
        int w = x.dims[r - 1];
        int top = r >= 2 ? (int) pads[r - 2] : 0;
        int bottom = r >= 2 ? (int) pads[2 * r - 2] : 0;
        int lead = (int) (x.elements() / h / w);
        PadProblem p = PadProblem.of(lead, 1, h, w, new int[] {(int) pads[r - 1], (int) pads[2 * r - 1], top, bottom}, m,
                m == PadProblem.Mode.CONSTANT ? value : 0);
        int[] out = x.dims.clone();
        out[r - 1] = p.outWidth();
        if (r >= 2) {
            out[r - 2] = p.outHeight();
        }
        Value y = l.out(0, out);
        l.step("pad " + p, y, () -> l.device.pad(p, x.as(p.inputShape()), y.as(p.outputShape())), x);
    }

    static void resize(Lowerer l) {
        Value x = l.in(0);
        if (x.rank() != 4) {
            throw l.refuse("resizes (N, C, H, W) data only, got rank " + x.rank());
        }
        boolean upsample = l.node.opType().equals("Upsample");
        boolean legacy = upsample || l.opset() < 11; // Upsample and Resize-10: asymmetric coordinates
        String mode = l.node.getString("mode", "nearest");
        String coords = legacy ? "asymmetric" : l.node.getString("coordinate_transformation_mode", "half_pixel");
        String nearest = legacy ? "floor" : l.node.getString("nearest_mode", "round_prefer_floor");
        if (l.node.getInt("antialias", 0) != 0) {
            throw l.refuse("antialias is not supported");
        }
        if (l.node.has("axes")) {
            throw l.refuse("the axes attribute is not supported");
        }
        int[] out = outSize(l, x, upsample, legacy);
        int h = x.dims[2];
        int w = x.dims[3];
        InterpolateProblem.Mode m;
        boolean alignCorners = false;
        if (mode.equals("nearest")) {
            boolean up = out[2] % h == 0 && out[3] % w == 0;
            boolean down = h % out[2] == 0 && w % out[3] == 0;
            boolean ok = switch (coords) {
                case "asymmetric" -> nearest.equals("floor") && (up || (down && !legacy));
                case "half_pixel", "pytorch_half_pixel" -> nearest.startsWith("round_prefer") && up;
                case "tf_half_pixel_for_nn" -> nearest.equals("floor") && up;
                default -> false;
            };
            if (!ok) {
                throw l.refuse("nearest with coordinate_transformation_mode " + coords + " and nearest_mode " + nearest
                        + " from " + h + "x" + w + " to " + out[2] + "x" + out[3] + " does not coincide with PyTorch's "
                        + "nearest (floor(dst * in / out)), the only nearest jdnn has: supported are asymmetric + floor "
                        + "at integer factors, and the half-pixel modes with round_prefer_floor or _ceil at integer "
                        + "upsampling factors");
            }
            m = InterpolateProblem.Mode.NEAREST;
        } else if (mode.equals("linear")) {
            switch (coords) {
                case "half_pixel" -> { }
                case "pytorch_half_pixel" -> {
                    if (out[2] == 1 || out[3] == 1) {
                        throw l.refuse("pytorch_half_pixel with an output extent of 1 maps to 0, which bilinear "
                                + "interpolation without align_corners does not");
                    }
                }
                case "align_corners" -> alignCorners = true;
                default -> throw l.refuse("linear with coordinate_transformation_mode " + coords + " is not supported "
                        + "(half_pixel, pytorch_half_pixel and align_corners are: PyTorch's bilinear with "
                        + "align_corners false and true)");
            }
            m = InterpolateProblem.Mode.BILINEAR;
        } else {
            throw l.refuse("mode '" + mode + "' is not supported (nearest, linear)");
        }
        InterpolateProblem p = new InterpolateProblem(out[0], out[1], h, w, out[2], out[3], m, alignCorners);
        Value y = l.out(0, out);
        l.step("interpolate " + p, y, () -> l.device.interpolate(p, x.tensor(), y.tensor()), x);
    }

    /** The output extents from sizes, or from scales that give whole extents (others map coordinates differently). */
    private static int[] outSize(Lowerer l, Value x, boolean upsample, boolean legacy) {
        long[] sizes = null;
        double[] scales;
        if (upsample && l.opset() < 9) {
            float[] f = l.node.getFloats("scales", null);
            scales = f == null ? null : new double[f.length];
            for (int i = 0; f != null && i < f.length; i++) {
                scales[i] = f[i];
            }
        } else if (legacy) {
            scales = l.doubles(1, "scales");
        } else {
            scales = l.has(2) && l.in(2).elements() > 0 ? l.doubles(2, "scales") : null;
            sizes = l.has(3) ? l.longs(3, "sizes", null) : null;
            if (l.has(1) && l.in(1).elements() > 0 && l.node.getString("coordinate_transformation_mode", "")
                    .equals("tf_crop_and_resize")) {
                throw l.refuse("tf_crop_and_resize is not supported");
            }
        }
        int[] out = new int[4];
        for (int i = 0; i < 4; i++) {
            if (sizes != null) {
                out[i] = (int) sizes[i];
            } else if (scales != null && scales.length == 4) {
                double e = x.dims[i] * scales[i];
                if (e != Math.floor(e)) {
                    throw l.refuse("scale " + scales[i] + " of extent " + x.dims[i] + " gives " + e + ", not a whole "
                            + "extent; ONNX then maps coordinates by the scale, PyTorch's kernels by the extents");
                }
                out[i] = (int) e;
            } else {
                throw l.refuse("needs 4 scales or 4 sizes");
            }
        }
        if (out[0] != x.dims[0] || out[1] != x.dims[1]) {
            throw l.refuse("resizing the batch or channel axis is not supported");
        }
        return out;
    }

    static void depthToSpace(Lowerer l) {
        Value x = l.in(0);
        int[] d = fourD(l, x);
        int b = (int) l.node.requireInt("blocksize");
        if (d[1] % (b * b) != 0) {
            throw l.refuse(d[1] + " channels are not a multiple of blocksize^2 = " + b * b);
        }
        int c = d[1] / (b * b);
        int[] out = {d[0], c, d[2] * b, d[3] * b};
        if (l.node.getString("mode", "DCR").equals("CRD")) {
            PixelShuffleProblem p = PixelShuffleProblem.shuffle(d[0], d[1], d[2], d[3], b);
            Value y = l.out(0, out);
            l.step("pixelShuffle " + p, y, () -> l.device.pixelShuffle(p, x.tensor(), y.tensor()), x);
            return;
        }
        Value split = Value.view(l.node.name() + ":blocks", new int[] {d[0], b, b, c, d[2], d[3]}, x);
        Value t = l.temp(l.node.name() + ":dcr", new int[] {d[0], c, d[2], b, d[3], b});
        ShapeLowering.permute(l, split, new int[] {0, 3, 4, 1, 5, 2}, t);
        l.view(0, t, out);
    }

    static void spaceToDepth(Lowerer l) {
        Value x = l.in(0);
        int[] d = fourD(l, x);
        int b = (int) l.node.requireInt("blocksize");
        PixelShuffleProblem p = PixelShuffleProblem.unshuffle(d[0], d[1], d[2], d[3], b);
        int h = d[2] / b;
        int w = d[3] / b;
        Value u = l.temp(l.node.name() + ":unshuffled", new int[] {d[0], d[1], b * b, h, w});
        l.step("pixelUnshuffle " + p, u, () -> l.device.pixelShuffle(p, x.tensor(), u.as(p.outputShape())), x);
        Value t = l.temp(l.node.name() + ":order", new int[] {d[0], b * b, d[1], h, w});
        ShapeLowering.permute(l, u, new int[] {0, 2, 1, 3, 4}, t);
        l.view(0, t, new int[] {d[0], d[1] * b * b, h, w});
    }

    private static int[] fourD(Lowerer l, Value x) {
        if (x.rank() != 4) {
            throw l.refuse("takes (N, C, H, W) data, got rank " + x.rank());
        }
        return x.dims;
    }
}
