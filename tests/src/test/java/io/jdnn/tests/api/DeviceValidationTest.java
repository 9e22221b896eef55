package io.jdnn.tests.api;

import io.jdnn.Activation;
import io.jdnn.BatchNormProblem;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.LinearProblem;
import io.jdnn.OptimizerState;
import io.jdnn.PoolProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.optim.Adam;
import io.jdnn.optim.Sgd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Device} validates every argument before a backend sees it, and says what is wrong: the
 * argument's name, what was expected and what was given. Run on the reference (any backend shares
 * this code: it lives in {@link Device}, not in the backends).
 */
class DeviceValidationTest {
    /** 3x3 "same" convolution with as many output as input channels: x and y have one shape. */
    static final ConvProblem SAME = ConvProblem.builder().batch(1).inChannels(3).size(5, 5).outChannels(3)
            .kernel(3, 3).padding(1, 1).build();

    Device d;

    @BeforeEach
    void open() {
        d = Devices.open("reference");
    }

    @AfterEach
    void close() {
        d.close();
    }

    Tensor zeros(Shape s) {
        return d.zeros(s);
    }

    static void assertMessage(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message \"" + e.getMessage() + "\" lacks \"" + p + "\"");
        }
    }

    static IllegalArgumentException illegal(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertMessage(e, parts);
        return e;
    }

    // ---------------------------------------------------------------- shapes

    @Test
    void inputShapeThatDoesNotMatchTheProblem() {
        Tensor x = zeros(Shape.of(1, 3, 5, 6));
        Tensor w = zeros(SAME.weightShape());
        illegal(() -> d.conv2d(SAME, x, w, null), "argument 'x'", "expected shape [1, 3, 5, 5]", "got [1, 3, 5, 6]");
    }

    @Test
    void weightAndBiasShapesAreChecked() {
        Tensor x = zeros(SAME.inputShape());
        Tensor w = zeros(Shape.of(3, 3, 3, 1));
        illegal(() -> d.conv2d(SAME, x, w, null), "argument 'w'", "expected shape [3, 3, 3, 3]", "got [3, 3, 3, 1]");
        Tensor goodW = zeros(SAME.weightShape());
        Tensor bias = zeros(Shape.of(4));
        illegal(() -> d.conv2d(SAME, x, goodW, bias), "argument 'bias'", "expected shape [3]", "got [4]");
    }

    @Test
    void outputShapeOfAnExplicitOutputIsChecked() {
        Tensor x = zeros(SAME.inputShape());
        Tensor w = zeros(SAME.weightShape());
        Tensor y = zeros(Shape.of(1, 3, 4, 4));
        illegal(() -> d.conv2d(SAME, ConvAlgorithm.AUTO, x, w, null, y), "argument 'y'", "expected shape [1, 3, 5, 5]",
                "got [1, 3, 4, 4]");
    }

    @Test
    void gradientShapesOfPoolingLinearAndBatchNorm() {
        PoolProblem pool = PoolProblem.max().batch(1).channels(2).size(6, 6).kernel(2, 2).build();
        Tensor x = zeros(pool.inputShape());
        Tensor dy = zeros(Shape.of(1, 2, 2, 2));
        illegal(() -> d.poolBackward(pool, x, dy), "argument 'dy'", "expected shape [1, 2, 3, 3]", "got [1, 2, 2, 2]");

        LinearProblem lin = new LinearProblem(2, 5, 3);
        Tensor lx = zeros(lin.inputShape());
        Tensor lw = zeros(Shape.of(5, 3));
        Tensor ly = zeros(lin.outputShape());
        illegal(() -> d.linear(lin, lx, lw, null, ly), "argument 'w'", "expected shape [3, 5]", "got [5, 3]");

        BatchNormProblem bn = BatchNormProblem.of(2, 3, 2, 2);
        Tensor bx = zeros(bn.inputShape());
        Tensor three = zeros(bn.channelShape());
        Tensor four = zeros(Shape.of(4));
        illegal(() -> d.batchNormInference(bn, bx, three, four, three, three, zeros(bn.inputShape())),
                "argument 'beta'", "expected shape [3]", "got [4]");
    }

    @Test
    void uploadWithTheWrongNumberOfValues() {
        illegal(() -> d.upload(Shape.of(2, 3), new float[5]), "data", "an array of 6 elements", "5 elements");
    }

    @Test
    void softmaxNeedsAMatrixAndCrossEntropyValidLabels() {
        Tensor cube = zeros(Shape.of(2, 2, 2));
        illegal(() -> d.softmax(cube, zeros(Shape.of(2, 2, 2))), "argument 'x'", "a (rows, cols) matrix", "shape [2, 2, 2]");
        Tensor logits = zeros(Shape.of(2, 3));
        Tensor loss = zeros(Shape.of(1));
        Tensor dlogits = zeros(Shape.of(2, 3));
        illegal(() -> d.softmaxCrossEntropy(logits, new int[] {0, 3}, 0, loss, dlogits), "labels[1]",
                "a class index in [0, 3)", "got 3");
        illegal(() -> d.softmaxCrossEntropy(logits, new int[] {0}, 0, loss, dlogits), "labels", "one label per row (2)",
                "1 labels");
        illegal(() -> d.softmaxCrossEntropy(logits, new int[] {0, 1}, 1.5, loss, dlogits), "labelSmoothing",
                "[0.0, 1.0]", "1.5");
    }

    @Test
    void optimizerStepChecksGradientAndStateKind() {
        Shape s = Shape.of(4);
        Tensor p = zeros(s);
        Tensor g = zeros(Shape.of(5));
        Sgd sgd = Sgd.withMomentum(0.1, 0.9);
        try (OptimizerState st = d.optimizerState(sgd, s)) {
            illegal(() -> d.step(sgd, st, p, g), "argument 'grad'", "expected shape [4]", "got [5]");
            Tensor g4 = zeros(s);
            illegal(() -> d.step(Adam.of(0.1), st, p, g4), "state", "state for adam", "state for sgd");
        }
    }

    // ---------------------------------------------------------------- devices, closed, null

    @Test
    void tensorOfAnotherDevice() {
        try (Device other = Devices.open("reference")) {
            Tensor x = other.zeros(SAME.inputShape());
            Tensor w = zeros(SAME.weightShape());
            illegal(() -> d.conv2d(SAME, x, w, null), "argument 'x'", "expected a tensor of device " + d.spec(),
                    "got one of device " + other.spec(), "another Device instance");
        }
    }

    @Test
    void closedTensor() {
        Tensor x = zeros(SAME.inputShape());
        Tensor w = zeros(SAME.weightShape());
        w.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.conv2d(SAME, x, w, null));
        assertMessage(e, "argument 'w'", "tensor [3, 3, 3, 3] is closed");
        IllegalStateException read = assertThrows(IllegalStateException.class, w::toArray);
        assertMessage(read, "argument 'tensor'", "is closed");
    }

    @Test
    void viewOfAClosedTensorIsClosed() {
        Tensor x = zeros(Shape.of(2, 3));
        Tensor v = x.view(Shape.of(6));
        x.close();
        assertTrue(v.isClosed(), "a view of a closed tensor must report itself closed");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> d.activation(Activation.relu(), v, zeros(Shape.of(6))));
        assertMessage(e, "argument 'x'", "is closed");
    }

    @Test
    void closedDevice() {
        Device gone = Devices.open("reference");
        Tensor t = gone.zeros(Shape.of(3));
        gone.close();
        assertTrue(t.isClosed(), "closing a device closes its tensors");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> gone.zeros(Shape.of(2)));
        assertMessage(e, "device " + gone.spec() + " is closed");
        IllegalStateException op = assertThrows(IllegalStateException.class, () -> gone.activation(Activation.relu(), t));
        assertMessage(op, "device " + gone.spec() + " is closed");
    }

    @Test
    void nullTensors() {
        Tensor x = zeros(SAME.inputShape());
        illegal(() -> d.conv2d(SAME, x, null, null), "argument 'w'", "expected a tensor", "got null");
        illegal(() -> d.activation(Activation.tanh(), null), "argument 'x'", "expected a tensor", "got null");
        Tensor y = zeros(Shape.of(2, 2));
        illegal(() -> d.softmax(null, y), "argument 'x'", "expected a tensor", "got null");
        illegal(() -> d.upload(Shape.of(2), null), "data", "an array of 2 elements", "null");
        illegal(() -> d.step(Sgd.of(0.1), null, y, y), "state", "an OptimizerState", "null");
    }

    // ---------------------------------------------------------------- aliasing

    @Test
    void outputAliasingAnInput() {
        Tensor x = zeros(SAME.inputShape());
        Tensor w = zeros(SAME.weightShape());
        illegal(() -> d.conv2d(SAME, ConvAlgorithm.AUTO, x, w, null, x), "argument 'y'",
                "expected a tensor distinct from the inputs", "got one sharing storage with an input");
        // A view shares the storage of its base: still an alias.
        Tensor xv = x.view(SAME.outputShape());
        illegal(() -> d.conv2d(SAME, ConvAlgorithm.AUTO, x, w, null, xv), "argument 'y'",
                "expected a tensor distinct from the inputs", "got one sharing storage with an input");
        Tensor dy = zeros(SAME.outputShape());
        illegal(() -> d.conv2dBackwardData(SAME, ConvAlgorithm.AUTO, dy, w, dy), "argument 'dx'",
                "expected a tensor distinct from the inputs");
        Tensor m = zeros(Shape.of(2, 4));
        illegal(() -> d.softmax(m, m), "argument 'y'", "expected a tensor distinct from the inputs");
    }

    @Test
    void parametersSharingStorage() {
        BatchNormProblem bn = BatchNormProblem.of(2, 3, 2, 2);
        Tensor x = zeros(bn.inputShape());
        Tensor y = zeros(bn.inputShape());
        Tensor g = zeros(bn.channelShape());
        Tensor rm = zeros(bn.channelShape());
        Tensor rv = zeros(bn.channelShape());
        Tensor sm = zeros(bn.channelShape());
        Tensor si = zeros(bn.channelShape());
        illegal(() -> d.batchNormTrain(bn, x, g, g, rm, rv, y, sm, si), "arguments 'gamma' and 'beta'",
                "expected distinct tensors", "got the same storage twice");
        Shape s = Shape.of(3);
        Tensor p = zeros(s);
        Sgd sgd = Sgd.of(0.1);
        try (OptimizerState st = d.optimizerState(sgd, s)) {
            illegal(() -> d.step(sgd, st, p, p), "argument 'param'", "expected a tensor distinct from the inputs");
        }
    }

    /** Found by the full-scale fuzz run: offset + length overflowed, and the backend indexed at -3. */
    @Test
    void aRangeNearLongMaxIsRefusedNotWrapped() {
        try (Tensor t = zeros(Shape.of(2, 4))) {
            float[] a = new float[6];
            illegal(() -> t.read(Long.MAX_VALUE - 2, a, 1, 4), "offset", "a range inside the tensor's 8 elements");
            illegal(() -> t.write(Long.MAX_VALUE, a, 1, 4), "offset", "a range inside the tensor's 8 elements");
        }
    }

    /** Also from the fuzz run: OpenCL refused a copy onto itself (CL_MEM_COPY_OVERLAP); it is a no-op. */
    @Test
    void copyingATensorOntoItselfOrItsViewChangesNothing() {
        try (Tensor t = d.upload(Shape.of(2, 3), new float[] {1, 2, 3, 4, 5, 6}); Tensor v = t.view(Shape.of(6))) {
            d.copy(t, t);
            d.copy(v, v);
            org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toArray());
        }
    }

    /** Scalars are float32 on every float32 backend: a value that float32 cannot hold is refused by name. */
    @Test
    void aScalarBeyondFloat32IsRefused() {
        try (Tensor a = zeros(Shape.of(4)); Tensor b = zeros(Shape.of(4))) {
            illegal(() -> d.axpby(-1.5, a, Double.MAX_VALUE, b, b), "beta", "float32", "1.7976931348623157E308");
            illegal(() -> Sgd.of(1e300), "lr", "float32");
        }
    }
}
