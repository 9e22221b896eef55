package io.jdnn.cpu.fast;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.Devices;
import io.jdnn.MatMulProblem;
import io.jdnn.PoolProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Results do not depend on the thread count: every convolution algorithm and direction of
 * {@link CpuBackendTest}'s problems and of {@link #BATCH_ONE}'s, max pooling both ways, and matmul
 * forward and backward give the same bits on pools of 1, 2 and 3 workers as on the shared pool.
 */
class ThreadCountTest {
    private static final int[] THREADS = {1, 2, 3};
    private static Device shared;
    private static final List<Device> POOLS = new ArrayList<>();
    /** The plain kernels (B as row arrays: split tasks gather their own columns): shared pool, then 1, 2, 3 workers. */
    private static final List<Device> PLAIN = new ArrayList<>();
    /**
     * Batch-1 problems with few pixel blocks or tile bands and enough channels that pools of 2 and 3
     * workers split them by channel blocks too (one worker does not): 7x7 and 14x14 outputs, grouped,
     * transposed, and depthwise ones.
     */
    static final String[] BATCH_ONE = {
        "conv_mb1ic100ih7oc160kh3ph1",           // ResNet stage 5 shape: one pixel block, one Winograd band
        "conv_mb1ic120ih14oc200kh1",              // 1x1 on 14x14: two pixel blocks
        "conv_mb1ic96ih7oc192kh3ph1g2",           // grouped: 48 and 96 channels per group
        "deconv_mb1ic100ih7oc112kh4sh2ph1",       // transposed: four stride phases
        "conv_mb1ic32ih7oc32kh3ph1g32",           // depthwise 7x7
        "conv_mb1ic48ih15oc96kh3sh2ph1g48",       // strided depthwise with multiplier 2
    };

    @BeforeAll
    static void open() {
        Kernels k = KernelsLoader.best();
        shared = Devices.wrap(CpuBackend.open(DeviceOptions.DEFAULT, k), DeviceOptions.DEFAULT);
        for (int t : THREADS) {
            CpuDevice dev = new CpuDevice(CpuBackend.info(k), DeviceOptions.DEFAULT, k, Parallel.ofThreads(t));
            POOLS.add(Devices.wrap(dev, DeviceOptions.DEFAULT));
        }
        Kernels plain = KernelsLoader.plain();
        PLAIN.add(Devices.wrap(CpuBackend.open(DeviceOptions.DEFAULT, plain), DeviceOptions.DEFAULT));
        for (int t : THREADS) {
            CpuDevice dev = new CpuDevice(CpuBackend.info(plain), DeviceOptions.DEFAULT, plain, Parallel.ofThreads(t));
            PLAIN.add(Devices.wrap(dev, DeviceOptions.DEFAULT));
        }
    }

    @AfterAll
    static void close() {
        POOLS.forEach(Device::close);
        PLAIN.forEach(Device::close);
        shared.close();
    }

    @TestFactory
    List<DynamicTest> convolutionsGiveTheSameBitsOnEveryPool() {
        List<DynamicTest> tests = new ArrayList<>();
        List<String> problems = new ArrayList<>(List.of(CpuBackendTest.CONVS));
        problems.addAll(List.of(BATCH_ONE));
        for (String s : problems) {
            ConvProblem p = ConvProblem.parse(s);
            for (ConvDirection dir : ConvDirection.values()) {
                for (ConvAlgorithm a : shared.applicableAlgorithms(p, dir)) {
                    tests.add(DynamicTest.dynamicTest(s + " " + dir.shortName() + " " + a, () -> {
                        float[] expected = conv(shared, p, dir, a);
                        for (int i = 0; i < THREADS.length; i++) {
                            assertArrayEquals(expected, conv(POOLS.get(i), p, dir, a), THREADS[i] + " threads");
                        }
                    }));
                }
            }
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> plainKernelsGiveTheSameBitsOnEveryPool() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String s : BATCH_ONE) {
            ConvProblem p = ConvProblem.parse(s);
            for (ConvDirection dir : ConvDirection.values()) {
                for (ConvAlgorithm a : PLAIN.get(0).applicableAlgorithms(p, dir)) {
                    tests.add(DynamicTest.dynamicTest(s + " " + dir.shortName() + " " + a, () -> {
                        float[] expected = conv(PLAIN.get(0), p, dir, a);
                        for (int i = 0; i < THREADS.length; i++) {
                            assertArrayEquals(expected, conv(PLAIN.get(i + 1), p, dir, a), THREADS[i] + " threads");
                        }
                    }));
                }
            }
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> maxPoolingGivesTheSameBitsOnEveryPool() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String s : new String[] {"maxpool_mb2ic5ih17kh3sh2ph1", "maxpool_mb1ic3ih12kh2sh2"}) {
            PoolProblem p = PoolProblem.parse(s);
            tests.add(DynamicTest.dynamicTest(s, () -> {
                float[][] expected = pool(shared, p);
                for (int i = 0; i < THREADS.length; i++) {
                    float[][] got = pool(POOLS.get(i), p);
                    assertArrayEquals(expected[0], got[0], THREADS[i] + " threads, forward");
                    assertArrayEquals(expected[1], got[1], THREADS[i] + " threads, backward");
                }
            }));
        }
        return tests;
    }

