package io.jdnn.golden;

import java.util.List;

/**
 * The verdict on one golden case: the outputs compared, or why the case could not run. A case
 * passes when it ran, compared at least one output, and every output is within its bound.
 *
 * @param failure null when the case ran; otherwise the reason it could not (an unknown op, a
 *                parameter the runner cannot honour, an error the device raised)
 * @param name    the case's name in the golden file
 * @param op      the case's op
 * @param outputs the outputs compared (copied)
 */
public record CaseResult(String name, String op, List<OutputResult> outputs, String failure) {

    /** Copies {@code outputs}. */
    public CaseResult {
        outputs = List.copyOf(outputs);
    }

    static CaseResult failed(String name, String op, List<OutputResult> outputs, String failure) {
        return new CaseResult(name, op, outputs, failure);
    }

    /** True when the case ran, compared at least one output, and every output is within its bound. */
    public boolean passed() {
        if (failure != null || outputs.isEmpty()) {
            return false;
        }
        for (OutputResult o : outputs) {
            if (!o.passed()) {
                return false;
            }
        }
        return true;
    }

    /** The output that uses the largest share of its bound, or null when none was compared. */
    public OutputResult worst() {
        OutputResult w = null;
        for (OutputResult o : outputs) {
            if (w == null || o.ratio() > w.ratio()) {
                w = o;
            }
        }
        return w;
    }
}
