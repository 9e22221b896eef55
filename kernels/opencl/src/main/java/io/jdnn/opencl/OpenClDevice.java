package io.jdnn.opencl;

import io.jdnn.DeviceException;
import io.jdnn.DeviceInfo;
import io.jdnn.DeviceOptions;
import io.jdnn.DeviceOutOfMemoryException;
import io.jdnn.kernels.KernelConvAlgorithm;
import io.jdnn.kernels.KernelConvAlgorithms;
import io.jdnn.kernels.KernelDevice;
import io.jdnn.spi.Buffer;
import io.jdnn.spi.DeviceTimer;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_mem;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One OpenCL device: a context, one in-order command queue with profiling enabled, the program
 * cache ({@link ClPrograms}), and the primitives {@link KernelDevice} builds every op of
 * {@link io.jdnn.spi.DeviceBackend} from (launches of the kernels of {@code kernels/src}: the
 * ops, the GEMM and the convolution algorithms live in module jdnn-kernels). Calls arrive
 * serialized by {@link io.jdnn.Device}; work is enqueued asynchronously and {@link #read},
 * {@link #synchronize} and {@link DeviceTimer#stop()} wait.
 *
 * <p>Every JOCL failure becomes a {@link DeviceException} naming the OpenCL status, the op, the
 * kernel and the problem; an allocation that cannot succeed becomes a
 * {@link DeviceOutOfMemoryException} and leaves the device usable.
 */
final class OpenClDevice extends KernelDevice {

    /** Work-items per group for grid-stride (element-wise) kernels. */
    private static final int ELEMENTWISE_LOCAL = 256;
    /** Groups per compute unit at most for grid-stride kernels: enough to fill a GPU, no more. */
    private static final int GROUPS_PER_COMPUTE_UNIT = 64;

    private final ClPlatforms.Entry entry;
    private final DeviceInfo info;
    private final cl_device_id device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final ClPrograms programs;
    private final ClBuffer placeholder;
    private final Set<ClBuffer> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<String, ClBuffer> workspaces = new LinkedHashMap<>();
    private final List<ClTimer> timers = new ArrayList<>();
    private long liveBytes;
    private long workspaceBytes;
    private boolean closed;

    OpenClDevice(ClPlatforms.Entry entry, DeviceOptions options) {
        this(entry, options, KernelConvAlgorithms.ALL);
    }

    /** A device whose convolution algorithms are {@code registry} (tests' stand-ins). */
    OpenClDevice(ClPlatforms.Entry entry, DeviceOptions options, List<? extends KernelConvAlgorithm> registry) {
        super(options, registry);
        SignalChaining.warnIfMissing(entry);
        this.entry = entry;
        this.info = entry.info();
        this.device = entry.device();
        cl_context ctx = null;
        cl_command_queue q = null;
        try {
            cl_context_properties props = new cl_context_properties();
            props.addProperty(CL.CL_CONTEXT_PLATFORM, entry.platform());
            ctx = CL.clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
            q = createQueue(ctx, device);
        } catch (CLException e) {
            if (ctx != null) {
                CL.clReleaseContext(ctx);
            }
            throw ClErrors.wrap(e, "open", null, "device " + entry.describe());
        }
        this.context = ctx;
        this.queue = q;
        this.programs = new ClPrograms(context, device);
        try {
            this.placeholder = createBuffer(1, "placeholder");
        } catch (RuntimeException e) {
            CL.clReleaseCommandQueue(queue);
            CL.clReleaseContext(context);
            throw e;
        }
    }

    private static cl_command_queue createQueue(cl_context ctx, cl_device_id device) {
        // clCreateCommandQueue is deprecated by OpenCL 2.0 but is the only call 1.2 platforms have; 2.x and 3.0
        // platforms (NVIDIA's, PoCL's) still provide it.
        return CL.clCreateCommandQueue(ctx, device, CL.CL_QUEUE_PROFILING_ENABLE, null);
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    /** The OpenCL device entry (limits: local memory, work-group size, allocation size). */
    ClPlatforms.Entry entry() {
        return entry;
    }

    /** Builds the program of {@code source} with {@code defines} (cached like every program). */
    void buildProgram(String source, Map<String, ?> defines, String op) {
        programs.build(source, defines, op);
    }

    /** Programs built so far on this device. */
    int programCount() {
        return programs.programCount();
    }

    // ================================================================== memory

    @Override
    public Buffer allocate(long elements) {
        if (elements < 0) {
            throw new IllegalArgumentException("elements: expected a count >= 0, got " + elements);
        }
        ClBuffer b = createBuffer(elements, "allocate");
        live.add(b);
        liveBytes += b.bytes();
        return b;
    }

    /** A buffer outside the live set (placeholder, workspaces) or inside it (allocate). */
    private ClBuffer createBuffer(long elements, String what) {
        long bytes = Math.max(elements, 1) > Long.MAX_VALUE / Float.BYTES ? Long.MAX_VALUE : Math.max(elements, 1) * Float.BYTES;
        if (bytes > entry.maxAllocBytes()) {
            throw new DeviceOutOfMemoryException(what + ": " + elements + " float32 elements need " + bytes
                    + " bytes, more than the largest allocation this OpenCL device allows, CL_DEVICE_MAX_MEM_ALLOC_SIZE = "
                    + entry.maxAllocBytes() + " bytes (" + info.name() + ")");
        }
        if (liveBytes + workspaceBytes + bytes > entry.globalMemBytes()) {
            throw new DeviceOutOfMemoryException(what + ": " + elements + " float32 elements need " + bytes
                    + " bytes, but this device already holds " + (liveBytes + workspaceBytes) + " of its "
                    + entry.globalMemBytes()
                    + " bytes of global memory (" + info.name() + ")");
        }
        try {
            cl_mem mem = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, bytes, null, null);
            return new ClBuffer(mem, elements, bytes);
        } catch (CLException e) {
            if (ClErrors.isOutOfMemory(e.getStatus())) {
                throw new DeviceOutOfMemoryException(what + ": allocating " + bytes + " bytes on " + info.name()
                        + " failed with " + ClErrors.statusName(e.getStatus()) + " (" + liveBytes
                        + " bytes held by this device)", e);
            }
            throw ClErrors.wrap(e, what, null, elements + " elements");
        }
    }

    @Override
    public void free(Buffer buffer) {
        ClBuffer b = (ClBuffer) buffer;
        if (b.isReleased()) {
            return;
        }
        b.markReleased();
        live.remove(b);
        liveBytes -= b.bytes();
        try {
            // Commands still queued that use the buffer keep it alive until they finish (OpenCL retains it).
            CL.clReleaseMemObject(b.mem());
        } catch (CLException e) {
            throw ClErrors.wrap(e, "free", null, b.elements() + " elements");
        }
    }

    @Override
    public ClBuffer workspace(String name, long elements) {
        ClBuffer w = workspaces.get(name);
        if (w != null && w.elements() >= elements) {
            return w;
        }
        if (w != null) {
            release(w);
            workspaces.remove(name);
            workspaceBytes -= w.bytes();
        }
        ClBuffer grown = createBuffer(elements, "workspace '" + name + "'");
        workspaces.put(name, grown);
        workspaceBytes += grown.bytes();
        return grown;
    }

    @Override
    public ClBuffer placeholder() {
        return placeholder;
    }

    @Override
    public void write(Buffer dst, long dstOffset, float[] src, int srcOffset, int length) {
        if (length == 0) {
            return;
        }
        cl_event ev = newEventIfTiming();
        try {
            CL.clEnqueueWriteBuffer(queue, ((ClBuffer) dst).mem(), true, dstOffset * Float.BYTES,
                    (long) length * Float.BYTES, Pointer.to(src).withByteOffset((long) srcOffset * Float.BYTES), 0,
                    null, ev);
        } catch (CLException e) {
            throw ClErrors.wrap(e, "write", null, length + " elements at " + dstOffset);
        }
        recordEvent(ev);
    }

    @Override
    public void read(Buffer src, long srcOffset, float[] dst, int dstOffset, int length) {
        if (length == 0) {
            return;
        }
        cl_event ev = newEventIfTiming();
        try {
            CL.clEnqueueReadBuffer(queue, ((ClBuffer) src).mem(), true, srcOffset * Float.BYTES,
                    (long) length * Float.BYTES, Pointer.to(dst).withByteOffset((long) dstOffset * Float.BYTES), 0,
                    null, ev);
        } catch (CLException e) {
            throw ClErrors.wrap(e, "read", null, length + " elements at " + srcOffset);
        }
        recordEvent(ev);
    }

    /** Blocking, so {@code src} may be reused at once. */
    @Override
    public void writeInts(Buffer dst, int[] src, String op) {
        if (src.length == 0) {
            return;
        }
        cl_event ev = newEventIfTiming();
        try {
            CL.clEnqueueWriteBuffer(queue, ((ClBuffer) dst).mem(), true, 0, (long) src.length * Integer.BYTES,
                    Pointer.to(src), 0, null, ev);
        } catch (CLException e) {
            throw ClErrors.wrap(e, op, null, src.length + " ints");
        }
        recordEvent(ev);
    }

    @Override
    public void copy(Buffer src, Buffer dst, long elements) {
        if (elements == 0) {
            return;
        }
        cl_event ev = newEventIfTiming();
        try {
            CL.clEnqueueCopyBuffer(queue, ((ClBuffer) src).mem(), ((ClBuffer) dst).mem(), 0, 0,
                    elements * Float.BYTES, 0, null, ev);
        } catch (CLException e) {
            throw ClErrors.wrap(e, "copy", null, elements + " elements");
        }
        recordEvent(ev);
    }

    @Override
    public void synchronize() {
        try {
            CL.clFinish(queue);
        } catch (CLException e) {
            throw ClErrors.wrap(e, "synchronize", null, null);
        }
    }

    // ================================================================== kernels, launches, timing

    /** A launch of kernel {@code name} of {@code source} built with {@code defines} (the program is cached). */
    @Override
    public ClLaunch launch(String op, String problem, String source, Map<String, ?> defines, String name) {
        return new ClLaunch(this, programs.kernel(source, defines, name, op, problem), op, problem);
    }

    @Override
    public int elementwiseLocalSize() {
        return ELEMENTWISE_LOCAL;
    }

    @Override
    public long maxGridStrideGroups() {
        return (long) Math.max(1, entry.computeUnits()) * GROUPS_PER_COMPUTE_UNIT;
    }

    /** CL_DEVICE_MAX_WORK_GROUP_SIZE. */
    @Override
    public long maxLocalSize() {
        return entry.maxWorkGroupSize();
    }

    /** CL_DEVICE_LOCAL_MEM_SIZE. */
    @Override
    public long localMemoryBytes() {
        return entry.localMemBytes();
    }

    @Override
    protected DeviceException launchConfigurationError(String op, String kernel, String problem, String detail) {
        return new DeviceException("CL_INVALID_WORK_GROUP_SIZE", op, kernel, problem, detail);
    }

    /** Enqueues a configured kernel; see {@link ClLaunch}. */
    void enqueue(ClPrograms.Kernel kernel, long[] global, long[] local, String op, String problem) {
        cl_event ev = newEventIfTiming();
        try {
            CL.clEnqueueNDRangeKernel(queue, kernel.kernel(), global.length, null, global, local, 0, null, ev);
        } catch (CLException e) {
            throw ClErrors.wrap(e, op, kernel.source() + ":" + kernel.name(), problem);
        }
        recordEvent(ev);
    }

    private cl_event newEventIfTiming() {
        return timers.isEmpty() ? null : new cl_event();
    }

    /** Hands a command's event to every running timer, then drops this method's reference. */
    private void recordEvent(cl_event ev) {
        if (ev == null) {
            return;
        }
        try {
            for (ClTimer t : timers) {
                t.offer(ev);
            }
            CL.clReleaseEvent(ev);
        } catch (CLException e) {
            throw ClErrors.wrap(e, "timer", null, null);
        }
    }

    /**
     * Device time from the start of the first command issued after this call to the end of the
     * last one issued before {@link DeviceTimer#stop()}, from the queue's profiling events; 0 when
     * nothing was issued. Timers may nest.
     */
    @Override
    public DeviceTimer startTimer() {
        ClTimer t = new ClTimer();
        timers.add(t);
        return t;
    }

    /** Measures through the events of the commands issued while it runs: it keeps the first and the latest. */
    private final class ClTimer implements DeviceTimer {
        private cl_event first;
        private cl_event last;
        private boolean stopped;

        void offer(cl_event ev) {
            CL.clRetainEvent(ev);
            if (first == null) {
                first = ev;
                return;
            }
            if (last != null) {
                CL.clReleaseEvent(last);
            }
            last = ev;
        }

        @Override
        public double stop() {
            if (stopped) {
                throw new IllegalStateException("timer already stopped");
            }
            stopped = true;
            timers.remove(this);
            if (first == null) {
                return 0;
            }
            cl_event end = last != null ? last : first;
            try {
                CL.clWaitForEvents(1, new cl_event[] {end});
                long start = profile(first, CL.CL_PROFILING_COMMAND_START);
                long finish = profile(end, CL.CL_PROFILING_COMMAND_END);
                return (finish - start) / 1e6;
            } catch (CLException e) {
                throw ClErrors.wrap(e, "timer", null, null);
            } finally {
                releaseEvents();
            }
        }

        void releaseEvents() {
            try {
                if (first != null) {
                    CL.clReleaseEvent(first);
                }
                if (last != null) {
                    CL.clReleaseEvent(last);
                }
            } catch (CLException e) {
                throw ClErrors.wrap(e, "timer", null, null);
            } finally {
                first = null;
                last = null;
            }
        }

        private long profile(cl_event ev, int what) {
            long[] v = new long[1];
            CL.clGetEventProfilingInfo(ev, what, Sizeof.cl_ulong, Pointer.to(v), null);
            return v[0];
        }
    }

    // ================================================================== lifecycle

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<RuntimeException> failures = new ArrayList<>();
        try {
            CL.clFinish(queue);
        } catch (CLException e) {
            failures.add(ClErrors.wrap(e, "close", null, null));
        }
        for (ClTimer t : new ArrayList<>(timers)) {
            t.releaseEvents();
        }
        timers.clear();
        for (ClBuffer b : new ArrayList<>(live)) {
            release(b);
        }
        live.clear();
        liveBytes = 0;
        for (ClBuffer b : workspaces.values()) {
            release(b);
        }
        workspaces.clear();
        release(placeholder);
        try {
            programs.close();
        } catch (RuntimeException e) {
            failures.add(e);
        }
        try {
            CL.clReleaseCommandQueue(queue);
            CL.clReleaseContext(context);
        } catch (CLException e) {
            failures.add(ClErrors.wrap(e, "close", null, null));
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }

    private void release(ClBuffer b) {
        if (b.isReleased()) {
            return;
        }
        b.markReleased();
        try {
            CL.clReleaseMemObject(b.mem());
        } catch (CLException e) {
            throw ClErrors.wrap(e, "release", null, b.elements() + " elements");
        }
    }

    @Override
    public String toString() {
        return "OpenClDevice[" + info.spec() + ", " + info.name() + "]";
    }
}
