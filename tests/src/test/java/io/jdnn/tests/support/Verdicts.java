package io.jdnn.tests.support;

import io.jdnn.Device;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of every check of one property try: for each device, op, problem and variant, the
 * comparisons of its outputs or what went wrong. Collects everything (every device, every
 * algorithm) before {@link #assertPassed()} fails, so that one message lists every failing
 * combination of the problem, not only the first.
 */
public final class Verdicts {

    /**
     * One check.
     *
     * @param device      the device's spec and name
     * @param op          the op and direction ({@code conv2d bwd-data})
     * @param problem     the problem's canonical string
     * @param variant     the algorithm or variant, or an empty string
     * @param comparisons the outputs compared (empty when the run failed)
     * @param failure     null when the run completed; otherwise what went wrong
     */
    public record Check(String device, String op, String problem, String variant, List<Comparison> comparisons,
                        String failure) {
        public boolean passed() {
            return failure == null && comparisons.stream().allMatch(Comparison::passed);
        }

        /** The check in a few lines: where, then each failing comparison (or the failure). */
        public String describe() {
            StringBuilder b = new StringBuilder();
            b.append("[").append(device).append("] ").append(op).append(' ').append(problem);
            if (!variant.isEmpty()) {
                b.append(' ').append(variant);
            }
            if (failure != null) {
                b.append("\n    ").append(failure.replace("\n", "\n    "));
            }
            for (Comparison c : comparisons) {
                if (!c.passed()) {
                    b.append("\n    ").append(c.describe());
                }
            }
            return b.toString();
        }
    }

    private final List<Check> checks = new ArrayList<>();

    /** Records the comparisons of one completed run. */
    public void compared(Device d, String op, Object problem, String variant, List<Comparison> comparisons) {
        checks.add(new Check(name(d), op, String.valueOf(problem), variant, List.copyOf(comparisons), null));
    }

    /** Records a run whose behaviour was wrong in a way other than its numbers. */
    public void failed(Device d, String op, Object problem, String variant, String why) {
        checks.add(new Check(name(d), op, String.valueOf(problem), variant, List.of(), why));
    }

    /** Records a run that threw where it should have completed. */
    public void threw(Device d, String op, Object problem, String variant, Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        String trace = w.toString();
        String[] lines = trace.split("\n");
        StringBuilder shortTrace = new StringBuilder();
        for (int i = 0; i < Math.min(lines.length, 12); i++) {
            shortTrace.append(i == 0 ? "" : "\n").append(lines[i].stripTrailing());
        }
        checks.add(new Check(name(d), op, String.valueOf(problem), variant, List.of(), "threw " + shortTrace));
    }

    /** Every check so far. */
    public List<Check> checks() {
        return List.copyOf(checks);
    }

    /** The checks that did not pass. */
    public List<Check> failures() {
        return checks.stream().filter(c -> !c.passed()).toList();
    }

    /** Throws an {@link AssertionError} naming every failed check; does nothing when all passed. */
    public void assertPassed() {
        List<Check> failed = failures();
        if (failed.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder();
        b.append(failed.size()).append(" of ").append(checks.size()).append(" checks failed:");
        for (Check c : failed) {
            b.append("\n  ").append(c.describe().replace("\n", "\n  "));
        }
        throw new AssertionError(b.toString());
    }

    private static String name(Device d) {
        return d.spec() + " " + d.info().name();
    }
}
