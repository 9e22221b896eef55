package io.jdnn.bench.perf.vendor;

import io.jdnn.bench.perf.Inputs;
import io.jdnn.bench.perf.Op;
import io.jdnn.bench.perf.ReferenceOutputs;
import io.jdnn.bench.perf.Timing;
import io.jdnn.bench.perf.VendorResult;

import java.util.Optional;

/**
 * A vendor library timed on the same problems as jdnn, the same way (see {@link Timing}): cuDNN for
 * convolution, pooling and batch norm, cuBLAS for the GEMMs of linear layers. Each result is
 * verified against the reference, like jdnn's, before it is timed.
 */
public interface VendorBaseline extends AutoCloseable {

    /** One line: the libraries, their versions, the GPU and the math mode; or why the column reads n/a. */
    String describe();

    /** Whether the libraries loaded and found the GPU. */
    boolean available();

    /** Empty when the library has this op; otherwise why the column reads n/a. */
    Optional<String> whyNot(Op op);

    /**
     * Verifies the library on {@code verifyOp} against {@code reference} (the reference's outputs
     * from {@code host}'s inputs, all or a sample; or why the reference did not run), then times
     * {@code op} over inputs rotated through at least {@code rotationBytes}.
     */
    VendorResult run(Op op, Op verifyOp, Inputs.Host host, ReferenceOutputs reference, Timing.Settings timing,
                     long rotationBytes);

    @Override
    void close();

    /** A baseline that is not there: every result reads n/a with the reason. */
    static VendorBaseline unavailable(String reason) {
        return new VendorBaseline() {
            @Override
            public String describe() {
                return "n/a: " + reason;
            }

            @Override
            public boolean available() {
                return false;
            }

            @Override
            public Optional<String> whyNot(Op op) {
                return Optional.of(reason);
            }

            @Override
            public VendorResult run(Op op, Op verifyOp, Inputs.Host host, ReferenceOutputs reference,
                                    Timing.Settings timing, long rotationBytes) {
                return VendorResult.na(reason);
            }

            @Override
            public void close() {
            }
        };
    }
}
