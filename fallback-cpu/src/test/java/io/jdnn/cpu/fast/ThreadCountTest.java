package io.jdnn.cpu.fast;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.DeviceOptions;
import io.jdnn.Devices;
import io.jdnn.PoolProblem;
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
 * {@link CpuBackendTest}'s problems, and max pooling both ways, give the same bits on pools of 1,
 * 2 and 3 workers as on the shared pool.
 */
class ThreadCountTest {
    private static final int[] THREADS = {1, 2, 3};
    private static Device shared;
    private static final List<Device> POOLS = new ArrayList<>();

    @BeforeAll
    static void open() {
        Kernels k = KernelsLoader.best();
        shared = Devices.wrap(CpuBackend.open(DeviceOptions.DEFAULT, k), DeviceOptions.DEFAULT);
        for (int t : THREADS) {
            CpuDevice dev = new CpuDevice(CpuBackend.info(k), DeviceOptions.DEFAULT, k, Parallel.ofThreads(t));
            POOLS.add(Devices.wrap(dev, DeviceOptions.DEFAULT));
        }
    }

    @AfterAll
    static void close() {
        POOLS.forEach(Device::close);
        shared.close();
    }

    @TestFactory
    List<DynamicTest> convolutionsGiveTheSameBitsOnEveryPool() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String s : CpuBackendTest.CONVS) {
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
