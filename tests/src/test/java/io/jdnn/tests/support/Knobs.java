package io.jdnn.tests.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The conformance suite's knobs, read from system properties (Maven passes {@code -Dname=value} on
 * to the test JVM). Documented in {@code docs/testing.md}; every default keeps the whole suite within
 * a few minutes on PoCL with two cores.
 *
 * <ul>
 *   <li>{@code jdnn.test.tries} (default {@value #DEFAULT_TRIES}): random problems per property.</li>
 *   <li>{@code jdnn.test.scale} (default 1): multiplies the upper bounds of the generated extents
 *       (spatial sizes, channels, batch, vector lengths); 2 or 3 reach sizes that tile boundaries of
 *       GPU kernels meet more often, at a cost that grows with the square of the scale or more.</li>
 *   <li>{@code jdnn.test.devices}: a comma list of device specs ({@code cpu}, {@code opencl:1},
 *       {@code cuda:0}, also {@code reference}) that replaces "every device of every available
 *       backend but the reference".</li>
 *   <li>{@code jdnn.test.require}: a comma list of backends ({@code opencl,cuda}) whose absence is a
 *       failure instead of a skip.</li>
 *   <li>{@code jdnn.test.seed}: jqwik's random seed for every property (the {@code seed = ...} a
 *       failed property prints), to replay a run; unset, each run draws a new one.</li>
 * </ul>
 */
public final class Knobs {
    /** Tries per property when {@code jdnn.test.tries} is not set. */
    public static final int DEFAULT_TRIES = 100;

    public static final String TRIES = "jdnn.test.tries";
    public static final String SCALE = "jdnn.test.scale";
    public static final String DEVICES = "jdnn.test.devices";
    public static final String REQUIRE = "jdnn.test.require";
    public static final String SEED = "jdnn.test.seed";

    private Knobs() {
    }

    /** Tries per property (at least 1). */
    public static int tries() {
        return positiveInt(TRIES, DEFAULT_TRIES);
    }

    /** The size multiplier (at least 1). */
    public static int scale() {
        return positiveInt(SCALE, 1);
    }

    /** {@code base * scale()}: the upper bound of a generated extent. */
    public static int upTo(int base) {
        return Math.multiplyExact(base, scale());
    }

    /** The seed named by {@code jdnn.test.seed}, or null when it is not set. */
    public static String seed() {
        String v = System.getProperty(SEED, "").trim();
        if (v.isEmpty()) {
            return null;
        }
        try {
            Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(SEED + ": expected a long (a seed jqwik printed), got '" + v + "'", e);
        }
        return v;
    }

    /** The specs named by {@code jdnn.test.devices}; empty when it is not set. */
    public static List<String> devices() {
        return list(DEVICES);
    }

    /** The backends named by {@code jdnn.test.require}, lower case; empty when it is not set. */
    public static List<String> required() {
        List<String> out = new ArrayList<>();
        for (String s : list(REQUIRE)) {
            out.add(s.toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private static List<String> list(String name) {
        String v = System.getProperty(name, "");
        List<String> out = new ArrayList<>();
        for (String s : v.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    private static int positiveInt(String name, int fallback) {
        String v = System.getProperty(name, "").trim();
        if (v.isEmpty()) {
            return fallback;
        }
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": expected a positive integer, got '" + v + "'", e);
        }
        if (n < 1) {
            throw new IllegalArgumentException(name + ": expected a positive integer, got " + n);
        }
        return n;
    }
}
