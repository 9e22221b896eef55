package io.jdnn.bench.perf;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.function.IntToLongFunction;

/**
 * {@link FmaProbe}'s Vector API loops: 12 independent chains {@code c = c * a + b} held in
 * registers, one method per width so that each species is a compile-time constant. Loaded only
 * where {@code jdk.incubator.vector} is present (public for the JMH benchmark {@code FmaPeakBenchmark}).
 */
public final class VectorFmaProbe {
    private VectorFmaProbe() {
    }

    private static final VectorSpecies<Float> S512 = FloatVector.SPECIES_512;
    private static final VectorSpecies<Float> S256 = FloatVector.SPECIES_256;

    /** The 512-bit loop: reps x 12 FMAs of 16 lanes; returns the flops. */
    static final IntToLongFunction LOOP_512 = VectorFmaProbe::loop512;
    /** The 256-bit loop: reps x 12 FMAs of 8 lanes; returns the flops. */
    static final IntToLongFunction LOOP_256 = VectorFmaProbe::loop256;

    /** Whether the JVM compiles 512-bit vectors (else the 512-bit loop would run in slow Java code). */
    static boolean compiles512() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
    }

    /** The 512-bit loop, {@code reps} x 12 FMAs of 16 lanes; returns the flops. */
    public static long loop512(int reps) {
        FloatVector a = FloatVector.broadcast(S512, 0.999999f), b = FloatVector.broadcast(S512, 1e-7f);
        FloatVector c0 = FloatVector.broadcast(S512, 0.1f), c1 = FloatVector.broadcast(S512, 0.2f);
        FloatVector c2 = FloatVector.broadcast(S512, 0.3f), c3 = FloatVector.broadcast(S512, 0.4f);
        FloatVector c4 = FloatVector.broadcast(S512, 0.5f), c5 = FloatVector.broadcast(S512, 0.6f);
        FloatVector c6 = FloatVector.broadcast(S512, 0.7f), c7 = FloatVector.broadcast(S512, 0.8f);
        FloatVector c8 = FloatVector.broadcast(S512, 0.9f), c9 = FloatVector.broadcast(S512, 1.0f);
        FloatVector c10 = FloatVector.broadcast(S512, 1.1f), c11 = FloatVector.broadcast(S512, 1.2f);
        for (int i = 0; i < reps; i++) {
            c0 = c0.fma(a, b);
            c1 = c1.fma(a, b);
            c2 = c2.fma(a, b);
            c3 = c3.fma(a, b);
            c4 = c4.fma(a, b);
            c5 = c5.fma(a, b);
            c6 = c6.fma(a, b);
            c7 = c7.fma(a, b);
            c8 = c8.fma(a, b);
            c9 = c9.fma(a, b);
            c10 = c10.fma(a, b);
            c11 = c11.fma(a, b);
        }
        FloatVector s = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11);
        if (s.lane(0) == 42f) {
            throw new AssertionError("unreachable: keeps the chains alive");
        }
        return 2L * reps * 12 * S512.length();
    }

    /** The 256-bit loop, {@code reps} x 12 FMAs of 8 lanes; returns the flops. */
    public static long loop256(int reps) {
        FloatVector a = FloatVector.broadcast(S256, 0.999999f), b = FloatVector.broadcast(S256, 1e-7f);
        FloatVector c0 = FloatVector.broadcast(S256, 0.1f), c1 = FloatVector.broadcast(S256, 0.2f);
        FloatVector c2 = FloatVector.broadcast(S256, 0.3f), c3 = FloatVector.broadcast(S256, 0.4f);
        FloatVector c4 = FloatVector.broadcast(S256, 0.5f), c5 = FloatVector.broadcast(S256, 0.6f);
        FloatVector c6 = FloatVector.broadcast(S256, 0.7f), c7 = FloatVector.broadcast(S256, 0.8f);
        FloatVector c8 = FloatVector.broadcast(S256, 0.9f), c9 = FloatVector.broadcast(S256, 1.0f);
        FloatVector c10 = FloatVector.broadcast(S256, 1.1f), c11 = FloatVector.broadcast(S256, 1.2f);
        for (int i = 0; i < reps; i++) {
            c0 = c0.fma(a, b);
            c1 = c1.fma(a, b);
            c2 = c2.fma(a, b);
            c3 = c3.fma(a, b);
            c4 = c4.fma(a, b);
            c5 = c5.fma(a, b);
            c6 = c6.fma(a, b);
            c7 = c7.fma(a, b);
            c8 = c8.fma(a, b);
            c9 = c9.fma(a, b);
            c10 = c10.fma(a, b);
            c11 = c11.fma(a, b);
        }
        FloatVector s = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11);
        if (s.lane(0) == 42f) {
            throw new AssertionError("unreachable: keeps the chains alive");
        }
        return 2L * reps * 12 * S256.length();
    }
}
