package io.jdnn.onnx;

import io.jdnn.ConvProblem;
import io.jdnn.PixelShuffleProblem;
import io.jdnn.PoolMode;
import io.jdnn.PoolProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.nn.ActivationLayer;
import io.jdnn.nn.BatchNorm2d;
import io.jdnn.nn.Concat;
import io.jdnn.nn.ConvLayer;
import io.jdnn.nn.ConvSettings;
import io.jdnn.nn.Dropout;
import io.jdnn.nn.Flatten;
import io.jdnn.nn.GroupNorm;
import io.jdnn.nn.Identity;
import io.jdnn.nn.InstanceNorm;
import io.jdnn.nn.LayerNorm;
import io.jdnn.nn.Linear;
import io.jdnn.nn.LocalResponseNorm;
import io.jdnn.nn.LogSoftmax;
import io.jdnn.nn.Module;
import io.jdnn.nn.PRelu;
import io.jdnn.nn.Parameter;
import io.jdnn.nn.PixelShuffle;
import io.jdnn.nn.Pool2d;
import io.jdnn.nn.Residual;
import io.jdnn.nn.Sequential;
import io.jdnn.onnx.internal.proto.AttributeProto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.jdnn.onnx.ExportGraph.attr;
import static io.jdnn.onnx.ExportGraph.child;
import static io.jdnn.onnx.ExportGraph.ints;

/**
 * Writes the evaluation-mode form of an {@code nn} module into an {@link ExportGraph}, one module at a
 * time, tracking the shape of the value that flows: batch norm with its running statistics, dropout
 * and {@link Identity} as nothing. Values are named after the module's path, PyTorch's way
 * ({@code 4.main.0.weight}).
 */
final class ModuleExporter {
    /** A value of the graph and its shape. */
    record Value(String name, Shape shape) {
    }

    private final ExportGraph g;

    ModuleExporter(ExportGraph graph) {
        this.g = graph;
    }

    /** Writes {@code m}, at {@code path} of the exported model, applied to {@code x}; returns its output. */
    Value export(Module m, String path, Value x) {
        if (m instanceof Sequential s) {
            Value t = x;
            for (int i = 0; i < s.size(); i++) {
                t = export(s.get(i), child(path, String.valueOf(i)), t);
            }
            return t;
        }
        if (m instanceof Residual r) {
            return residual(r, path, x);
        }
        if (m instanceof Concat c) {
            return concat(c, path, x);
        }
        if (m instanceof Identity || m instanceof Dropout) {
            return x;
        }
        if (m instanceof ActivationLayer a) {
            String reason = ActivationExport.refusal(a.activation());
            if (reason != null) {
                throw refuse(m, path, reason);
            }
            return same(x, ActivationExport.write(g, a.activation(), path, x.name()));
        }
        return layer(m, path, x);
    }

    private Value layer(Module m, String path, Value x) {
        if (m instanceof ConvLayer c) {
            return conv(c, path, x);
        } else if (m instanceof Pool2d p) {
            return pool(p, path, x);
        } else if (m instanceof Linear l) {
            return linear(l, path, x);
        } else if (m instanceof Flatten) {
            Shape s = x.shape();
            return new Value(g.node(path, "Flatten", List.of(x.name()), attr("axis", 1L)),
                    Shape.of(s.dim(0), Math.toIntExact(s.elements() / s.dim(0))));
        } else if (m instanceof BatchNorm2d b) {
            requireRank(m, path, x, 4, 4);
            return same(x, g.node(path, "BatchNormalization", List.of(x.name(), param(path, "weight", b.gamma()),
                    param(path, "bias", b.beta()), tensor(path, "running_mean", b.runningMean()),
                    tensor(path, "running_var", b.runningVar())), attr("epsilon", b.eps()),
                    attr("momentum", 1 - b.momentum())));
        } else if (m instanceof GroupNorm n) {
            return groupNorm(n, path, x);
        } else if (m instanceof InstanceNorm n) {
            requireRank(m, path, x, 3, Integer.MAX_VALUE);
            return same(x, g.node(path, "InstanceNormalization", List.of(x.name(), param(path, "weight", n.weight()),
                    param(path, "bias", n.bias())), attr("epsilon", n.eps())));
        } else if (m instanceof LayerNorm n) {
            g.requireOpset(17);
            return same(x, g.node(path, "LayerNormalization", List.of(x.name(), param(path, "weight", n.weight()),
                    param(path, "bias", n.bias())), attr("axis", (long) -n.normalizedShape().rank()),
                    attr("epsilon", n.eps())));
        } else if (m instanceof LocalResponseNorm n) {
            return lrn(n, path, x);
        } else if (m instanceof PRelu p) {
            return prelu(p, path, x);
        } else if (m instanceof PixelShuffle p) {
            return pixelShuffle(p, path, x);
        } else if (m instanceof LogSoftmax) {
            requireRank(m, path, x, 2, 2);
            return same(x, g.node(path, "LogSoftmax", List.of(x.name()), attr("axis", 1L)));
        }
        throw refuse(m, path, "has no ONNX form (the exporter knows Sequential, Residual, Concat, Identity and the "
                + "layers io.jdnn.nn.Layers makes)");
    }

