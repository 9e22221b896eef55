package io.jdnn.bench.onnx;

import io.jdnn.Device;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.onnx.CompiledModel;
import io.jdnn.onnx.ConstantTensor;
import io.jdnn.onnx.TensorInfo;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/** What the {@code jdnn onnx} commands share: shapes, random and file inputs, the compile summary. */
final class OnnxCli {
    private OnnxCli() {
    }

    static Shape shape(TensorInfo t) {
        return t.shape();
    }

    /** Uniform values in [-1, 1) from {@code seed}, as many as {@code t} holds. */
    static float[] random(TensorInfo t, long seed) {
        Random r = new Random(seed);
        float[] v = new float[Math.toIntExact(t.elementCount())];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return v;
    }

    /** A tensor file's elements for input {@code in}: float data of the input's element count. */
    static float[] data(ConstantTensor c, TensorInfo in, String what) {
        if (!c.isFloat()) {
            throw new IllegalArgumentException(what + ": holds " + c.type() + " data; input '" + in.name()
                    + "' takes floats");
        }
        if (c.size() != in.elementCount()) {
            throw new IllegalArgumentException(what + ": holds " + Arrays.toString(c.info().dims()) + ", input '"
                    + in.name() + "' takes " + Arrays.toString(in.dims()));
        }
        return c.floats();
    }

    static Tensor upload(Device d, TensorInfo in, float[] data) {
        return d.upload(shape(in), data);
    }

    /** Two lines: the device, the launches and the planned memory of a compiled model. */
    static void summary(PrintWriter out, CompiledModel m, double compileMs) {
        Device d = m.device();
        CompiledModel.Memory mem = m.memory();
        out.printf(Locale.ROOT, "device    %s, %s, %s%n", d.spec(), d.info().name(), d.info().precision());
        long fused = m.launches().stream().filter(l -> l.endsWith(" fused)")).count();
        long second = m.launches().stream().filter(l -> l.endsWith(" as a second launch)")).count();
        String epilogues = fused + second == 0 ? ""
                : String.format(Locale.ROOT, " (%d convolutions with an activation fused, %d with it as a second launch)",
                        fused, second);
        out.printf(Locale.ROOT, "compiled  in %.1f ms: %d launches%s; planned peak %s (activations %s in %d buffers, "
                        + "%s without sharing; constants %s)%n", compileMs, m.launches().size(), epilogues,
                mib(mem.plannedPeakBytes()), mib(mem.plannedActivationBytes()), mem.buffers(),
                mib(mem.activationBytes()), mib(mem.constantBytes()));
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.2f MiB", bytes / (1024.0 * 1024.0));
    }
}
