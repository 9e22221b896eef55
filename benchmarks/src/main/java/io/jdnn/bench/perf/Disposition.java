package io.jdnn.bench.perf;

/** What became of one variant of one problem. */
public enum Disposition {
    /** Verified against the reference within its bound, then timed. */
    PASSED,
    /** Its output differs from the reference by more than its bound: not timed. */
    INCORRECT,
    /** The device cannot run it (an algorithm that does not apply, too little memory): the reason says why. */
    NOT_SUPPORTED,
    /** Timed, but not verified: the reason says why (the reference would take too long, --no-verify, ...). */
    VERIFY_SKIPPED,
    /** It failed while running: the reason holds the error. */
    ERROR;

    /** Whether the variant has a time. */
    public boolean timed() {
        return this == PASSED || this == VERIFY_SKIPPED;
    }
}