    private Value residual(Residual r, String path, Value x) {
        Value a = export(r.main(), child(path, "main"), x);
        Value s = r.shortcut() == null ? x : export(r.shortcut(), child(path, "shortcut"), x);
        if (!a.shape().equals(s.shape())) {
            throw refuse(r, path, "main branch gives " + a.shape() + " but the shortcut gives " + s.shape());
        }
        return new Value(g.node(path, "Add", List.of(a.name(), s.name())), a.shape());
    }

    private Value concat(Concat c, String path, Value x) {
        List<String> outs = new ArrayList<>();
        int[] dims = null;
        for (int i = 0; i < c.children().size(); i++) {
            Value y = export(c.branch(i), child(path, String.valueOf(i)), x);
            if (dims == null) {
                dims = y.shape().dims();
            } else {
                dims[1] += y.shape().dim(1);
            }
            outs.add(y.name());
        }
        return new Value(g.node(path, "Concat", outs, attr("axis", 1L)), Shape.of(dims));
    }

    private Value conv(ConvLayer c, String path, Value x) {
        ConvProblem p = c.problemFor(x.shape());
        ConvSettings s = c.settings();
        List<String> inputs = new ArrayList<>(List.of(x.name(), param(path, "weight", c.weight())));
        if (c.bias() != null) {
            inputs.add(param(path, "bias", c.bias()));
        }
        List<AttributeProto> attrs = new ArrayList<>(List.of(
                ints("kernel_shape", s.kernelH(), s.kernelW()), ints("strides", s.strideH(), s.strideW()),
                ints("pads", s.padH(), s.padW(), s.padBottom(), s.padRight()),
                ints("dilations", s.dilationH(), s.dilationW()), attr("group", (long) s.groups())));
        if (s.transposed()) {
            attrs.add(ints("output_padding", s.outputPadH(), s.outputPadW()));
        }
        String op = s.transposed() ? "ConvTranspose" : "Conv";
        return new Value(g.node(path, op, inputs, attrs.toArray(new AttributeProto[0])),
                p.outputShape());
    }

    private Value pool(Pool2d layer, String path, Value x) {
        PoolProblem p = layer.problemFor(x.shape());
        String in = x.name();
        if (p.mode() == PoolMode.ADAPTIVE_AVG) {
            if (p.adaptiveH() != 1 || p.adaptiveW() != 1) {
                throw refuse(layer, path, "adaptive average pooling to " + p.adaptiveH() + "x" + p.adaptiveW()
                        + " has no ONNX op (only the global 1x1 form has)");
            }
            return new Value(g.node(path, "GlobalAveragePool", List.of(in)), p.outputShape());
        }
        var kernel = ints("kernel_shape", p.kernelH(), p.kernelW());
        var strides = ints("strides", p.strideH(), p.strideW());
        var pads = ints("pads", p.padH(), p.padW(), p.padBottom(), p.padRight());
        var ceil = attr("ceil_mode", p.ceilMode() ? 1L : 0L);
        String y = p.mode() == PoolMode.MAX
                ? g.node(path, "MaxPool", List.of(in), kernel, strides, pads, ceil, ints("dilations", p.dilationH(), p.dilationW()))
                : g.node(path, "AveragePool", List.of(in), kernel, strides, pads, ceil,
                attr("count_include_pad", p.countIncludePad() ? 1L : 0L));
        return new Value(y, p.outputShape());
    }

    private Value linear(Linear l, String path, Value x) {
        Shape w = l.weight().shape();
        if (x.shape().rank() != 2 || x.shape().dim(1) != w.dim(1)) {
            throw refuse(l, path, "expects input (batch, " + w.dim(1) + "), gets " + x.shape());
        }
        List<String> inputs = new ArrayList<>(List.of(x.name(), param(path, "weight", l.weight())));
        if (l.bias() != null) {
            inputs.add(param(path, "bias", l.bias()));
        }
        return new Value(g.node(path, "Gemm", inputs, attr("transB", 1L)), Shape.of(x.shape().dim(0), w.dim(0)));
    }

