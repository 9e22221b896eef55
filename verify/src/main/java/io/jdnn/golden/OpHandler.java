package io.jdnn.golden;

/** Runs one op of a golden case: declares what the op takes, runs it on the device, compares its outputs. */
@FunctionalInterface
interface OpHandler {
    /** Runs the case of {@code run}; throws {@link UnsupportedCase} for a case the op cannot honour. */
    void run(CaseRun run);
}
