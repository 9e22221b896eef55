package io.jdnn.kernels;

import io.jdnn.Activation;
import io.jdnn.Philox;
import io.jdnn.spi.Buffer;

/**
 * The element-wise ops of a {@link KernelDevice} ({@code elementwise.cl}): fill, activations,
 * axpby, dropout and the Philox random fills, each a 1-D grid-stride launch.
 */
final class Elementwise {
    private Elementwise() {
    }

    static void fill(KernelDevice device, Buffer dst, long elements, double value) {
        device.launch("fill", "n=" + elements, "elementwise.cl", "ew_fill")
                .arg("n", elements).arg("value", (float) value).arg("out", dst)
                .elements(elements);
    }

    /** The kernels' numbering of the activation kinds (EW_RELU ... in jdnn_portable.h). */
    static int activationCode(Activation.Kind kind) {
        return switch (kind) {
            case RELU -> 0;
            case LEAKY_RELU -> 1;
            case ELU -> 2;
            case SIGMOID -> 3;
            case TANH -> 4;
            case RELU6 -> 5;
            case HARDSWISH -> 6;
            case HARDSIGMOID -> 7;
            case SILU -> 8;
            case MISH -> 9;
            case GELU -> 10;
            case GELU_TANH -> 11;
            case SOFTPLUS -> 12;
        };
    }

    static void activationForward(KernelDevice device, Activation a, long n, Buffer x, Buffer y) {
        device.launch("activationForward", a + " n=" + n, "elementwise.cl", "ew_activation_forward")
                .arg("n", n).arg("kind", activationCode(a.kind())).arg("alpha", (float) a.alpha())
                .arg("threshold", (float) a.threshold()).arg("x", x).arg("y", y)
                .elements(n);
    }

    static void activationBackward(KernelDevice device, Activation a, long n, Buffer x, Buffer dy, Buffer dx) {
        device.launch("activationBackward", a + " n=" + n, "elementwise.cl", "ew_activation_backward")
                .arg("n", n).arg("kind", activationCode(a.kind())).arg("alpha", (float) a.alpha())
                .arg("threshold", (float) a.threshold()).arg("x", x).arg("dy", dy).arg("dx", dx)
                .elements(n);
    }

    static void axpby(KernelDevice device, long n, double alpha, Buffer a, double beta, Buffer b, Buffer out) {
        device.launch("axpby", "n=" + n, "elementwise.cl", "ew_axpby")
                .arg("n", n).arg("alpha", (float) alpha).arg("a", a).arg("beta", (float) beta).arg("b", b)
                .arg("out", out)
                .elements(n);
    }

    /** Dropout forward (in = x, out = y) and backward (in = dy, out = dx): the same mask from (seed, offset). */
    static void dropout(KernelDevice device, String op, long n, double p, long seed, long offset, Buffer in,
                        Buffer out) {
        String problem = "n=" + n + " p=" + p + " seed=" + seed + " offset=" + offset;
        withPhilox(device.launch(op, problem, "elementwise.cl", "ew_dropout")
                .arg("n", n).arg("threshold", Philox.dropoutThreshold(p)).arg("scale", (float) (1.0 / (1.0 - p))),
                seed, offset)
                .arg("in", in).arg("out", out)
                .elements((n + 3) / 4);
    }

    static void randomUniform(KernelDevice device, long n, double lo, double hi, long seed, long offset, Buffer out) {
        String problem = "n=" + n + " lo=" + lo + " hi=" + hi + " seed=" + seed + " offset=" + offset;
        withPhilox(device.launch("randomUniform", problem, "elementwise.cl", "ew_random_uniform")
                .arg("n", n).arg("lo", (float) lo).arg("range", (float) (hi - lo)), seed, offset)
                .arg("out", out)
                .elements((n + 3) / 4);
    }

    static void randomNormal(KernelDevice device, long n, double mean, double std, long seed, long offset,
                             Buffer out) {
        String problem = "n=" + n + " mean=" + mean + " std=" + std + " seed=" + seed + " offset=" + offset;
        withPhilox(device.launch("randomNormal", problem, "elementwise.cl", "ew_random_normal")
                .arg("n", n).arg("mean", (float) mean).arg("stddev", (float) std), seed, offset)
                .arg("out", out)
                .elements(n);
    }

    /** The Philox key (seed) and counter half (offset) as the four u32 arguments the kernels take. */
    private static KernelLaunch withPhilox(KernelLaunch l, long seed, long offset) {
        return l.arg("seed_lo", (int) seed).arg("seed_hi", (int) (seed >>> 32))
                .arg("offset_lo", (int) offset).arg("offset_hi", (int) (offset >>> 32));
    }
}