    /** matmul forward and both gradients, a stack times one matrix and batches broadcast from both sides, over several GEMM blocks. */
    @TestFactory
    List<DynamicTest> matmulGivesTheSameBitsOnEveryPool() {
        List<DynamicTest> tests = new ArrayList<>();
        MatMulProblem[] problems = {
            new MatMulProblem(Shape.of(3, 100, 70), Shape.of(70, 300)),
            new MatMulProblem(Shape.of(2, 1, 100, 70), Shape.of(3, 70, 270)),
        };
        for (MatMulProblem p : problems) {
            tests.add(DynamicTest.dynamicTest(p.toString(), () -> {
                float[][] expected = matmul(shared, p);
                for (int i = 0; i < THREADS.length; i++) {
                    float[][] got = matmul(POOLS.get(i), p);
                    for (int k = 0; k < got.length; k++) {
                        assertArrayEquals(expected[k], got[k], THREADS[i] + " threads, output " + k);
                    }
                }
            }));
        }
        return tests;
    }

    private static float[][] matmul(Device d, MatMulProblem p) {
        try (Tensor a = d.upload(p.a(), CpuBackendTest.random(p.a().elements(), 7));
             Tensor b = d.upload(p.b(), CpuBackendTest.random(p.b().elements(), 8));
             Tensor dy = d.upload(p.outputShape(), CpuBackendTest.random(p.outputShape().elements(), 9));
             Tensor y = d.matmul(a, b)) {
            List<Tensor> grads = d.matmulBackward(a, b, dy);
            try (Tensor da = grads.get(0); Tensor db = grads.get(1)) {
                return new float[][] {y.toArray(), da.toArray(), db.toArray()};
            }
        }
    }

    private static float[] conv(Device d, ConvProblem p, ConvDirection dir, ConvAlgorithm a) {
        try (Tensor x = d.upload(p.inputShape(), CpuBackendTest.random(p.inputShape().elements(), 1));
             Tensor w = d.upload(p.weightShape(), CpuBackendTest.random(p.weightShape().elements(), 2));
             Tensor dy = d.upload(p.outputShape(), CpuBackendTest.random(p.outputShape().elements(), 3));
             Tensor b = d.upload(p.biasShape(), CpuBackendTest.random(p.biasShape().elements(), 4))) {
            Tensor out = switch (dir) {
                case FORWARD -> d.conv2d(p, a, x, w, b);
                case BACKWARD_DATA -> d.conv2dBackwardData(p, a, dy, w);
                case BACKWARD_FILTER -> d.conv2dBackwardFilter(p, a, x, dy);
            };
            try (out) {
                return out.toArray();
            }
        }
    }

    private static float[][] pool(Device d, PoolProblem p) {
        try (Tensor x = d.upload(p.inputShape(), CpuBackendTest.random(p.inputShape().elements(), 5));
             Tensor dy = d.upload(p.outputShape(), CpuBackendTest.random(p.outputShape().elements(), 6));
             Tensor y = d.pool(p, x); Tensor dx = d.poolBackward(p, x, dy)) {
            return new float[][] {y.toArray(), dx.toArray()};
        }
    }
}
