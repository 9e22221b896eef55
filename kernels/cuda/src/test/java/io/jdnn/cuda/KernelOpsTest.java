package io.jdnn.cuda;

import io.jdnn.kernels.KernelTestSupport;
import io.jdnn.Activation;
import io.jdnn.AlgorithmNotSupportedException;
import io.jdnn.BatchNormProblem;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.ErrorBounds;
import io.jdnn.LinearProblem;
import io.jdnn.OptimizerState;
import io.jdnn.Philox;
import io.jdnn.PoolProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.optim.AdaDelta;
import io.jdnn.optim.AdaGrad;
import io.jdnn.optim.Adam;
import io.jdnn.optim.AdamW;
import io.jdnn.optim.Optimizer;
import io.jdnn.optim.RmsProp;
import io.jdnn.optim.Sgd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.jdnn.kernels.KernelTestSupport.assertBitwiseEqual;
import static io.jdnn.kernels.KernelTestSupport.assertClose;
import static io.jdnn.kernels.KernelTestSupport.poisoned;
import static io.jdnn.kernels.KernelTestSupport.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every op of a GPU backend built on the shared layer against the float64 reference, on small
 * problems with awkward sizes, outputs poisoned with NaN first, compared with the
 * {@link ErrorBounds} bounds (each algorithm with its own {@link ConvAlgorithm#errorBound()}).
 * Parameterized over {@code -Djdnn.test.kernels} (default {@code cuda}); {@code opencl} runs the
 * very same checks on PoCL. TENSOR_CORE_TF32 and TENSOR_CORE_BF16 checks run on CUDA only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KernelOpsTest {
    private final Map<String, Device> devices = new HashMap<>();
    private Device ref;

    static List<String> backends() {
        return GpuTestSupport.backends();
    }

    @BeforeAll
    void openReference() {
        ref = GpuTestSupport.openReference();
    }

    @AfterAll
    void close() {
        for (Device d : devices.values()) {
            d.close();
        }
        if (ref != null) {
            ref.close();
        }
    }

    /** The backend's device under test, opened once (or the test skips with the reason). */
    private Device dev(String backend) {
        Device d = devices.get(backend);
        if (d == null) {
            d = GpuTestSupport.open(backend, DeviceOptions.DEFAULT);
            devices.put(backend, d);
        }
        return d;
    }

    // ================================================================== element-wise

    static final int N = 4099;

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void activationsForwardAndBackward(String backend) {
        Device d = dev(backend);
        float[] xs = random(11, N, -4, 4);
        xs[0] = 0f;
        xs[1] = -0f;
        xs[7] = Float.NaN;
        xs[8] = Float.POSITIVE_INFINITY;
        xs[9] = Float.NEGATIVE_INFINITY;
        float[] dys = random(12, N, -1, 1);
        Shape s = Shape.of(N);
        for (Activation a : List.of(Activation.relu(), Activation.leakyRelu(0.1), Activation.elu(1.3),
                Activation.sigmoid(), Activation.tanh(), Activation.relu6(), Activation.hardswish(),
                Activation.hardsigmoid(), Activation.silu(), Activation.mish(), Activation.gelu(),
                Activation.geluTanh(), Activation.softplus(1, 20), Activation.softplus(2, 3))) {
            try (Tensor x = d.upload(s, xs); Tensor dy = d.upload(s, dys); Tensor rx = ref.upload(s, xs);
                 Tensor rdy = ref.upload(s, dys); Tensor y = poisoned(d, s); Tensor dx = poisoned(d, s);
                 Tensor ry = ref.activation(a, rx); Tensor rdx = ref.activationBackward(a, rx, rdy)) {
                d.activation(a, x, y);
                d.activationBackward(a, x, dy, dx);
                // one rounded operation, or exp/tanh within a few ulp, per element
                assertClose(backend + " " + a + " forward", y, ry, ErrorBounds.ELEMENTWISE);
                assertClose(backend + " " + a + " backward", dx, rdx, ErrorBounds.ELEMENTWISE);
                d.activation(a, x, x);
                assertClose(backend + " " + a + " forward in place", x, ry, ErrorBounds.ELEMENTWISE);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void axpbyFillAndCopy(String backend) {
        Device d = dev(backend);
        Shape s = Shape.of(N);
        float[] as = random(21, N, -1, 1);
        float[] bs = random(22, N, -1, 1);
        try (Tensor ra = ref.upload(s, as); Tensor rb = ref.upload(s, bs); Tensor rout = ref.allocate(s);
             Tensor a = d.upload(s, as); Tensor b = d.upload(s, bs); Tensor out = poisoned(d, s);
             Tensor t = poisoned(d, s); Tensor u = poisoned(d, s); Tensor r = ref.full(s, -3.25f)) {
            ref.axpby(0.75, ra, -1.5, rb, rout);
            d.axpby(0.75, a, -1.5, b, out);
            // two products and a sum, each rounded once
            assertClose(backend + " axpby", out, rout, ErrorBounds.ELEMENTWISE);
            d.axpby(0.75, a, -1.5, b, a);
            assertClose(backend + " axpby into a", a, rout, ErrorBounds.ELEMENTWISE);
            d.fill(t, -3.25f);
            assertBitwiseEqual(backend + " fill", t, r);
            d.copy(t, u);
            assertBitwiseEqual(backend + " copy", u, r);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void dropoutMasksAreBitwisePhiloxs(String backend) {
        Device d = dev(backend);
        int n = 1003; // not a multiple of the four elements a Philox block covers
        Shape s = Shape.of(n);
        float[] xs = random(31, n, 0.5, 1.5); // never zero, so a zero output means dropped
        long seed = 0x1234_5678_9ABC_DEF0L;
        long offset = 0xFEDC_BA98_7654_3210L;
        for (double p : new double[] {0, 0.3, 0.999, 1}) {
            try (Tensor x = d.upload(s, xs); Tensor y = poisoned(d, s); Tensor rx = ref.upload(s, xs);
                 Tensor ry = ref.allocate(s)) {
                d.dropout(p, seed, offset, x, y);
                ref.dropout(p, seed, offset, rx, ry);
                float[] got = y.toArray();
                for (int i = 0; i < n; i++) {
                    if ((got[i] != 0) != Philox.keep(p, seed, offset, i)) {
                        fail(backend + " dropout p=" + p + ": element " + i + " kept=" + (got[i] != 0)
                                + ", Philox.keep=" + Philox.keep(p, seed, offset, i));
                    }
                }
                // x / (1 - p) against x * (1 / (1 - p)) rounded to float: a unit or two of the last place
                assertClose(backend + " dropout p=" + p, y, ry, ErrorBounds.ELEMENTWISE);
                d.dropoutBackward(p, seed, offset, x, x);
                assertClose(backend + " dropout backward in place p=" + p, x, ry, ErrorBounds.ELEMENTWISE);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void randomFills(String backend) {
        Device d = dev(backend);
        int n = 4099;
        Shape s = Shape.of(n);
        long seed = -7L;
        long offset = (5L << 32) | 3;
        try (Tensor u = poisoned(d, s); Tensor g = poisoned(d, s); Tensor ru = ref.allocate(s);
             Tensor rg = ref.allocate(s); Tensor unit = poisoned(d, s)) {
            d.randomUniform(unit, 0, 1, seed, offset);
            float[] got = unit.toArray();
            for (int i = 0; i < n; i++) {
                // multiples of 2^-24 in [0, 1): float32 holds them exactly
                assertEquals((float) Philox.uniform(seed, offset, i), got[i], 0f, backend + " uniform element " + i);
            }
            d.randomUniform(u, -2, 3, seed, offset);
            ref.randomUniform(ru, -2, 3, seed, offset);
            d.randomNormal(g, 0.5, 2, seed, offset + 1);
            ref.randomNormal(rg, 0.5, 2, seed, offset + 1);
            // lo + range * u rounded twice; normal: float32 log, sqrt and cospi (ErrorBounds.RANDOM)
            assertClose(backend + " randomUniform", u, ru, ErrorBounds.RANDOM);
            assertClose(backend + " randomNormal", g, rg, ErrorBounds.RANDOM);
        }
    }

    // ================================================================== pooling

    static final List<String> POOL = List.of(
            "maxpool_mb2ic3ih7iw9kh3kw3sh2sw2ph1pw1dh1dw1ceil0",
            "maxpool_mb2ic3ih7iw9kh3kw3sh2sw2ph1pw1dh1dw1ceil1",   // ceil mode adds a clipped last window
            "maxpool_mb1ic2ih10iw11kh3kw3sh2sw2ph1pw1dh2dw2ceil1", // dilation with stride and ceil mode
            "maxpool_mb2ic2ih8iw7kh2kw2sh3sw3ph0pw0dh1dw1ceil0",   // stride > kernel
            "maxpool_mb1ic3ih1iw1kh1kw1sh1sw1ph0pw0dh1dw1ceil0",   // 1x1 image
            "maxpool_mb2ic3ih41iw45kh3kw3sh2sw2ph1pw1dh1dw1ceil0", // backward: several tiles, halo 1
            "maxpool_mb1ic2ih30iw33kh3kw3sh1sw1ph1pw1dh2dw2ceil0", // backward: several tiles, halo 4
            "maxpool_mb1ic2ih1300iw5kh3kw1sh1sw1ph1pw0dh600dw1ceil0", // backward: halo beyond a tile, pool_max_backward
            "avgpool_mb2ic3ih7iw9kh3kw3sh2sw2ph1pw1ceil0cip1",
            "avgpool_mb1ic2ih6iw6kh3kw3sh2sw2ph1pw1ceil1cip0",
            "avgpool_mb1ic2ih5iw4kh2kw3sh3sw1ph1pw1ceil0cip1",
            "adaptiveavgpool_mb2ic3ih7iw9oh3ow4",
            "adaptiveavgpool_mb2ic5ih5iw5oh1ow1",
            "adaptiveavgpool_mb1ic2ih4iw3oh6ow5");

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void poolingForwardAndBackward(String backend) {
        Device d = dev(backend);
        for (String text : POOL) {
            PoolProblem p = PoolProblem.parse(text);
            int n = Math.toIntExact(p.inputShape().elements());
            float[] xs = random(text.hashCode(), n, -1, 1);
            if (text.startsWith("max")) {
                for (int i = 0; i < n; i++) {
                    xs[i] = Math.round(xs[i] * 2) / 2f; // ties: the first maximum wins
                }
                for (int i = 5; i < n; i += 37) {
                    xs[i] = Float.NaN;
                }
            }
            float[] dys = random(text.hashCode() + 1, Math.toIntExact(p.outputShape().elements()), -1, 1);
            try (Tensor x = d.upload(p.inputShape(), xs); Tensor dy = d.upload(p.outputShape(), dys);
                 Tensor y = poisoned(d, p.outputShape()); Tensor dx = poisoned(d, p.inputShape());
                 Tensor rx = ref.upload(p.inputShape(), xs); Tensor rdy = ref.upload(p.outputShape(), dys);
                 Tensor ry = ref.pool(p, rx); Tensor rdx = ref.poolBackward(p, rx, rdy)) {
                d.pool(p, x, y);
                d.poolBackward(p, x, dy, dx);
                // max: exact; averages: a window's sum in float32; backward: a few overlapping windows' terms
                assertClose(backend + " " + text + " forward", y, ry, ErrorBounds.POOLING);
                assertClose(backend + " " + text + " backward", dx, rdx, ErrorBounds.POOLING);
            }
        }
    }

    // ================================================================== batch norm

    static final List<BatchNormProblem> BN = List.of(
            BatchNormProblem.of(2, 3, 5, 7),
            new BatchNormProblem(4, 300, 1, 1, 1e-3, 0.25),   // more channels than the groups launched per SM
            BatchNormProblem.of(1, 2, 1, 3),
            BatchNormProblem.of(2, 2, 23, 29),                // more values per channel than threads
            BatchNormProblem.of(600, 3, 1, 1),
            BatchNormProblem.of(3, 2, 40, 41),                // several (channel, chunk) pairs per channel
            BatchNormProblem.of(5000, 3, 1, 1));              // BatchNorm1d in three chunks

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void batchNormTrainingAndInference(String backend) {
        Device d = dev(backend);
        for (BatchNormProblem p : BN) {
            int n = Math.toIntExact(p.inputShape().elements());
            int c = p.channels();
            float[] xs = random(1, n, 2, 4); // an offset, so the variance is not E[x^2]
            float[] dys = random(2, n, -1, 1);
            float[] gs = random(3, c, 0.5, 1.5);
            float[] bs = random(4, c, -1, 1);
            float[] rms = random(5, c, -0.5, 0.5);
            float[] rvs = random(6, c, 0.5, 2);
            Shape xsh = p.inputShape();
            Shape csh = p.channelShape();
            try (Tensor x = d.upload(xsh, xs); Tensor g = d.upload(csh, gs); Tensor b = d.upload(csh, bs);
                 Tensor rm = d.upload(csh, rms); Tensor rv = d.upload(csh, rvs); Tensor dy = d.upload(xsh, dys);
                 Tensor y = poisoned(d, xsh); Tensor sm = poisoned(d, csh); Tensor si = poisoned(d, csh);
                 Tensor dx = poisoned(d, xsh); Tensor dg = poisoned(d, csh); Tensor db = poisoned(d, csh);
                 Tensor rx = ref.upload(xsh, xs); Tensor rg = ref.upload(csh, gs); Tensor rb = ref.upload(csh, bs);
                 Tensor rrm = ref.upload(csh, rms); Tensor rrv = ref.upload(csh, rvs); Tensor rdy = ref.upload(xsh, dys);
                 Tensor ry = ref.allocate(xsh); Tensor rsm = ref.allocate(csh); Tensor rsi = ref.allocate(csh);
                 Tensor rdx = ref.allocate(xsh); Tensor rdg = ref.allocate(csh); Tensor rdb = ref.allocate(csh)) {
                // inference first, while the running statistics are the uploaded ones
                d.batchNormInference(p, x, g, b, rm, rv, y);
                ref.batchNormInference(p, rx, rg, rb, rrm, rrv, ry);
                // (x - rm) / sqrt(rv + eps) gamma + beta: a few rounded operations per element
                assertClose(backend + " " + p + " inference", y, ry, ErrorBounds.ELEMENTWISE);
                d.batchNormInferenceBackward(p, x, dy, g, rm, rv, dx, dg, db);
                ref.batchNormInferenceBackward(p, rx, rdy, rg, rrm, rrv, rdx, rdg, rdb);
                // dgamma and dbeta sum over N*H*W values per channel (ErrorBounds.REDUCTION)
                assertClose(backend + " " + p + " inference dx", dx, rdx, ErrorBounds.REDUCTION);
                assertClose(backend + " " + p + " inference dgamma", dg, rdg, ErrorBounds.REDUCTION);
                assertClose(backend + " " + p + " inference dbeta", db, rdb, ErrorBounds.REDUCTION);

                d.batchNormTrain(p, x, g, b, rm, rv, y, sm, si);
                ref.batchNormTrain(p, rx, rg, rb, rrm, rrv, ry, rsm, rsi);
                // per-channel statistics over N*H*W values, tree-summed in float32 (ErrorBounds.REDUCTION)
                assertClose(backend + " " + p + " y", y, ry, ErrorBounds.REDUCTION);
                assertClose(backend + " " + p + " saveMean", sm, rsm, ErrorBounds.REDUCTION);
                assertClose(backend + " " + p + " saveInvStd", si, rsi, ErrorBounds.REDUCTION);
                assertClose(backend + " " + p + " runningMean", rm, rrm, ErrorBounds.REDUCTION);
                assertClose(backend + " " + p + " runningVar", rv, rrv, ErrorBounds.REDUCTION);
                d.batchNormBackward(p, x, dy, g, sm, si, dx, dg, db);
                ref.batchNormBackward(p, rx, rdy, rg, rsm, rsi, rdx, rdg, rdb);
                assertClose(backend + " " + p + " dx", dx, rdx, ErrorBounds.REDUCTION);
                assertClose(backend + " " + p + " dgamma", dg, rdg, ErrorBounds.REDUCTION);
                assertClose(backend + " " + p + " dbeta", db, rdb, ErrorBounds.REDUCTION);
            }
        }
    }

    // ================================================================== softmax, loss, linear

    /** (rows, cols, logit scale). */
    static final int[][] SOFTMAX = {{3, 1, 1}, {5, 10, 3}, {4, 1000, 3}, {2, 257, 40}, {300, 7, 2}};

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void softmaxAndCrossEntropy(String backend) {
        Device d = dev(backend);
        for (int[] sh : SOFTMAX) {
            int rows = sh[0];
            int cols = sh[1];
            Shape s = Shape.of(rows, cols);
            float[] xs = random(cols, rows * cols, -sh[2], sh[2]);
            float[] dys = random(cols + 1, rows * cols, -1, 1);
            String what = backend + " softmax " + s;
            try (Tensor x = d.upload(s, xs); Tensor dy = d.upload(s, dys); Tensor y = poisoned(d, s);
                 Tensor dx = poisoned(d, s); Tensor rx = ref.upload(s, xs); Tensor rdy = ref.upload(s, dys);
                 Tensor ry = ref.allocate(s); Tensor rdx = ref.allocate(s)) {
                d.softmax(x, y);
                ref.softmax(rx, ry);
                // a row sum of exponentials and a division (ErrorBounds.SOFTMAX)
                assertClose(what + " forward", y, ry, ErrorBounds.SOFTMAX);
                try (Tensor yRef = d.upload(s, ry.toArray())) {
                    d.softmaxBackward(yRef, dy, dx);
                    ref.softmaxBackward(ry, rdy, rdx);
                    assertClose(what + " backward", dx, rdx, ErrorBounds.SOFTMAX);
                }
            }
            int[] labels = new Random(cols).ints(rows, 0, cols).toArray();
            for (double smoothing : new double[] {0, 0.1}) {
                try (Tensor x = d.upload(s, xs); Tensor loss = poisoned(d, Shape.of(1)); Tensor dl = poisoned(d, s);
                     Tensor rx = ref.upload(s, xs); Tensor rloss = ref.allocate(Shape.of(1));
                     Tensor rdl = ref.allocate(s)) {
                    d.softmaxCrossEntropy(x, labels, smoothing, loss, dl);
                    ref.softmaxCrossEntropy(rx, labels, smoothing, rloss, rdl);
                    // row reductions, a float32 log, then a mean over rows (ErrorBounds.SOFTMAX)
                    assertClose(what + " cross-entropy loss, smoothing " + smoothing, loss, rloss, ErrorBounds.SOFTMAX);
                    assertClose(what + " cross-entropy dlogits, smoothing " + smoothing, dl, rdl, ErrorBounds.SOFTMAX);
                }
            }
        }
    }

    static final List<LinearProblem> LINEAR = List.of(
            new LinearProblem(1, 1, 1),
            new LinearProblem(3, 70, 65),     // no tile divides 65 or 70
            new LinearProblem(67, 130, 5),    // batch past one 64-row tile, K past several 16-deep slices
            new LinearProblem(130, 33, 200));

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void linearLayers(String backend) {
        Device d = dev(backend);
        for (LinearProblem p : LINEAR) {
            Shape xs = Shape.of(p.batch(), p.inFeatures());
            Shape ws = Shape.of(p.outFeatures(), p.inFeatures());
            Shape ys = Shape.of(p.batch(), p.outFeatures());
            Shape bs = Shape.of(p.outFeatures());
            float[] xv = random(1, Math.toIntExact(xs.elements()), -1, 1);
            float[] wv = random(2, Math.toIntExact(ws.elements()), -1, 1);
            float[] bv = random(3, p.outFeatures(), -1, 1);
            float[] dyv = random(4, Math.toIntExact(ys.elements()), -1, 1);
            try (Tensor x = d.upload(xs, xv); Tensor w = d.upload(ws, wv); Tensor b = d.upload(bs, bv);
                 Tensor dy = d.upload(ys, dyv); Tensor y = poisoned(d, ys); Tensor dx = poisoned(d, xs);
                 Tensor dw = poisoned(d, ws); Tensor db = poisoned(d, bs);
                 Tensor rx = ref.upload(xs, xv); Tensor rw = ref.upload(ws, wv); Tensor rb = ref.upload(bs, bv);
                 Tensor rdy = ref.upload(ys, dyv); Tensor ry = ref.allocate(ys); Tensor rdx = ref.allocate(xs);
                 Tensor rdw = ref.allocate(ws); Tensor rdb = ref.allocate(bs)) {
                d.linear(p, x, w, b, y);
                ref.linear(p, rx, rw, rb, ry);
                d.linearBackwardData(p, dy, w, dx);
                ref.linearBackwardData(p, rdy, rw, rdx);
                d.linearBackwardWeight(p, x, dy, dw);
                ref.linearBackwardWeight(p, rx, rdy, rdw);
                d.linearBackwardBias(p, dy, db);
                ref.linearBackwardBias(p, rdy, rdb);
                // float32 dot products of up to 200 terms (ErrorBounds.GEMM); the bias gradient is a reduction
                assertClose(backend + " " + p + " forward", y, ry, ErrorBounds.GEMM);
                assertClose(backend + " " + p + " backward-data", dx, rdx, ErrorBounds.GEMM);
                assertClose(backend + " " + p + " backward-weight", dw, rdw, ErrorBounds.GEMM);
                assertClose(backend + " " + p + " backward-bias", db, rdb, ErrorBounds.REDUCTION);
            }
        }
    }

    // ================================================================== optimizers

    static final List<Optimizer> RULES = List.of(
            Sgd.of(0.1),
            new Sgd(0.05, 0.9, 0.25, false, 0.01),
            new Sgd(0.05, 0.8, 0, true, 0.001),
            new AdaGrad(0.1, 0.05, 0.01, 0.2, 1e-10),
            RmsProp.of(0.01),
            new RmsProp(0.01, 0.9, 1e-6, 0.01, 0.5, true),
            new RmsProp(0.01, 0.95, 1e-8, 0, 0.3, false),
            Adam.of(0.01),
            new Adam(0.01, 0.8, 0.99, 1e-6, 0.05, true),
            AdamW.of(0.01),
            new AdamW(0.02, 0.9, 0.95, 1e-8, 0.1, true),
            AdaDelta.defaults(),
            new AdaDelta(0.5, 0.8, 1e-5, 0.02));

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void threeStepsOfEveryOptimizer(String backend) {
        Device d = dev(backend);
        int n = 1003;
        Shape s = Shape.of(n);
        float[] p0 = random(1, n, -1, 1);
        for (Optimizer rule : RULES) {
            try (Tensor p = d.upload(s, p0); Tensor rp = ref.upload(s, p0);
                 OptimizerState st = d.optimizerState(rule, s); OptimizerState rst = ref.optimizerState(rule, s)) {
                for (int step = 1; step <= 3; step++) {
                    float[] g = random(100 + step, n, -1, 1);
                    try (Tensor grad = d.upload(s, g); Tensor rgrad = ref.upload(s, g)) {
                        d.step(rule, st, p, grad);
                        ref.step(rule, rst, rp, rgrad);
                    }
                }
                // a handful of float32 operations per element and step, hyper-parameters rounded once
                assertClose(backend + " " + rule + " param", p, rp, ErrorBounds.OPTIMIZER);
                for (String name : rule.stateNames()) {
                    assertClose(backend + " " + rule + " state " + name, st.get(name), rst.get(name),
                            ErrorBounds.OPTIMIZER);
                }
            }
        }
    }

    // ================================================================== convolution

    static final List<String> CONV = List.of(
            "conv_mb2ic3ih1iw1oc4kh1kw1",                               // 1x1 image, 1x1 kernel
            "conv_mb2ic3ih7iw9oc5kh3kw3ph1pw1",                         // same padding, odd sizes
            "conv_mb1ic4ih11iw9oc6kh3kw3sh2sw2ph2pw2dh2dw2g2",          // dilation with stride, groups
            "conv_mb2ic2ih8iw7oc3kh2kw2sh3sw3",                         // stride > kernel
            "conv_mb1ic6ih6iw5oc6kh3kw3ph1pw1g6",                       // depthwise
            "conv_mb1ic6ih5iw5oc12kh3kw3ph1pw1g6",                      // depthwise, multiplier 2
            "conv_mb2ic3ih5iw9oc4kh1kw3sh1sw2ph0pw1dh1dw3",             // asymmetric everything
            "conv_mb1ic300ih3iw3oc2kh3kw3ph1pw1",                       // a long reduction (2700 terms)
            "conv_mb2ic32ih14iw13oc70kh3kw3ph1pw1",                     // several 64 x 64 tiles, none full
            "conv_mb2ic16ih30iw29oc16kh3kw3ph1pw1g4",                   // 4 channels a group (GROUPED), several tiles
            "conv_mb1ic8ih17iw18oc8kh3kw3ph1pw1",                       // WINOGRAD F(4x4): partial last tiles
            "deconv_mb2ic4ih5iw6oc6kh3kw3sh2sw2ph1pw1g2oph1opw1",       // transposed, output padding, groups
            "deconv_mb1ic3ih4iw3oc2kh3kw2sh1sw1ph0pw1dh3dw2oph2opw1",   // output padding >= stride
            "deconv_mb1ic2ih1iw1oc3kh2kw2sh2sw2");                      // transposed from a 1x1 image

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void everyAlgorithmAndDirectionMatchesTheReference(String backend) {
        Device d = dev(backend);
        for (String text : CONV) {
            ConvProblem p = ConvProblem.parse(text);
            float[] xs = random(text.hashCode(), Math.toIntExact(p.inputShape().elements()), -1, 1);
            float[] ws = random(text.hashCode() + 1, Math.toIntExact(p.weightShape().elements()), -1, 1);
            float[] bs = random(text.hashCode() + 2, p.outChannels(), -1, 1);
            float[] dys = random(text.hashCode() + 3, Math.toIntExact(p.outputShape().elements()), -1, 1);
            try (Tensor rx = ref.upload(p.inputShape(), xs); Tensor rw = ref.upload(p.weightShape(), ws);
                 Tensor rb = ref.upload(p.biasShape(), bs); Tensor rdy = ref.upload(p.outputShape(), dys);
                 Tensor ry = ref.conv2d(p, ConvAlgorithm.DIRECT, rx, rw, rb);
                 Tensor rdx = ref.conv2dBackwardData(p, ConvAlgorithm.DIRECT, rdy, rw);
                 Tensor rdw = ref.conv2dBackwardFilter(p, ConvAlgorithm.DIRECT, rx, rdy);
                 Tensor rdb = ref.conv2dBackwardBias(p, rdy);
                 Tensor x = d.upload(p.inputShape(), xs); Tensor w = d.upload(p.weightShape(), ws);
                 Tensor b = d.upload(p.biasShape(), bs); Tensor dy = d.upload(p.outputShape(), dys);
                 Tensor db = poisoned(d, p.biasShape())) {
                d.conv2dBackwardBias(p, dy, db);
                // a sum over batch and space, tree-reduced (ErrorBounds.REDUCTION)
                assertClose(backend + " " + text + " backward-bias", db, rdb, ErrorBounds.REDUCTION);
                for (ConvAlgorithm a : d.algorithms()) {
                    for (ConvDirection dir : ConvDirection.values()) {
                        if (d.whyNot(p, dir, a).isPresent()) {
                            continue;
                        }
                        String what = backend + " " + text + " " + a + " " + dir;
                        // each algorithm's own bound, stated with its reason in ConvAlgorithm
                        switch (dir) {
                            case FORWARD -> {
                                try (Tensor y = poisoned(d, p.outputShape())) {
                                    d.conv2d(p, a, x, w, b, y);
                                    assertClose(what, y, ry, a.errorBound());
                                }
                            }
                            case BACKWARD_DATA -> {
                                try (Tensor dx = poisoned(d, p.inputShape())) {
                                    d.conv2dBackwardData(p, a, dy, w, dx);
                                    assertClose(what, dx, rdx, a.errorBound());
                                }
                            }
                            case BACKWARD_FILTER -> {
                                try (Tensor dw = poisoned(d, p.weightShape())) {
                                    d.conv2dBackwardFilter(p, a, x, dy, dw);
                                    assertClose(what, dw, rdw, a.errorBound());
                                }
                            }
                        }
                    }
                }
                try (Tensor y = poisoned(d, p.outputShape())) {
                    ConvAlgorithm chosen = d.autoAlgorithm(p, ConvDirection.FORWARD);
                    d.conv2d(p, ConvAlgorithm.AUTO, x, w, b, y);
                    assertClose(backend + " " + text + " AUTO (" + chosen + ") forward", y, ry, chosen.errorBound());
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void deterministicAlgorithmsAreBitwiseRepeatable(String backend) {
        Device d = dev(backend);
        ConvProblem p = ConvProblem.parse("conv_mb2ic4ih9iw9oc4kh3kw3sh2sw2ph1pw1g2");
        try (Tensor x = KernelTestSupport.randomTensor(d, p.inputShape(), 1);
             Tensor dy = KernelTestSupport.randomTensor(d, p.outputShape(), 2);
             Tensor w = KernelTestSupport.randomTensor(d, p.weightShape(), 3)) {
            for (ConvAlgorithm a : d.algorithms()) {
                if (d.whyNot(p, ConvDirection.FORWARD, a).isEmpty()) {
                    try (Tensor y1 = d.conv2d(p, a, x, w, null); Tensor y2 = d.conv2d(p, a, x, w, null)) {
                        assertBitwiseEqual(backend + " " + a + " forward run twice", y1, y2);
                    }
                }
                if (d.whyNot(p, ConvDirection.BACKWARD_FILTER, a).isEmpty()) {
                    try (Tensor dw1 = d.conv2dBackwardFilter(p, a, x, dy); Tensor dw2 = d.conv2dBackwardFilter(p, a, x, dy)) {
                        assertBitwiseEqual(backend + " " + a + " backward-filter run twice", dw1, dw2);
                    }
                }
            }
        }
    }

    // ================================================================== TENSOR_CORE_TF32 and _BF16 (CUDA only)

    static final List<String> TF32 = List.of(
            "conv_mb2ic64ih14iw14oc130kh3kw3ph1pw1",                    // 392 x 130 x 576: tiles in M, N and K, no edge full
            "conv_mb3ic5ih9iw11oc70kh3kw3sh2sw2ph1pw1dh2dw2",           // odd everything, K = 45 (not a multiple of 8)
            "conv_mb1ic8ih8iw8oc16kh1kw1",                              // 1x1: a plain GEMM
            "conv_mb2ic12ih7iw7oc12kh3kw3ph1pw1g3",                     // groups: one grid slice each
            "conv_mb1ic6ih6iw5oc12kh3kw3ph1pw1g6",                      // depthwise, multiplier 2
            "conv_mb1ic300ih3iw3oc2kh3kw3ph1pw1",                       // a long reduction, 2 output channels
            "conv_mb2ic3ih1iw1oc4kh1kw1");                              // 1x1 image

    /** Strided backward-data (per residue class) and transposed convolutions, the tensor cores' backward-data. */
    static final List<String> TF32_STRIDED = List.of(
            "conv_mb2ic70ih14iw14oc64kh3kw3sh2sw2ph1pw1",               // ResNet's strided 3x3: classes of 1 and 2 taps
            "conv_mb2ic64ih14iw14oc128kh1kw1sh2sw2",                    // its 1x1 shortcut: 3 of 4 classes no tap reaches
            "conv_mb1ic5ih13iw11oc6kh3kw2sh3sw2ph1pw0dh2dw3",           // unequal strides with dilation
            "deconv_mb2ic64ih8iw8oc32kh4kw4sh2sw2ph1pw1dh1dw1g1oph0opw0",  // DCGAN's transposed 4x4 stride 2, bias
            "deconv_mb1ic8ih5iw4oc6kh3kw3sh2sw2ph1pw1dh1dw1g2oph1opw1");   // groups, output padding, bias

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void tensorCoreTf32IsWithinItsBoundInEveryDirection(String backend) {
        // TF32 inputs (unit roundoff 2^-11): 576 products cannot all be exact, the error exceeds float32's 1e-6
        tensorCoreIsWithinItsBoundInEveryDirection(backend, ConvAlgorithm.TENSOR_CORE_TF32, 1e-6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void tensorCoreBf16IsWithinItsBoundInEveryDirection(String backend) {
        // BF16 inputs (unit roundoff 2^-8): on 576 products the error exceeds 1e-4, more than TF32's rounding gives
        tensorCoreIsWithinItsBoundInEveryDirection(backend, ConvAlgorithm.TENSOR_CORE_BF16, 1e-4);
    }

    /**
     * TENSOR_CORE_TF32 or _BF16 (inputs rounded to TF32 or BF16, float32 accumulation: its own error
     * bound) on every problem of {@link #TF32}, every direction it runs; the long reduction's error
     * above {@code roundingSeen}, so that the rounding provably ran.
     */
    private void tensorCoreIsWithinItsBoundInEveryDirection(String backend, ConvAlgorithm tc, double roundingSeen) {
        Assumptions.assumeTrue(backend.equals("cuda"), tc + " is implemented by the cuda backend only");
        Device d = dev(backend);
        assertTrue(d.algorithms().contains(tc), "cuda lists " + tc + ": " + d.algorithms());
        for (String text : TF32) {
            ConvProblem p = ConvProblem.parse(text);
            assertEquals(java.util.Optional.empty(), d.whyNot(p, ConvDirection.FORWARD, tc), text);
            float[] xs = random(text.hashCode(), Math.toIntExact(p.inputShape().elements()), -1, 1);
            float[] ws = random(text.hashCode() + 1, Math.toIntExact(p.weightShape().elements()), -1, 1);
            float[] bs = random(text.hashCode() + 2, p.outChannels(), -1, 1);
            try (Tensor rx = ref.upload(p.inputShape(), xs); Tensor rw = ref.upload(p.weightShape(), ws);
                 Tensor rb = ref.upload(p.biasShape(), bs);
                 Tensor ry = ref.conv2d(p, ConvAlgorithm.DIRECT, rx, rw, rb);
                 Tensor ry0 = ref.conv2d(p, ConvAlgorithm.DIRECT, rx, rw, null);
                 Tensor x = d.upload(p.inputShape(), xs); Tensor w = d.upload(p.weightShape(), ws);
                 Tensor b = d.upload(p.biasShape(), bs);
                 Tensor y = poisoned(d, p.outputShape()); Tensor y0 = poisoned(d, p.outputShape())) {
                d.conv2d(p, tc, x, w, b, y);
                d.conv2d(p, tc, x, w, null, y0);
                // TF32 or BF16 inputs, float32 accumulation: the algorithm's own bound (ConvAlgorithm's javadoc)
                assertClose(text + " " + tc + " forward with bias", y, ry, tc.errorBound());
                assertClose(text + " " + tc + " forward", y0, ry0, tc.errorBound());
                if (p.weightShape().elements() / p.outChannels() >= 500) {
                    // hundreds of products of rounded inputs cannot all be exact: a smaller error means the rounding did not run
                    double err = KernelTestSupport.error(y0, ry0);
                    assertTrue(err > roundingSeen, text + ": error " + err + " is at most " + roundingSeen + ", too small "
                            + "for " + tc + "'s rounding: did the tensor cores run with it?");
                }
            }
            // backward-data, any stride: the same kernel over dy with the flipped (sub-)filter, per residue class
            assertEquals(java.util.Optional.empty(), d.whyNot(p, ConvDirection.BACKWARD_DATA, tc), text);
            float[] dys = random(text.hashCode() + 3, Math.toIntExact(p.outputShape().elements()), -1, 1);
            try (Tensor rdy = ref.upload(p.outputShape(), dys); Tensor rw = ref.upload(p.weightShape(), ws);
                 Tensor rdx = ref.conv2dBackwardData(p, ConvAlgorithm.DIRECT, rdy, rw);
                 Tensor dy = d.upload(p.outputShape(), dys); Tensor w = d.upload(p.weightShape(), ws);
                 Tensor dx = d.conv2dBackwardData(p, tc, dy, w)) {
                // rounded inputs, float32 accumulation over K/G*R*S terms: the same bound as the forward pass
                assertClose(text + " " + tc + " backward-data", dx, rdx, tc.errorBound());
            }
            // backward-filter: dW = dY^T A on the tensor cores, split over the pixels (any stride)
            assertEquals(java.util.Optional.empty(), d.whyNot(p, ConvDirection.BACKWARD_FILTER, tc), text);
            float[] dys0 = random(text.hashCode() + 3, Math.toIntExact(p.outputShape().elements()), -1, 1);
            try (Tensor rx = ref.upload(p.inputShape(), xs); Tensor rdy = ref.upload(p.outputShape(), dys0);
                 Tensor rdw = ref.conv2dBackwardFilter(p, ConvAlgorithm.DIRECT, rx, rdy);
                 Tensor x = d.upload(p.inputShape(), xs); Tensor dy = d.upload(p.outputShape(), dys0);
                 Tensor dw = d.conv2dBackwardFilter(p, tc, x, dy)) {
                // rounded inputs, float32 accumulation over N*P*Q terms (splits added in order)
                assertClose(text + " " + tc + " backward-filter", dw, rdw, tc.errorBound());
            }
        }
        // strided backward-data and transposed convolutions (a transposed conv's forward is backward-data)
        for (String text : TF32_STRIDED) {
            ConvProblem p = ConvProblem.parse(text);
            assertEquals(java.util.Optional.empty(), d.whyNot(p, p.transposed() ? ConvDirection.FORWARD
                    : ConvDirection.BACKWARD_DATA, tc), text);
            io.jdnn.Shape in = p.transposed() ? p.inputShape() : p.outputShape();
            float[] dys = random(text.hashCode() + 3, Math.toIntExact(in.elements()), -1, 1);
            float[] ws = random(text.hashCode() + 1, Math.toIntExact(p.weightShape().elements()), -1, 1);
            float[] bs = random(text.hashCode() + 2, Math.toIntExact(p.biasShape().elements()), -1, 1);
            try (Tensor rdy = ref.upload(in, dys); Tensor rw = ref.upload(p.weightShape(), ws);
                 Tensor rb = ref.upload(p.biasShape(), bs);
                 Tensor rdx = p.transposed() ? ref.conv2d(p, ConvAlgorithm.DIRECT, rdy, rw, rb)
                         : ref.conv2dBackwardData(p, ConvAlgorithm.DIRECT, rdy, rw);
                 Tensor dy = d.upload(in, dys); Tensor w = d.upload(p.weightShape(), ws);
                 Tensor b = d.upload(p.biasShape(), bs);
                 Tensor dx = p.transposed() ? d.conv2d(p, tc, dy, w, b) : d.conv2dBackwardData(p, tc, dy, w)) {
                // rounded inputs, float32 accumulation over K/G*Rc*Sc terms per class: the forward pass's bound
                assertClose(text + " " + tc + " strided backward-data", dx, rdx, tc.errorBound());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void tensorCoreTf32RefusesTooManyStrideClassesAndAutoUsesItOnlyWhenAllowed(String backend) {
        tensorCoreRefusesTooManyStrideClassesAndAutoUsesItOnlyWhenAllowed(backend, ConvAlgorithm.TENSOR_CORE_TF32,
                DeviceOptions.DEFAULT.withAllowBf16(true), DeviceOptions.DEFAULT.withAllowTf32(true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void tensorCoreBf16RefusesTooManyStrideClassesAndAutoUsesItOnlyWhenAllowed(String backend) {
        tensorCoreRefusesTooManyStrideClassesAndAutoUsesItOnlyWhenAllowed(backend, ConvAlgorithm.TENSOR_CORE_BF16,
                DeviceOptions.DEFAULT.withAllowTf32(true), DeviceOptions.DEFAULT.withAllowBf16(true));
    }

    /**
     * Backward-data of more stride classes than FlippedBackwardData.MAX_CLASSES refused; AUTO never picks {@code tc} on the default device nor on one opened
     * with {@code other} (the other precision allowed), and has it among its candidates with {@code allowing}.
     */
    private void tensorCoreRefusesTooManyStrideClassesAndAutoUsesItOnlyWhenAllowed(String backend, ConvAlgorithm tc,
                                                                             DeviceOptions other, DeviceOptions allowing) {
        Assumptions.assumeTrue(backend.equals("cuda"), tc + " is implemented by the cuda backend only");
        Device d = dev(backend);
        ConvProblem p = ConvProblem.parse(TF32.get(0));
        // 2000 x 2000 pixels, stride 2000: four million classes of one pixel
        ConvProblem strided = ConvProblem.parse("conv_mb1ic1ih2000iw2000oc1kh1kw1sh2000sw2000");
        assertTrue(d.whyNot(strided, ConvDirection.BACKWARD_DATA, tc).orElse("").contains("4000000 classes"),
                "strided backward-data: " + d.whyNot(strided, ConvDirection.BACKWARD_DATA, tc));
        try (Tensor dy = d.zeros(strided.outputShape()); Tensor w = d.zeros(strided.weightShape())) {
            assertThrows(AlgorithmNotSupportedException.class, () -> d.conv2dBackwardData(strided, tc, dy, w));
        }
        // AUTO on a device opened without this precision allowed: never tc
        for (String text : TF32) {
            assertNotEquals(tc, d.autoAlgorithm(ConvProblem.parse(text), ConvDirection.FORWARD), text);
        }
        try (Device otherAllowed = GpuTestSupport.open(backend, other)) {
            for (String text : TF32) {
                assertNotEquals(tc, otherAllowed.autoAlgorithm(ConvProblem.parse(text), ConvDirection.FORWARD),
                        text + " on " + other);
            }
        }
        try (Device allowed = GpuTestSupport.open(backend, allowing)) {
            ConvAlgorithm chosen = allowed.autoAlgorithm(p, ConvDirection.FORWARD);
            assertTrue(allowed.applicableAlgorithms(p, ConvDirection.FORWARD).contains(tc), tc + " is a candidate");
            assertTrue(allowed.applicableAlgorithms(p, ConvDirection.FORWARD).contains(chosen), "chosen " + chosen);
        }
    }
}
