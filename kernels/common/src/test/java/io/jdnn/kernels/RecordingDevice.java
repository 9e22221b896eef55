package io.jdnn.kernels;

import io.jdnn.DeviceException;
import io.jdnn.DeviceInfo;
import io.jdnn.DeviceOptions;
import io.jdnn.Precision;
import io.jdnn.spi.Buffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A dry run of the host layer: a {@link KernelDevice} whose buffers hold no data and whose
 * launches are recorded instead of run, each held to what the CUDA backend can run. It is how the
 * host side of every op is checked on a machine without a GPU (this module's EveryLaunchTest, the
 * CUDA backend's tests); it is no backend and is never registered as one. A launch fails with an
 * {@link AssertionError} unless:
 * <ul>
 *   <li>the arguments' names, kinds and order match the kernel's declaration ({@link KernelLaunch}
 *       checks that on every backend);</li>
 *   <li>the define set is the source's defaults or one of its declared variants (the define sets
 *       the fatbin holds, {@link KernelSources#precompiledName});</li>
 *   <li>the launch shape is one CUDA accepts: 1 to 3 dimensions, global a multiple of local,
 *       at most 1024 threads a block, grid y and z at most 65535 ({@link CudaLimits}).</li>
 * </ul>
 */
public final class RecordingDevice extends KernelDevice {

    /**
     * One launch as issued: {@code kernel} as the source declares it, {@code compiled} the name the
     * CUDA module has it under for the launch's define set (kernel, or kernel_VARIANT); {@code values}
     * the arguments as passed (Integer, Long, Float, or the Buffer), for a test that replays the launches.
     */
    public record Launch(String source, String kernel, String compiled, String op, List<KernelSources.ArgKind> kinds,
                         List<Object> values, long[] global, long[] local) {
        @Override
        public String toString() {
            return op + " " + source + ":" + compiled + " global " + Arrays.toString(global) + " local "
                    + Arrays.toString(local);
        }
    }

    /** A buffer that holds nothing but its size. */
    public static final class FakeBuffer implements Buffer {
        private final long elements;

        FakeBuffer(long elements) {
            this.elements = elements;
        }

        @Override
        public long elements() {
            return elements;
        }
    }

    private final List<Launch> launches = new ArrayList<>();
    private final Map<String, FakeBuffer> workspaces = new HashMap<>();
    private final FakeBuffer placeholder = new FakeBuffer(1);
    private final DeviceInfo info = new DeviceInfo("recording", 0, "recording device (CUDA's launch limits)", 80L << 30,
            132, Precision.FLOAT32, "runs nothing");

    /** A recording device with the algorithms of {@link KernelConvAlgorithms#ALL}. */
    public RecordingDevice(DeviceOptions options) {
        super(options);
    }

    /** A recording device with the convolution algorithms of {@code registry} (a test's stand-ins). */
    public RecordingDevice(DeviceOptions options, List<? extends KernelConvAlgorithm> registry) {
        super(options, registry);
    }

    /** Every launch so far, in order. */
    public List<Launch> launches() {
        return launches;
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    @Override
    public KernelLaunch launch(String op, String problem, String source, Map<String, ?> defines, String name) {
        String compiled = KernelSources.precompiledName(source, defines, name).orElseThrow(() -> new AssertionError(
                op + ": " + source + ":" + name + " launched with defines " + new TreeMap<>(defines) + ", neither the "
                        + "source's defaults " + KernelSources.defaults(source) + " nor one of its variants "
                        + KernelSources.variants(source) + ": the CUDA build has no such variant"));
        KernelSources.signature(source, name);
        return new Recording(source, name, compiled, op, problem);
    }

    private final class Recording extends KernelLaunch {
        private final String compiled;
        private final Map<Integer, Object> values = new TreeMap<>();

        Recording(String source, String name, String compiled, String op, String problem) {
            super(RecordingDevice.this, source, name, op, problem);
            this.compiled = compiled;
        }

        @Override
        public long maxLocalSize() {
            return CudaLimits.MAX_THREADS_PER_BLOCK;
        }

        @Override
        protected void setInt(int index, int v) {
            values.put(index, v);
        }

        @Override
        protected void setLong(int index, long v) {
            values.put(index, v);
        }

        @Override
        protected void setFloat(int index, float v) {
            values.put(index, v);
        }

        @Override
        protected void setBuffer(int index, Buffer b) {
            if (!(b instanceof FakeBuffer)) {
                throw new AssertionError(op() + ": argument " + index + " of " + kernelName() + " is not a buffer of this device");
            }
            values.put(index, b);
        }

        @Override
        protected void enqueue(long[] global, long[] local) {
            Launch l = new Launch(source(), kernelName(), compiled, op(), argumentKinds(),
                    List.copyOf(values.values()), global.clone(), local.clone());
            check(l);
            launches.add(l);
        }
    }

    private static void check(Launch l) {
        if (l.global().length < 1 || l.global().length > 3 || l.local().length != l.global().length) {
            throw new AssertionError(l + ": 1 to 3 dimensions, the same for global and local");
        }
        long threads = 1;
        for (int d = 0; d < l.global().length; d++) {
            long g = l.global()[d];
            long loc = l.local()[d];
            if (loc <= 0 || g % loc != 0) {
                throw new AssertionError(l + ": global is not a multiple of local in dimension " + d);
            }
            threads *= loc;
            long blocks = g / loc;
            if (blocks > (d == 0 ? CudaLimits.MAX_GRID_X : CudaLimits.MAX_GRID_YZ)) {
                throw new AssertionError(l + ": " + blocks + " blocks in dimension " + d + ", more than CUDA allows");
            }
        }
        if (threads > CudaLimits.MAX_THREADS_PER_BLOCK) {
            throw new AssertionError(l + ": " + threads + " threads a block, more than CUDA allows");
        }
    }

    @Override
    public Buffer allocate(long elements) {
        return new FakeBuffer(elements);
    }

    @Override
    public void free(Buffer buffer) {
    }

    @Override
    public void write(Buffer dst, long dstOffset, float[] src, int srcOffset, int length) {
    }

    @Override
    public void read(Buffer src, long srcOffset, float[] dst, int dstOffset, int length) {
    }

    @Override
    public void copy(Buffer src, Buffer dst, long elements) {
    }

    @Override
    public void synchronize() {
    }

    @Override
    public Buffer workspace(String name, long elements) {
        FakeBuffer w = workspaces.get(name);
        if (w == null || w.elements() < elements) {
            w = new FakeBuffer(elements);
            workspaces.put(name, w);
        }
        return w;
    }

    @Override
    public Buffer placeholder() {
        return placeholder;
    }

    @Override
    public void writeInts(Buffer dst, int[] src, String op) {
        if (dst.elements() < src.length) {
            throw new AssertionError(op + ": " + src.length + " ints into a buffer of " + dst.elements());
        }
    }

    @Override
    public int elementwiseLocalSize() {
        return 256;
    }

    @Override
    public long maxGridStrideGroups() {
        return 132L * 64;
    }

    @Override
    public long maxLocalSize() {
        return CudaLimits.MAX_THREADS_PER_BLOCK;
    }

    @Override
    public long localMemoryBytes() {
        return 48 * 1024;
    }

    @Override
    protected DeviceException launchConfigurationError(String op, String kernel, String problem, String detail) {
        return new DeviceException("RECORDING_INVALID_CONFIGURATION", op, kernel, problem, detail);
    }

    @Override
    public void close() {
    }
}
