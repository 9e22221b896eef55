package io.jdnn.tests.reliability;

import java.util.Locale;

/**
 * The reliability tests' knobs, read from system properties (Maven passes {@code -Dname=value} on
 * to the test JVM); documented in {@code docs/testing.md}, section "Reliability". The defaults are
 * the CI scale (the whole package in about two minutes on reference, cpu and PoCL with two cores);
 * {@code -Djdnn.test.reliability.full=true} switches every count to the full scale of the issue
 * (10,000 fuzz cases, 10,000 memory cycles), and each count can also be set on its own.
 */
final class ReliabilityKnobs {
    static final String FULL = "jdnn.test.reliability.full";
    static final String FUZZ_CASES = "jdnn.test.fuzz.cases";
    static final String FUZZ_SEED = "jdnn.test.fuzz.seed";
    static final String FUZZ_ONLY = "jdnn.test.fuzz.case";
    static final String MEMORY_CYCLES = "jdnn.test.memory.cycles";
    static final String CONCURRENCY_ROUNDS = "jdnn.test.concurrency.rounds";
    static final String CASE_TIMEOUT = "jdnn.test.caseTimeoutSeconds";

    /** Full-scale counts, as the issue states them. */
    static final int FULL_FUZZ_CASES = 10_000;
    static final int FULL_MEMORY_CYCLES = 10_000;
    static final int FULL_CONCURRENCY_ROUNDS = 50;

    /** CI-scale counts. */
    static final int CI_FUZZ_CASES = 1_000;
    static final int CI_MEMORY_CYCLES = 1_000;
    static final int CI_CONCURRENCY_ROUNDS = 4;

    /**
     * Seconds one fuzz case, one thread's share of a concurrency test or one memory cycle batch may
     * take before it counts as a hang: generous for a loaded two-core machine building OpenCL
     * programs for the first time (PoCL compiles a kernel source in seconds), short enough to end a
     * real hang.
     */
    static final int DEFAULT_CASE_TIMEOUT = 300;

    private ReliabilityKnobs() {
    }

    static boolean full() {
        return Boolean.parseBoolean(System.getProperty(FULL, "false").trim().toLowerCase(Locale.ROOT));
    }

    static int fuzzCases() {
        return positiveInt(FUZZ_CASES, full() ? FULL_FUZZ_CASES : CI_FUZZ_CASES);
    }

    /** The seed of the fuzz run: {@code jdnn.test.fuzz.seed}, or a fresh one (printed, to replay the run). */
    static long fuzzSeed() {
        String v = System.getProperty(FUZZ_SEED, "").trim();
        if (v.isEmpty()) {
            return System.nanoTime() ^ 0x5DEECE66DL * System.identityHashCode(new Object());
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(FUZZ_SEED + ": expected a long (the seed a failed run printed), got '" + v
                    + "'", e);
        }
    }

    /** The one case to run ({@code jdnn.test.fuzz.case}, with the run's seed), or -1 for all. */
    static int fuzzOnly() {
        String v = System.getProperty(FUZZ_ONLY, "").trim();
        return v.isEmpty() ? -1 : nonNegativeInt(FUZZ_ONLY, v);
    }

    static int memoryCycles() {
        return positiveInt(MEMORY_CYCLES, full() ? FULL_MEMORY_CYCLES : CI_MEMORY_CYCLES);
    }

    static int concurrencyRounds() {
        return positiveInt(CONCURRENCY_ROUNDS, full() ? FULL_CONCURRENCY_ROUNDS : CI_CONCURRENCY_ROUNDS);
    }

    static int caseTimeoutSeconds() {
        return positiveInt(CASE_TIMEOUT, DEFAULT_CASE_TIMEOUT);
    }

    private static int positiveInt(String name, int fallback) {
        String v = System.getProperty(name, "").trim();
        if (v.isEmpty()) {
            return fallback;
        }
        int n = nonNegativeInt(name, v);
        if (n < 1) {
            throw new IllegalArgumentException(name + ": expected a positive integer, got " + n);
        }
        return n;
    }

    private static int nonNegativeInt(String name, String v) {
        try {
            int n = Integer.parseInt(v);
            if (n < 0) {
                throw new IllegalArgumentException(name + ": expected an integer >= 0, got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": expected an integer, got '" + v + "'", e);
        }
    }
}
