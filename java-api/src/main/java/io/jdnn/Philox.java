package io.jdnn;

/**
 * The counter-based generator every backend draws from: Philox4x32-10 (Salmon et al., "Parallel
 * random numbers: as easy as 1, 2, 3", SC 2011; Random123's philox4x32_R with R = 10), so that
 * dropout masks and initial weights are the same on every backend.
 *
 * <p>Streams, for a 64-bit seed (the key: low word k0, high word k1) and a 64-bit offset:
 * <ul>
 *   <li>{@link #uniform}: element i takes word {@code i mod 4} of the block at counter
 *       (lo(i/4), hi(i/4), lo(offset), hi(offset)), keeps its top 24 bits and scales by 2^-24: a
 *       float in [0, 1) that float32 represents exactly.</li>
 *   <li>{@link #normal}: element i takes words 0 and 1 of the block at counter
 *       (lo(i), hi(i), lo(offset), hi(offset)): u1 = (top24(w0) + 1) * 2^-24 in (0, 1],
 *       u2 = top24(w1) * 2^-24, and z = sqrt(-2 ln u1) cos(2 pi u2) (Box-Muller).</li>
 * </ul>
 * The two streams share counters: give different uses different offsets.
 */
public final class Philox {
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final double TWO_POW_M24 = 1.0 / (1 << 24);

    private Philox() {
    }

    /** Philox4x32-10 of counter (c0..c3) under key (k0, k1): four 32-bit words. */
    public static int[] block(int c0, int c1, int c2, int c3, int k0, int k1) {
        for (int round = 0; round < 10; round++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32);
            int lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32);
            int lo1 = (int) p1;
            int n0 = hi1 ^ c1 ^ k0;
            int n2 = hi0 ^ c3 ^ k1;
            c0 = n0;
            c1 = lo1;
            c2 = n2;
            c3 = lo0;
            k0 += W0;
            k1 += W1;
        }
        return new int[] {c0, c1, c2, c3};
    }

    /** Element i of the uniform stream: a value in [0, 1), a multiple of 2^-24. */
    public static double uniform(long seed, long offset, long i) {
        long blockIndex = i >>> 2;
        int[] w = block((int) blockIndex, (int) (blockIndex >>> 32), (int) offset, (int) (offset >>> 32),
                (int) seed, (int) (seed >>> 32));
        return (w[(int) (i & 3)] >>> 8) * TWO_POW_M24;
    }

    /** Element i of the standard normal stream (Box-Muller, see the class comment), in float64. */
    public static double normal(long seed, long offset, long i) {
        int[] w = block((int) i, (int) (i >>> 32), (int) offset, (int) (offset >>> 32), (int) seed, (int) (seed >>> 32));
        double u1 = ((w[0] >>> 8) + 1) * TWO_POW_M24;
        double u2 = (w[1] >>> 8) * TWO_POW_M24;
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * Dropout's integer threshold for probability p: ceil(p * 2^24). Element i is kept when the
     * top 24 bits of its uniform word are at least this, which is exactly uniform(seed, offset, i) >= p;
     * backends compare integers so that no float rounding of p can change a mask.
     */
    public static int dropoutThreshold(double p) {
        return (int) Math.ceil(p * (1 << 24));
    }

    /** Whether dropout with probability p keeps element i (see {@link #dropoutThreshold}). */
    public static boolean keep(double p, long seed, long offset, long i) {
        return uniform(seed, offset, i) * (1 << 24) >= dropoutThreshold(p);
    }
}