    // Reshape to (N, G, rest), normalize each (sample, group) row, reshape back, then the per-channel affine map:
    // GroupNormalization-18 scales per group, and -21 is newer than the opsets jdnn reads.
    private Value groupNorm(GroupNorm n, String path, Value x) {
        requireRank(n, path, x, 2, Integer.MAX_VALUE);
        int groups = n.groups();
        float[] ones = new float[groups];
        Arrays.fill(ones, 1f);
        String grouped = g.node(path, "Reshape", List.of(x.name(), g.int64s(child(path, "grouped_shape"), 0, groups, -1)));
        String normed = g.node(path, "InstanceNormalization", List.of(grouped,
                g.floats(child(path, "group_scale"), new long[] {groups}, ones),
                g.floats(child(path, "group_bias"), new long[] {groups}, new float[groups])), attr("epsilon", n.eps()));
        long[] back = longs(x.shape().dims());
        back[0] = 0;
        String restored = g.node(path, "Reshape", List.of(normed, g.int64s(child(path, "shape"), back)));
        long[] perChannel = channelShape(x.shape());
        String scaled = g.node(path, "Mul", List.of(restored, g.floats(child(path, "weight"), perChannel, n.weight().value().toArray())));
        return same(x, g.node(path, "Add", List.of(scaled, g.floats(child(path, "bias"), perChannel, n.bias().value().toArray()))));
    }

    private Value lrn(LocalResponseNorm n, String path, Value x) {
        if (n.size() % 2 == 0) {
            throw refuse(n, path, "size " + n.size() + " is even: its window reaches one channel further down than "
                    + "ONNX's LRN window, which reaches one further up");
        }
        requireRank(n, path, x, 4, 4);
        return same(x, g.node(path, "LRN", List.of(x.name()), attr("size", (long) n.size()), attr("alpha", n.alpha()),
                attr("beta", n.beta()), attr("bias", n.k())));
    }

    private Value prelu(PRelu p, String path, Value x) {
        float[] slopes = p.weight().value().toArray();
        long[] dims = slopes.length == 1 ? new long[] {1} : channelShape(x.shape());
        return same(x, g.node(path, "PRelu", List.of(x.name(), g.floats(child(path, "weight"), dims, slopes))));
    }

    private Value pixelShuffle(PixelShuffle layer, String path, Value x) {
        requireRank(layer, path, x, 4, 4);
        Shape s = x.shape();
        int r = layer.factor();
        PixelShuffleProblem p = new PixelShuffleProblem(s.dim(0), s.dim(1), s.dim(2), s.dim(3), r, layer.unshuffle());
        Shape out = p.outputShape();
        if (!layer.unshuffle()) {
            return new Value(g.node(path, "DepthToSpace", List.of(x.name()), attr("blocksize", (long) r),
                    attr("mode", "CRD")), out);
        }
        // ONNX's SpaceToDepth orders the new channels block-major; PyTorch's unshuffle orders them channel-major.
        int c = s.dim(1);
        int h = out.dim(2);
        int w = out.dim(3);
        String split = g.node(path, "Reshape", List.of(x.name(), g.int64s(child(path, "split_shape"), 0, c, h, r, w, r)));
        String moved = g.node(path, "Transpose", List.of(split), ints("perm", 0, 1, 3, 5, 2, 4));
        return new Value(g.node(path, "Reshape", List.of(moved, g.int64s(child(path, "shape"), 0, (long) c * r * r, h, w))), out);
    }

    private String param(String path, String field, Parameter p) {
        return tensor(path, field, p.value());
    }

    private String tensor(String path, String field, Tensor t) {
        return g.floats(child(path, field), longs(t.shape().dims()), t.toArray());
    }

    private static Value same(Value x, String name) {
        return new Value(name, x.shape());
    }

    /** (C, 1, ..., 1) of rank r - 1 for an input of rank r: a per-channel tensor that broadcasts over (N, C, ...). */
    private static long[] channelShape(Shape x) {
        long[] dims = new long[Math.max(1, x.rank() - 1)];
        Arrays.fill(dims, 1);
        dims[0] = x.dim(1);
        return dims;
    }

    private void requireRank(Module m, String path, Value x, int min, int max) {
        int r = x.shape().rank();
        if (r < min || r > max) {
            String want = min == max ? "rank " + min : "rank " + min + " or more";
            throw refuse(m, path, "exports for inputs of " + want + " only, gets " + x.shape());
        }
    }

    private static long[] longs(int[] dims) {
        long[] out = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = dims[i];
        }
        return out;
    }

    /** The exception naming a module that cannot be exported, where it is and why. */
    static IllegalArgumentException refuse(Module m, String path, String reason) {
        return new IllegalArgumentException("ONNX export: module " + (path.isEmpty() ? "(the model)" : "'" + path + "'")
                + " " + m + " (" + m.getClass().getName() + ") " + reason);
    }
}
