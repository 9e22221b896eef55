package io.jdnn.tests.reliability;

import io.jdnn.AlgorithmNotSupportedException;
import io.jdnn.Device;
import io.jdnn.DeviceOutOfMemoryException;
import io.jdnn.Devices;
import io.jdnn.ErrorBounds;
import io.jdnn.Precision;
import io.jdnn.tests.support.Comparison;
import io.jdnn.tests.support.DevicesUnderTest;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Output;
import io.jdnn.tests.support.Scope;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Throws random problem descriptors and tensor arguments, valid and invalid ({@link FuzzCases}), at
 * every available device: each case must end, on every device, in a result equal to the
 * reference's (within the op's bound) or in a clear exception ({@link Outcome#unclear}) of the same
 * kind as the reference's; within a time limit; with no tensor left open and the device not broken.
 * A device may refuse a requested convolution algorithm the reference ran (as DIRECT) only when its
 * whyNot says it cannot run it.
 *
 * <p>Counts: {@value ReliabilityKnobs#CI_FUZZ_CASES} cases at CI scale, 10,000 with
 * {@code -Djdnn.test.reliability.full=true}, any number with {@code -Djdnn.test.fuzz.cases=N}. A
 * failure prints the run's seed; {@code -Djdnn.test.fuzz.seed=S -Djdnn.test.fuzz.case=I} replays
 * case I alone.
 */
class FuzzTest {
    /** Distinct failures listed in the message, at most (each with how often it happened). */
    private static final int SHOWN = 25;

    /** One failed check: where, which case, what. {@code signature} groups repeats of one bug. */
    private record Failure(String device, FuzzCases.Case c, String what, String signature) {
    }

    /** What one device did with one case. */
    private record Attempt(List<Output> outputs, Throwable thrown, String problem) {
        boolean succeeded() {
            return thrown == null;
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void randomCallsEndInTheReferencesResultOrAClearException() throws Throwable {
        String missing = DevicesUnderTest.requirementFailure();
        if (missing != null) {
            Assertions.fail(missing);
        }
        List<Device> devices = new ArrayList<>(DevicesUnderTest.devices());
        for (DevicesUnderTest.Target t : DevicesUnderTest.targets()) {
            if (!t.available()) {
                System.out.println("[jdnn-tests] fuzz: " + t.spec() + " skipped: " + t.problem());
            }
        }
        Device reference = DevicesUnderTest.reference();
        long seed = ReliabilityKnobs.fuzzSeed();
        int only = ReliabilityKnobs.fuzzOnly();
        int cases = ReliabilityKnobs.fuzzCases();
        int timeout = ReliabilityKnobs.caseTimeoutSeconds();
        String replay = "-D" + ReliabilityKnobs.FUZZ_SEED + "=" + seed;
        System.out.println("[jdnn-tests] fuzz: " + (only >= 0 ? "case " + only : cases + " cases") + ", seed " + seed
                + " (" + replay + "), on reference" + (devices.isEmpty() ? "" : " and " + specs(devices)));

        List<Failure> failures = new ArrayList<>();
        Map<String, Integer> families = new LinkedHashMap<>();
        int[] outcomes = new int[3]; // compared results, agreed refusals, refused algorithms
        ExecutorService pool = Outcome.daemonPool("jdnn-fuzz", 1);
        long t0 = System.nanoTime();
        try (Device foreign = Devices.open("reference")) {
            for (int i = only >= 0 ? only : 0; i < (only >= 0 ? only + 1 : cases); i++) {
                FuzzCases.Case c = FuzzCases.generate(seed, i);
                if (only >= 0) {
                    System.out.println("[jdnn-tests] fuzz: case " + i + ": " + c);
                }
                families.merge(c.family(), 1, Integer::sum);
                Attempt ref;
                try {
                    ref = Outcome.within(pool, timeout, "case " + i + " on " + reference.spec(),
                            () -> attempt(c, reference, foreign, seed, true));
                } catch (Outcome.Hang h) {
                    failures.add(new Failure(reference.spec(), c, h.getMessage(), "hang"));
                    break;
                }
                if (ref.problem() != null) {
                    failures.add(new Failure(reference.spec(), c, ref.problem(), "state " + c.family()));
                }
                if (!ref.succeeded() && Outcome.unclear(ref.thrown()) != null) {
                    failures.add(new Failure(reference.spec(), c, "threw an unclear exception ("
                            + Outcome.unclear(ref.thrown()) + "): " + Outcome.summary(ref.thrown(), 8),
                            signature(ref.thrown())));
                }
                boolean hung = false;
                for (Device d : devices) {
                    Attempt got;
                    try {
                        got = Outcome.within(pool, timeout, "case " + i + " on " + d.spec(),
                                () -> attempt(c, d, foreign, seed, false));
                    } catch (Outcome.Hang h) {
                        failures.add(new Failure(d.spec(), c, h.getMessage(), "hang"));
                        hung = true;
                        break;
                    }
                    String verdict = judge(c, ref, got, d, outcomes);
                    if (verdict != null) {
                        failures.add(new Failure(d.spec(), c, verdict, d.backend() + " " + c.family() + " "
                                + (got.succeeded() ? verdict.replaceAll("[-0-9.e]+", "#").lines().findFirst().orElse("")
                                : signature(got.thrown()))));
                    }
                    if (got.problem() != null) {
                        failures.add(new Failure(d.spec(), c, got.problem(), "state " + d.backend() + " " + c.family()));
                    }
                }
                if (hung) {
                    break; // a device that hangs may hold its lock: nothing after this is meaningful
                }
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "[jdnn-tests] fuzz: %d cases in %.1f s %s; %d device results compared, %d "
                + "refusals agreed with the reference's, %d algorithm refusals agreed with whyNot%n",
                only >= 0 ? 1 : cases, seconds, families, outcomes[0], outcomes[1], outcomes[2]);
        if (!failures.isEmpty()) {
            Assertions.fail(report(failures, seed, replay));
        }
    }

    /** Runs case {@code c} on {@code d}: its outputs or what it threw, and what was wrong with the device after it. */
    private static Attempt attempt(FuzzCases.Case c, Device d, Device foreign, long seed, boolean oracle) {
        LeakDetector leaks = LeakDetector.before(d);
        LeakDetector foreignLeaks = LeakDetector.before(foreign);
        List<Output> outputs = null;
        Throwable thrown = null;
        try (Scope s = new Scope(d); Scope fs = new Scope(foreign)) {
            FuzzEnv env = new FuzzEnv(d, s, foreign, fs, new HostData(FuzzCases.caseSeed(seed, c.index())), oracle);
            outputs = c.body().run(env);
        } catch (Throwable t) { // everything, Errors included: an OutOfMemoryError is a finding too
            thrown = t;
        }
        List<String> problems = new ArrayList<>();
        String leak = leaks.leaksSince("the case");
        if (leak != null) {
            problems.add(leak);
        }
        String fleak = foreignLeaks.leaksSince("the case (on the foreign device)");
        if (fleak != null) {
            problems.add(fleak);
        }
        if (d.isBroken()) {
            problems.add("the device reports itself broken after the case: " + d.brokenReason());
        }
        return new Attempt(outputs, thrown, problems.isEmpty() ? null : String.join("\n", problems));
    }

    /** Null when the device's attempt agrees with the reference's; otherwise what is wrong. */
    private static String judge(FuzzCases.Case c, Attempt ref, Attempt got, Device d, int[] outcomes) {
        if (!ref.succeeded()) {
            if (got.succeeded()) {
                return "returned a result where the reference threw " + Outcome.summary(ref.thrown(), 3);
            }
            String unclear = Outcome.unclear(got.thrown());
            if (unclear != null && Outcome.unclear(ref.thrown()) != null
                    && got.thrown().getClass() == ref.thrown().getClass()) {
                return null; // the API's own failure, reported once, on the reference
            }
            if (unclear != null) {
                return "threw an unclear exception (" + unclear + ") where the reference threw "
                        + ref.thrown().getClass().getSimpleName() + ": " + Outcome.summary(got.thrown(), 10);
            }
            // Where the reference ran out of memory (it stores float64: twice a float32 device's
            // bytes, in the Java heap), a device that held those tensors may fail on a later check
            // instead: any clear exception agrees.
            if (kind(got.thrown()) != kind(ref.thrown()) && !(ref.thrown() instanceof DeviceOutOfMemoryException)) {
                return "threw " + Outcome.summary(got.thrown(), 6) + "\n    where the reference threw "
                        + Outcome.summary(ref.thrown(), 3);
            }
            outcomes[1]++;
            return null;
        }
        if (!got.succeeded()) {
            if (got.thrown() instanceof AlgorithmNotSupportedException && c.refusable() != null) {
                try {
                    if (c.refusable().test(d)) {
                        outcomes[2]++;
                        return null;
                    }
                } catch (RuntimeException e) {
                    return "refused the algorithm (" + got.thrown().getMessage() + "), and whyNot threw "
                            + Outcome.summary(e, 6);
                }
                return "refused the algorithm although whyNot says it can run the problem: "
                        + Outcome.summary(got.thrown(), 6);
            }
            String unclear = Outcome.unclear(got.thrown());
            return "threw " + (unclear != null ? "an unclear exception (" + unclear + ") " : "")
                    + Outcome.summary(got.thrown(), 10) + "\n    where the reference computed a result";
        }
        Map<String, Double> bounds;
        try {
            bounds = c.bounds().on(d);
        } catch (RuntimeException e) {
            return "computed a result, but asking which algorithm ran threw " + Outcome.summary(e, 6);
        }
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, Double> b : bounds.entrySet()) {
            Output r = find(ref.outputs(), b.getKey());
            Output o = find(got.outputs(), b.getKey());
            if (r == null || o == null) {
                continue; // not an output of this variant of the case
            }
            Comparison cmp = Comparison.of(b.getKey(), r.shape(), o.values(), atPrecision(r.values(), d),
                    ErrorBounds.forPrecision(d.info().precision(), b.getValue()));
            if (!cmp.passed()) {
                bad.add(cmp.describe());
            }
        }
        outcomes[0]++;
        return bad.isEmpty() ? null : "differs from the reference:\n    " + String.join("\n    ", bad);
    }

    /**
     * The reference's float64 values as a device of {@code d}'s precision can hold them: for float32,
     * rounded to float32, so that a result beyond float32's range is expected as the infinity IEEE
     * arithmetic gives (within range the rounding is far below every bound).
     */
    private static double[] atPrecision(double[] ref, Device d) {
        if (d.info().precision() != Precision.FLOAT32) {
            return ref;
        }
        double[] out = new double[ref.length];
        for (int i = 0; i < ref.length; i++) {
            out[i] = (float) ref[i];
        }
        return out;
    }

    private static Output find(List<Output> outputs, String name) {
        for (Output o : outputs) {
            if (o.name().equals(name)) {
                return o;
            }
        }
        return null;
    }

    /** The kind of a clear exception, for comparing refusals: argument, state, memory, or another JdnnException. */
    private static int kind(Throwable t) {
        if (t instanceof IllegalArgumentException) {
            return 0;
        }
        if (t instanceof IllegalStateException) {
            return 1;
        }
        if (t instanceof DeviceOutOfMemoryException) {
            return 2;
        }
        return 3;
    }

    /** Groups one bug's repeats: the exception's class and the first frame inside jdnn. */
    private static String signature(Throwable t) {
        String where = "";
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith("io.jdnn.") && !e.getClassName().startsWith("io.jdnn.tests.")) {
                where = e.getClassName() + "." + e.getMethodName() + ":" + e.getLineNumber();
                break;
            }
        }
        return t.getClass().getName() + " at " + where;
    }

    private static String specs(List<Device> devices) {
        List<String> s = new ArrayList<>();
        for (Device d : devices) {
            s.add(d.spec());
        }
        return String.join(", ", s);
    }

    private static String report(List<Failure> failures, long seed, String replay) {
        Map<String, List<Failure>> bySignature = new LinkedHashMap<>();
        for (Failure f : failures) {
            bySignature.computeIfAbsent(f.signature(), k -> new ArrayList<>()).add(f);
        }
        StringBuilder b = new StringBuilder();
        b.append(failures.size()).append(" fuzz checks failed (").append(bySignature.size())
                .append(" distinct), seed ").append(seed).append(":");
        int shown = 0;
        for (List<Failure> group : bySignature.values()) {
            if (shown++ == SHOWN) {
                b.append("\n... ").append(bySignature.size() - SHOWN).append(" more distinct failures");
                break;
            }
            Failure f = group.get(0);
            b.append("\n[").append(f.device()).append("] case ").append(f.c().index()).append(" ")
                    .append(f.c().description()).append(group.size() > 1 ? "  (and " + (group.size() - 1)
                            + " more like it, cases " + cases(group) + ")" : "")
                    .append("\n    ").append(f.what().replace("\n", "\n    "))
                    .append("\n    replay: ").append(replay).append(" -D").append(ReliabilityKnobs.FUZZ_ONLY).append("=")
                    .append(f.c().index());
        }
        return b.toString();
    }

    private static String cases(List<Failure> group) {
        List<String> s = new ArrayList<>();
        for (int i = 1; i < group.size() && i <= 8; i++) {
            s.add(group.get(i).device() + "#" + group.get(i).c().index());
        }
        return String.join(", ", s) + (group.size() > 9 ? ", ..." : "");
    }
}
