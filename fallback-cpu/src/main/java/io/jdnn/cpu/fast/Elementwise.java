package io.jdnn.cpu.fast;

import io.jdnn.Activation;

/**
 * Element-wise ops: activations (the second set's in {@link Activations}), axpby, dropout and the Philox fills. The index range is split
 * into fixed contiguous chunks; every loop indexes all its arrays alike, so HotSpot vectorizes
 * the arithmetic ones. Transcendentals go through float64 {@link Math} and round once.
 */
final class Elementwise {
    private Elementwise() {
    }

    /** Elements per task: large enough to amortize the hand-off, small enough to balance. */
    static final int CHUNK = 1 << 16;

    interface Range {
        void run(int from, int to);
    }

    static void chunks(CpuDevice dev, long n, Range r) {
        int tasks = (int) ((n + CHUNK - 1) / CHUNK);
        dev.parallel().forEach(tasks, (t, worker) -> r.run(t * CHUNK, (int) Math.min(n, (long) (t + 1) * CHUNK)));
    }

    static void activationForward(CpuDevice dev, Activation a, long n, float[] x, float[] y) {
        chunks(dev, n, (from, to) -> activate(a, from, to, x, y));
    }

    /**
     * y[i] = a(x[i]) for i in [from, to): the one float32 definition of every activation on this
     * backend, used by {@link #activationForward} and by the convolutions' fused epilogues (so a
     * fused convolution gives the bits of the convolution followed by the activation op); y may be x.
     */
    static void activate(Activation a, int from, int to, float[] x, float[] y) {
        float alpha = (float) a.alpha();
        switch (a.kind()) {
            case RELU -> {
                for (int i = from; i < to; i++) {
                    y[i] = Math.max(x[i], 0f);
                }
            }
            case LEAKY_RELU -> {
                for (int i = from; i < to; i++) {
                    float v = x[i];
                    y[i] = v > 0f ? v : v * alpha;
                }
            }
            case ELU -> {
                for (int i = from; i < to; i++) {
                    float v = x[i];
                    y[i] = v <= 0f ? (float) (a.alpha() * Math.expm1(v)) : v;
                }
            }
            case SIGMOID -> {
                for (int i = from; i < to; i++) {
                    y[i] = (float) (1 / (1 + Math.exp(-(double) x[i])));
                }
            }
            case TANH -> {
                for (int i = from; i < to; i++) {
                    y[i] = (float) Math.tanh(x[i]);
                }
            }
            case RELU6, HARDSWISH, HARDSIGMOID, SILU, MISH, GELU, GELU_TANH, SOFTPLUS ->
                    Activations.forward(a, from, to, x, y);
        }
    }

    /** The fused epilogue of a convolution's store: y[i] = a(y[i]) over [from, to); nothing when a is null. */
    static void epilogue(Activation a, float[] y, int from, int to) {
        if (a != null) {
            activate(a, from, to, y, y);
        }
    }

    static void activationBackward(CpuDevice dev, Activation a, long n, float[] x, float[] dy, float[] dx) {
        float alpha = (float) a.alpha();
        chunks(dev, n, (from, to) -> {
            switch (a.kind()) {
                case RELU -> {
                    for (int i = from; i < to; i++) {
                        dx[i] = x[i] <= 0f ? 0f : dy[i];
                    }
                }
                case LEAKY_RELU -> {
                    for (int i = from; i < to; i++) {
                        dx[i] = x[i] > 0f ? dy[i] : dy[i] * alpha;
                    }
                }
                case ELU -> {
                    for (int i = from; i < to; i++) {
                        float v = x[i];
                        dx[i] = v <= 0f ? (float) (dy[i] * a.alpha() * Math.exp(v)) : dy[i];
                    }
                }
                case SIGMOID -> {
                    for (int i = from; i < to; i++) {
                        double s = 1 / (1 + Math.exp(-(double) x[i]));
                        dx[i] = (float) (dy[i] * s * (1 - s));
                    }
                }
                case TANH -> {
                    for (int i = from; i < to; i++) {
                        double t = Math.tanh(x[i]);
                        dx[i] = (float) (dy[i] * (1 - t * t));
                    }
                }
                case RELU6, HARDSWISH, HARDSIGMOID, SILU, MISH, GELU, GELU_TANH, SOFTPLUS ->
                        Activations.backward(a, from, to, x, dy, dx);
            }
        });
    }

    static void axpby(CpuDevice dev, long n, double alpha, float[] a, double beta, float[] b, float[] out) {
        float fa = (float) alpha, fb = (float) beta;
        chunks(dev, n, (from, to) -> {
            for (int i = from; i < to; i++) {
                out[i] = Math.fma(fa, a[i], fb * b[i]);
            }
        });
    }

    // ------------------------------------------------------------------ Philox streams

    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;

    /** Philox4x32-10 of (c0, c1, c2, c3) under (k0, k1) into out[0..4); equals {@link io.jdnn.Philox#block}. */
    static void philox(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int round = 0; round < 10; round++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** Calls {@code body(i, word)} with the uniform stream's 32-bit word of every element i in [from, to). */
    interface WordSink {
        void accept(int i, int word);
    }

    private static void uniformWords(long seed, long offset, int from, int to, WordSink sink) {
        int[] w = new int[4];
        int k0 = (int) seed, k1 = (int) (seed >>> 32), o0 = (int) offset, o1 = (int) (offset >>> 32);
        long block = -1;
        for (int i = from; i < to; i++) {
            long bi = (long) i >>> 2;
            if (bi != block) {
                philox((int) bi, (int) (bi >>> 32), o0, o1, k0, k1, w);
                block = bi;
            }
            sink.accept(i, w[i & 3]);
        }
    }

    static void dropout(CpuDevice dev, long n, double p, long seed, long offset, float[] x, float[] y) {
        int threshold = io.jdnn.Philox.dropoutThreshold(p);
        float scale = (float) (1 / (1 - p));
        chunks(dev, n, (from, to) -> uniformWords(seed, offset, from, to,
                (i, word) -> y[i] = (word >>> 8) >= threshold ? x[i] * scale : 0f));
    }

    static void randomUniform(CpuDevice dev, long n, double lo, double hi, long seed, long offset, float[] out) {
        double range = hi - lo;
        chunks(dev, n, (from, to) -> uniformWords(seed, offset, from, to,
                (i, word) -> out[i] = (float) (lo + range * ((word >>> 8) * 0x1.0p-24))));
    }

    static void randomNormal(CpuDevice dev, long n, double mean, double std, long seed, long offset, float[] out) {
        int k0 = (int) seed, k1 = (int) (seed >>> 32), o0 = (int) offset, o1 = (int) (offset >>> 32);
        chunks(dev, n, (from, to) -> {
            int[] w = new int[4];
            for (int i = from; i < to; i++) {
                philox(i, 0, o0, o1, k0, k1, w);
                double u1 = ((w[0] >>> 8) + 1) * 0x1.0p-24;
                double u2 = (w[1] >>> 8) * 0x1.0p-24;
                out[i] = (float) (mean + std * (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)));
            }
        });
    }
}
