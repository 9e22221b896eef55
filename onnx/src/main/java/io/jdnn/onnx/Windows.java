package io.jdnn.onnx;

/**
 * The window attributes of Conv, ConvTranspose and the pools (kernel_shape, strides, dilations,
 * pads, auto_pad) mapped onto jdnn's 2-D problems: index 0 is height, 1 is width; a 1-D op is the
 * 2-D op of height 1. auto_pad SAME_UPPER / SAME_LOWER become explicit pads that give
 * {@code ceil(in / stride)} outputs, the odd one at the end (upper) or the beginning (lower).
 *
 * @param kernel    window extents
 * @param strides   strides
 * @param dilations dilations
 * @param begin     pads before (top, left)
 * @param end       pads after (bottom, right)
 */
record Windows(int[] kernel, int[] strides, int[] dilations, int[] begin, int[] end) {

    /** The 2-D window of node {@code l.node} over the spatial extents {@code in} (1 or 2 of them). */
    static Windows of(Lowerer l, int[] in, int[] kernelShape, boolean transposed) {
        int r = in.length;
        if (r < 1 || r > 2) {
            throw l.refuse("takes 1-D or 2-D spatial data (rank 3 or 4), got " + r + " spatial dimensions");
        }
        int[] k = two(l, "kernel_shape", l.node.getInts("kernel_shape", null), r, kernelShape, 1);
        int[] s = two(l, "strides", l.node.getInts("strides", null), r, null, 1);
        int[] d = two(l, "dilations", l.node.getInts("dilations", null), r, null, 1);
        long[] pads = l.node.getInts("pads", null);
        int[] begin = {0, 0};
        int[] end = {0, 0};
        if (pads != null) {
            if (pads.length != 2 * r) {
                throw l.refuse("pads has " + pads.length + " entries, expected " + 2 * r);
            }
            begin = two(l, "pads", java.util.Arrays.copyOfRange(pads, 0, r), r, null, 0);
            end = two(l, "pads", java.util.Arrays.copyOfRange(pads, r, 2 * r), r, null, 0);
        }
        int[] in2 = r == 1 ? new int[] {1, in[0]} : in;
        String auto = l.node.getString("auto_pad", "NOTSET");
        switch (auto) {
            case "NOTSET" -> { }
            case "VALID" -> {
                begin = new int[] {0, 0};
                end = new int[] {0, 0};
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                if (transposed) {
                    throw l.refuse("auto_pad " + auto + " on a transposed convolution is not supported");
                }
                for (int a = 0; a < 2; a++) {
                    int out = (in2[a] + s[a] - 1) / s[a];
                    int total = Math.max(0, (out - 1) * s[a] + (k[a] - 1) * d[a] + 1 - in2[a]);
                    int small = total / 2;
                    begin[a] = auto.equals("SAME_UPPER") ? small : total - small;
                    end[a] = total - begin[a];
                }
            }
            default -> throw l.refuse("auto_pad '" + auto + "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
        }
        return new Windows(k, s, d, begin, end);
    }

    /** An attribute of one entry per spatial axis as (height, width); 1-D data has height {@code fill}. */
    static int[] two(Lowerer l, String name, long[] v, int r, int[] absent, int fill) {
        if (v == null) {
            if (absent != null) {
                return absent.clone();
            }
            return new int[] {fill == 0 ? 0 : 1, fill == 0 ? 0 : 1};
        }
        if (v.length != r) {
            throw l.refuse("attribute '" + name + "' has " + v.length + " entries, expected " + r);
        }
        for (long x : v) {
            if (x < 0 || x > Integer.MAX_VALUE) {
                throw l.refuse("attribute '" + name + "' holds " + x + ", outside [0, 2^31)");
            }
        }
        return r == 1 ? new int[] {fill, (int) v[0]} : new int[] {(int) v[0], (int) v[1]};
    }

    /** The extents of a 2-D view of (N, C, spatial...) data: (N, C, H, W), H = 1 for 1-D data. */
    static int[] nchw(Lowerer l, int[] dims) {
        if (dims.length == 4) {
            return dims;
        }
        if (dims.length == 3) {
            return new int[] {dims[0], dims[1], 1, dims[2]};
        }
        throw l.refuse("takes (N, C, L) or (N, C, H, W) data, got rank " + dims.length);
    }

    /** The ONNX extents of (N, C, H, W) results for data of rank {@code rank} (3 drops the height of 1). */
    static int[] onnxDims(int rank, int n, int c, int h, int w) {
        return rank == 3 ? new int[] {n, c, w} : new int[] {n, c, h, w};
    }
}
