package io.jdnn.nn;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;

import java.util.Locale;

/**
 * How a convolution layer picks the algorithm of each of its three passes, once per problem (the
 * layer remembers the pick until its input shape changes).
 * <ul>
 *   <li>{@link #auto()}: {@link ConvAlgorithm#AUTO}, the backend's fastest (TF32 and BF16 only where
 *       the device allows them);</li>
 *   <li>{@link #fixed(ConvAlgorithm)}: one algorithm for every pass; a pass it cannot run is an
 *       {@link io.jdnn.AlgorithmNotSupportedException}, never a substitute;</li>
 *   <li>{@link #accurate()}: algorithms whose {@link ConvAlgorithm#errorBound()} is no looser than
 *       {@link ConvAlgorithm#DIRECT}'s: AUTO chooses among those only. This leaves out Winograd, TF32 and BF16, whose
 *       rounding errors grow through the steps of a training run; the cross-backend agreement test uses it.</li>
 * </ul>
 */
public sealed interface ConvAlgorithmChoice {

    /** The algorithm that runs {@code direction} of {@code p} on {@code device}. */
    ConvAlgorithm pick(Device device, ConvProblem p, ConvDirection direction);

    /** {@link ConvAlgorithm#AUTO} for every pass: the backend's fastest. */
    static ConvAlgorithmChoice auto() {
        return Fixed.AUTO;
    }

    /** {@code a} for every pass; a pass it cannot run throws {@link io.jdnn.AlgorithmNotSupportedException}. */
    static ConvAlgorithmChoice fixed(ConvAlgorithm a) {
        if (a == null) {
            throw new IllegalArgumentException("algorithm: expected a ConvAlgorithm, got null");
        }
        return new Fixed(a);
    }

    /** AUTO among the algorithms whose error bound is no looser than {@link ConvAlgorithm#DIRECT}'s. */
    static ConvAlgorithmChoice accurate() {
        return Bounded.ACCURATE;
    }

    /** Reads {@code auto}, {@code accurate} or an algorithm name ({@link ConvAlgorithm#parse}). */
    static ConvAlgorithmChoice parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("algorithm: expected auto, accurate or an algorithm name, got null");
        }
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.equals("accurate")) {
            return accurate();
        }
        try {
            return fixed(ConvAlgorithm.parse(s));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("algorithm: expected auto, accurate or one of "
                    + java.util.Arrays.toString(ConvAlgorithm.values()) + ", got '" + s + "'", e);
        }
    }

    /** One algorithm for every pass (AUTO included). */
    record Fixed(ConvAlgorithm algorithm) implements ConvAlgorithmChoice {
        static final Fixed AUTO = new Fixed(ConvAlgorithm.AUTO);

        @Override
        public ConvAlgorithm pick(Device device, ConvProblem p, ConvDirection direction) {
            return algorithm;
        }

        @Override
        public String toString() {
            return algorithm.name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * AUTO's pick among the algorithms whose error bound is at most {@code maxError}
     * ({@link Device#plan(ConvProblem, ConvDirection, ConvAlgorithm, double)}).
     */
    record Bounded(double maxError) implements ConvAlgorithmChoice {
        static final Bounded ACCURATE = new Bounded(ConvAlgorithm.DIRECT.errorBound());

        @Override
        public ConvAlgorithm pick(Device device, ConvProblem p, ConvDirection direction) {
            return device.plan(p, direction, ConvAlgorithm.AUTO, maxError).algorithm();
        }

        @Override
        public String toString() {
            return this.equals(ACCURATE) ? "accurate" : "error bound <= " + maxError;
        }
    }
}
