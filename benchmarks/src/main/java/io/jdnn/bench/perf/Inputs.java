package io.jdnn.bench.perf;

import io.jdnn.Device;
import io.jdnn.Tensor;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The data ops run on. Verification uploads host arrays, the same to the device under test, the
 * reference and the vendor library; timing fills tensors on the device from the {@link io.jdnn.Philox}
 * streams ({@link Device#randomNormal}), different for every tensor of every rotation set. Data is
 * never zeros: standard normal values, uniform where an argument must be positive.
 */
public final class Inputs {
    private Inputs() {
    }

    /** Host arrays for one op at the verification size, made once and shared by every device that runs it. */
    public static final class Host implements Op.Filler {
        private final long seed;
        private final Map<String, float[]> arrays = new HashMap<>();

        public Host(long seed) {
            this.seed = seed;
        }

        /** The array for a tensor (made on first use): deterministic in the seed and the tensor's name. */
        public float[] array(Op.TensorSpec spec) {
            return arrays.computeIfAbsent(spec.name() + spec.shape(), k -> generate(spec));
        }

        private float[] generate(Op.TensorSpec spec) {
            long n = spec.shape().elements();
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(spec.name() + ": " + n + " elements do not fit one host array");
            }
            float[] a = new float[(int) n];
            SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + spec.name().hashCode());
            switch (spec.fill()) {
                case NORMAL -> {
                    for (int i = 0; i < a.length; i++) {
                        a[i] = (float) r.nextGaussian();
                    }
                }
                case POSITIVE -> {
                    for (int i = 0; i < a.length; i++) {
                        a[i] = (float) (0.5 + r.nextDouble());
                    }
                }
                case UNIT -> {
                    for (int i = 0; i < a.length; i++) {
                        a[i] = (float) r.nextDouble();
                    }
                }
                case OUTPUT -> java.util.Arrays.fill(a, Float.NaN);
            }
            return a;
        }

        @Override
        public void fill(Device device, Op.TensorSpec spec, Tensor tensor) {
            tensor.copyFrom(array(spec));
        }
    }

    /** Fills on the device from Philox streams: one stream offset per tensor and rotation set. */
    public static final class OnDevice implements Op.Filler {
        private final long seed;
        private long next;

        public OnDevice(long seed) {
            this.seed = seed;
        }

        @Override
        public void fill(Device device, Op.TensorSpec spec, Tensor tensor) {
            long offset = next++;
            switch (spec.fill()) {
                case NORMAL -> device.randomNormal(tensor, 0, 1, seed, offset);
                case POSITIVE -> device.randomUniform(tensor, 0.5, 1.5, seed, offset);
                case UNIT -> device.randomUniform(tensor, 0, 1, seed, offset);
                case OUTPUT -> device.fill(tensor, Float.NaN);
            }
        }
    }
}
