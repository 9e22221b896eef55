package io.jdnn.opencl;

import io.jdnn.kernels.KernelTestSupport;
import io.jdnn.BatchNormProblem;
import io.jdnn.ErrorBounds;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jdnn.kernels.KernelTestSupport.assertClose;
import static io.jdnn.kernels.KernelTestSupport.poisoned;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Batch normalization, training and inference, forward and backward, against the reference. */
class BatchNormTest extends ClDeviceTest {

    static final List<BatchNormProblem> PROBLEMS = List.of(
            BatchNormProblem.of(2, 3, 5, 7),                     // odd spatial size
            new BatchNormProblem(4, 300, 1, 1, 1e-3, 0.25),      // BatchNorm1d with more channels than a work-group
            BatchNormProblem.of(1, 2, 1, 3),                     // three values per channel
            BatchNormProblem.of(3, 5, 17, 1),
            BatchNormProblem.of(2, 2, 23, 29),                   // more values per channel than work-items
            BatchNormProblem.of(37, 4, 3, 3),                    // a work-item's stride spans several images
            BatchNormProblem.of(600, 3, 1, 1),                   // BatchNorm1d, large batch
            // several (channel, chunk) pairs per channel (a chunk is 2048 values on PoCL): 4920 values,
            // chunk boundaries inside planes, a partial last chunk
            BatchNormProblem.of(3, 2, 40, 41),
            BatchNormProblem.of(5000, 3, 1, 1));                 // BatchNorm1d, three chunks of whole rows

    /** Per-problem inputs: x with an offset (so the variance is not E[x^2]), positive running variance. */
    private record Inputs(float[] x, float[] dy, float[] gamma, float[] beta, float[] rm, float[] rv) {
        static Inputs of(BatchNormProblem p) {
            int n = Math.toIntExact(p.inputShape().elements());
            int c = p.channels();
            float[] x = KernelTestSupport.random(1, n, 2, 4);
            return new Inputs(x, KernelTestSupport.random(2, n, -1, 1), KernelTestSupport.random(3, c, 0.5, 1.5),
                    KernelTestSupport.random(4, c, -1, 1), KernelTestSupport.random(5, c, -0.5, 0.5),
                    KernelTestSupport.random(6, c, 0.5, 2));
        }
    }

    @Test
    void trainingForwardAndBackward() {
        for (BatchNormProblem p : PROBLEMS) {
            Inputs in = Inputs.of(p);
            Shape xs = p.inputShape();
            Shape cs = p.channelShape();
            try (Tensor x = cl.upload(xs, in.x()); Tensor g = cl.upload(cs, in.gamma()); Tensor b = cl.upload(cs, in.beta());
                 Tensor rm = cl.upload(cs, in.rm()); Tensor rv = cl.upload(cs, in.rv()); Tensor dy = cl.upload(xs, in.dy());
                 Tensor y = poisoned(cl, xs); Tensor sm = poisoned(cl, cs); Tensor si = poisoned(cl, cs);
                 Tensor dx = poisoned(cl, xs); Tensor dg = poisoned(cl, cs); Tensor db = poisoned(cl, cs);
                 Tensor rx = ref.upload(xs, in.x()); Tensor rg = ref.upload(cs, in.gamma());
                 Tensor rb = ref.upload(cs, in.beta()); Tensor rrm = ref.upload(cs, in.rm());
                 Tensor rrv = ref.upload(cs, in.rv()); Tensor rdy = ref.upload(xs, in.dy());
                 Tensor ry = ref.allocate(xs); Tensor rsm = ref.allocate(cs); Tensor rsi = ref.allocate(cs);
                 Tensor rdx = ref.allocate(xs); Tensor rdg = ref.allocate(cs); Tensor rdb = ref.allocate(cs)) {
                cl.batchNormTrain(p, x, g, b, rm, rv, y, sm, si);
                ref.batchNormTrain(p, rx, rg, rb, rrm, rrv, ry, rsm, rsi);
                // per-channel statistics over N*H*W values, tree-summed in float32 (ErrorBounds.REDUCTION)
                assertClose(p + " y", y, ry, ErrorBounds.REDUCTION);
                assertClose(p + " saveMean", sm, rsm, ErrorBounds.REDUCTION);
                assertClose(p + " saveInvStd", si, rsi, ErrorBounds.REDUCTION);
                assertClose(p + " runningMean", rm, rrm, ErrorBounds.REDUCTION);
                assertClose(p + " runningVar", rv, rrv, ErrorBounds.REDUCTION);

                cl.batchNormBackward(p, x, dy, g, sm, si, dx, dg, db);
                ref.batchNormBackward(p, rx, rdy, rg, rsm, rsi, rdx, rdg, rdb);
                assertClose(p + " dx", dx, rdx, ErrorBounds.REDUCTION);
                assertClose(p + " dgamma", dg, rdg, ErrorBounds.REDUCTION);
                assertClose(p + " dbeta", db, rdb, ErrorBounds.REDUCTION);
            }
        }
    }

