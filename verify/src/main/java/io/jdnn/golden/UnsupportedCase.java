package io.jdnn.golden;

/** A golden case the runner cannot honour; its message is the reason, reported as the case's failure. */
final class UnsupportedCase extends RuntimeException {
    UnsupportedCase(String message) {
        super(message, null, false, false);
    }
}
