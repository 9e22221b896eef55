package io.jdnn.cpu.fast;

/**
 * PReLU over x viewed as (outer, channels, inner), one slope per channel (a shared slope arrives
 * as channels = 1). The element-wise passes run over fixed contiguous chunks of the flat index
 * range. The weight gradient cuts each channel's outer * inner values (in (n, i) order) into
 * blocks of {@link #BLOCK}; every (channel, block) pair sums in float64 as one task, and the pairs
 * of a channel are added in block order: bitwise identical results for any thread count.
 */
final class Prelu {
    private Prelu() {
    }

    /** Values of a channel per weight-gradient task. */
    static final int BLOCK = 1 << 14;

    /** The elements [from, to) of one (n, c) plane, all with the slope {@code slope}. */
    private interface PlaneRun {
        void run(int from, int to, float slope);
    }

    /** Calls {@code body} on every run of one plane inside {@link Elementwise#chunks}' chunks of the flat range. */
    private static void byPlane(CpuDevice dev, int outer, int channels, long inner, float[] weight, PlaneRun body) {
        Elementwise.chunks(dev, (long) outer * channels * inner, (from, to) -> {
            for (int at = from; at < to; ) {
                long plane = at / inner;
                int end = (int) Math.min(to, (plane + 1) * inner);
                body.run(at, end, weight[(int) (plane % channels)]);
                at = end;
            }
        });
    }

    static void forward(CpuDevice dev, int outer, int channels, long inner, float[] x, float[] weight, float[] y) {
        byPlane(dev, outer, channels, inner, weight, (from, to, slope) -> {
            for (int i = from; i < to; i++) {
                float v = x[i];
                y[i] = v > 0f ? v : slope * v;
            }
        });
    }

    /** dweight first (dx may be x or dy), then dx. */
    static void backward(CpuDevice dev, int outer, int channels, long inner, float[] x, float[] weight, float[] dy,
                         float[] dx, float[] dweight) {
        long perChannel = (long) outer * inner;
        int blocks = (int) ((perChannel + BLOCK - 1) / BLOCK);
        double[] partial = dev.scratchDoubles(channels * blocks);
        dev.parallel().forEach(channels * blocks, (t, worker) -> {
            int c = t / blocks;
            long j = (long) (t % blocks) * BLOCK;
            long jEnd = Math.min(perChannel, j + BLOCK);
            double sum = 0;
            while (j < jEnd) {
                long i = j % inner;
                long run = Math.min(inner - i, jEnd - j);
                int base = (int) ((j / inner * channels + c) * inner + i);
                for (int k = base; k < base + run; k++) {
                    float v = x[k];
                    if (!(v > 0f)) {
                        sum += (double) v * dy[k];
                    }
                }
                j += run;
            }
            partial[t] = sum;
        });
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            for (int b = 0; b < blocks; b++) {
                sum += partial[c * blocks + b];
            }
            dweight[c] = (float) sum;
        }
        byPlane(dev, outer, channels, inner, weight, (from, to, slope) -> {
            for (int i = from; i < to; i++) {
                dx[i] = x[i] > 0f ? dy[i] : slope * dy[i];
            }
        });
    }
}