    @Test
    void inferenceForwardAndBackward() {
        for (BatchNormProblem p : PROBLEMS) {
            Inputs in = Inputs.of(p);
            Shape xs = p.inputShape();
            Shape cs = p.channelShape();
            try (Tensor x = cl.upload(xs, in.x()); Tensor g = cl.upload(cs, in.gamma()); Tensor b = cl.upload(cs, in.beta());
                 Tensor rm = cl.upload(cs, in.rm()); Tensor rv = cl.upload(cs, in.rv()); Tensor dy = cl.upload(xs, in.dy());
                 Tensor y = poisoned(cl, xs); Tensor dx = poisoned(cl, xs); Tensor dg = poisoned(cl, cs);
                 Tensor db = poisoned(cl, cs);
                 Tensor rx = ref.upload(xs, in.x()); Tensor rg = ref.upload(cs, in.gamma());
                 Tensor rb = ref.upload(cs, in.beta()); Tensor rrm = ref.upload(cs, in.rm());
                 Tensor rrv = ref.upload(cs, in.rv()); Tensor rdy = ref.upload(xs, in.dy());
                 Tensor ry = ref.allocate(xs); Tensor rdx = ref.allocate(xs); Tensor rdg = ref.allocate(cs);
                 Tensor rdb = ref.allocate(cs)) {
                cl.batchNormInference(p, x, g, b, rm, rv, y);
                ref.batchNormInference(p, rx, rg, rb, rrm, rrv, ry);
                // a handful of rounded operations per element
                assertClose(p + " inference y", y, ry, ErrorBounds.ELEMENTWISE);
                cl.batchNormInference(p, x, g, b, rm, rv, x);
                assertClose(p + " inference in place", x, ry, ErrorBounds.ELEMENTWISE);

                try (Tensor x2 = cl.upload(xs, in.x())) {
                    cl.batchNormInferenceBackward(p, x2, dy, g, rm, rv, dx, dg, db);
                }
                ref.batchNormInferenceBackward(p, rx, rdy, rg, rrm, rrv, rdx, rdg, rdb);
                assertClose(p + " inference dx", dx, rdx, ErrorBounds.ELEMENTWISE);
                // per-channel sums (ErrorBounds.REDUCTION)
                assertClose(p + " inference dgamma", dg, rdg, ErrorBounds.REDUCTION);
                assertClose(p + " inference dbeta", db, rdb, ErrorBounds.REDUCTION);
            }
        }
    }

    @Test
    void trainingWithOneValuePerChannelIsRefused() {
        BatchNormProblem p = BatchNormProblem.of(1, 3, 1, 1);
        Shape cs = p.channelShape();
        try (Tensor x = cl.zeros(p.inputShape()); Tensor g = cl.zeros(cs); Tensor b = cl.zeros(cs);
             Tensor rm = cl.zeros(cs); Tensor rv = cl.zeros(cs); Tensor y = cl.zeros(p.inputShape());
             Tensor sm = cl.zeros(cs); Tensor si = cl.zeros(cs)) {
            assertThrows(IllegalArgumentException.class, () -> cl.batchNormTrain(p, x, g, b, rm, rv, y, sm, si));
        }
    }
}
