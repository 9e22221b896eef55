package io.jdnn.cuda;

import io.jdnn.DeviceException;
import io.jdnn.DeviceInfo;
import io.jdnn.DeviceOptions;
import io.jdnn.DeviceOutOfMemoryException;
import io.jdnn.kernels.KernelConvAlgorithm;
import io.jdnn.kernels.KernelConvAlgorithms;
import io.jdnn.kernels.KernelDevice;
import io.jdnn.kernels.KernelSources;
import io.jdnn.spi.Buffer;
import io.jdnn.spi.DeviceTimer;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One CUDA device: its primary context (retained while open), the module loaded from this jar's
 * fatbin, one stream, and the primitives {@link KernelDevice} builds every op from. Calls arrive
 * serialized by {@link io.jdnn.Device}, possibly from different threads: every entry makes the
 * context current on the calling thread first.
 *
 * <p>Work: kernels ({@code cuLaunchKernel}) and device-to-device copies run asynchronously on the
 * stream. Host transfers ({@link #write}, {@link #read}, {@link #writeInts}) are synchronous
 * {@code cuMemcpyHtoD} / {@code cuMemcpyDtoH} from and into the Java array (JCuda pins it for the
 * call, no staging copy); they run on the legacy default stream, and the device's stream is
 * created blocking ({@code CU_STREAM_DEFAULT}), so a transfer waits for the kernels issued before
 * it and the kernels issued after it wait for the transfer.
 *
 * <p>Errors: every CUresult is checked; a failure becomes {@link DeviceException} naming the
 * status, the op, the kernel and the problem. A kernel fault (illegal address, launch failure,
 * ...: {@link CudaErrors#isSticky}) leaves the context unusable: the device then refuses every
 * further call with the fault's status. An allocation the device cannot satisfy becomes
 * {@link DeviceOutOfMemoryException} and leaves the device usable. {@code -Djdnn.cuda.syncLaunches=true}
 * waits after every launch, so that an asynchronous fault is reported by the launch that caused it.
 */
final class CudaDevice extends KernelDevice {

    /** Threads per block for grid-stride (element-wise) kernels. */
    private static final int ELEMENTWISE_LOCAL = 256;
    /** Blocks per SM at most for grid-stride kernels: enough to fill a GPU, no more. */
    private static final int GROUPS_PER_SM = 64;
    /** Wait after every launch (diagnostics: an asynchronous fault then names its kernel). */
    static final boolean SYNC_LAUNCHES = Boolean.getBoolean("jdnn.cuda.syncLaunches");

    /** The shared algorithms, then the CUDA-only ones, TF32 then BF16 (AUTO's fallback order). */
    static final List<KernelConvAlgorithm> ALGORITHMS = concat(KernelConvAlgorithms.ALL,
            List.of(new TensorCoreConvAlgorithm(TensorCoreConvAlgorithm.Precision.TF32),
                    new TensorCoreConvAlgorithm(TensorCoreConvAlgorithm.Precision.BF16)));

    /** A kernel of the module and the largest block it can be launched with. */
    record Function(CUfunction function, String name, int maxThreadsPerBlock) {
    }

    private final CudaDriver.Entry entry;
    private final CudaFatbin fatbin;
    private final DeviceInfo info;
    private final CUdevice device;
    private final CUcontext context;
    private final CUmodule module;
    private final CUstream stream;
    private final CudaBuffer placeholder;
    private final Set<CudaBuffer> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<String, CudaBuffer> workspaces = new LinkedHashMap<>();
    private final Map<String, Function> functions = new HashMap<>();
    private final List<CudaTimer> timers = new ArrayList<>();
    private long liveBytes;
    private long workspaceBytes;
    private boolean closed;
    /** Null while the context works; after a kernel fault, its status and where it surfaced. */
    private String brokenStatus;
    private String broken;

    CudaDevice(CudaDriver.Entry entry, CudaFatbin fatbin, DeviceOptions options) {
        super(options, ALGORITHMS);
        this.entry = entry;
        this.fatbin = fatbin;
        this.info = entry.info(fatbin.describe());
        this.device = entry.device();
        String what = "device " + entry.describe();
        CUcontext ctx = new CUcontext();
        openCheck(JCudaDriver.cuDevicePrimaryCtxRetain(ctx, device), what, "cuDevicePrimaryCtxRetain");
        CUmodule mod = null;
        CUstream str = null;
        try {
            openCheck(JCudaDriver.cuCtxSetCurrent(ctx), what, "cuCtxSetCurrent");
            CUmodule m = new CUmodule();
            int r = JCudaDriver.cuModuleLoadData(m, fatbin.image());
            if (r != CUresult.CUDA_SUCCESS) {
                throw CudaErrors.exception(r, "open", null, what, "cuModuleLoadData of the " + fatbin.image().length
                        + "-byte " + fatbin.describe() + (r == CUresult.CUDA_ERROR_NO_BINARY_FOR_GPU
                        ? ": no code in it for compute capability " + entry.computeCapability() : ""));
            }
            mod = m;
            CUstream s = new CUstream();
            openCheck(JCudaDriver.cuStreamCreate(s, CUstream_flags.CU_STREAM_DEFAULT), what, "cuStreamCreate");
            str = s;
        } catch (RuntimeException e) {
            if (str != null) {
                JCudaDriver.cuStreamDestroy(str);
            }
            if (mod != null) {
                JCudaDriver.cuModuleUnload(mod);
            }
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
            throw e;
        }
        this.context = ctx;
        this.module = mod;
        this.stream = str;
        try {
            this.placeholder = createBuffer(1, "placeholder");
        } catch (RuntimeException e) {
            JCudaDriver.cuStreamDestroy(stream);
            JCudaDriver.cuModuleUnload(module);
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
            throw e;
        }
    }

    private static void openCheck(int r, String what, String call) {
        if (r != CUresult.CUDA_SUCCESS) {
            throw CudaErrors.exception(r, "open", null, what, call);
        }
    }

    private static List<KernelConvAlgorithm> concat(List<KernelConvAlgorithm> a, List<KernelConvAlgorithm> b) {
        List<KernelConvAlgorithm> out = new ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    /** The CUDA device entry (compute capability, limits). */
    CudaDriver.Entry entry() {
        return entry;
    }

    // ================================================================== errors and the context

    /**
     * Makes the context current on this thread; refuses when an earlier kernel fault left the
     * context unusable.
     */
    private void bind(String op) {
        if (broken != null) {
            throw new DeviceException(brokenStatus, op, null, null,
                    "the CUDA context is unusable after an earlier kernel fault (" + broken + ")", true, null);
        }
        check(JCudaDriver.cuCtxSetCurrent(context), op, null, null, "cuCtxSetCurrent");
    }

    /** Throws a DeviceException for any status but CUDA_SUCCESS; a sticky one marks the device broken. */
    private void check(int r, String op, String kernel, String problem, String detail) {
        if (r == CUresult.CUDA_SUCCESS) {
            return;
        }
        if (CudaErrors.isSticky(r) && broken == null) {
            brokenStatus = CudaErrors.name(r);
            broken = brokenStatus + " in " + op + (kernel == null ? "" : ", kernel " + kernel)
                    + (problem == null ? "" : ", problem " + problem);
        }
        throw CudaErrors.exception(r, op, kernel, problem, detail);
    }

    // ================================================================== memory

    @Override
    public Buffer allocate(long elements) {
        if (elements < 0) {
            throw new IllegalArgumentException("elements: expected a count >= 0, got " + elements);
        }
        CudaBuffer b = createBuffer(elements, "allocate");
        live.add(b);
        liveBytes += b.bytes();
        return b;
    }

    /** A buffer outside the live set (placeholder, workspaces) or inside it (allocate). */
    private CudaBuffer createBuffer(long elements, String what) {
        bind(what);
        long bytes = Math.max(elements, 1) > Long.MAX_VALUE / Float.BYTES ? Long.MAX_VALUE : Math.max(elements, 1) * Float.BYTES;
        CUdeviceptr ptr = new CUdeviceptr();
        int r = JCudaDriver.cuMemAlloc(ptr, bytes);
        if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            throw new DeviceOutOfMemoryException(what + ": " + elements + " float32 elements need " + bytes
                    + " bytes; cuMemAlloc failed with CUDA_ERROR_OUT_OF_MEMORY (this device holds "
                    + (liveBytes + workspaceBytes) + " bytes of its " + entry.totalMemBytes() + "; " + info.name() + ")");
        }
        check(r, what, null, elements + " elements", "cuMemAlloc of " + bytes + " bytes");
        return new CudaBuffer(ptr, elements, bytes);
    }

    @Override
    public void free(Buffer buffer) {
        CudaBuffer b = (CudaBuffer) buffer;
        if (b.isReleased()) {
            return;
        }
        b.markReleased();
        live.remove(b);
        liveBytes -= b.bytes();
        release(b, "free");
    }

    /**
     * cuMemFree, which waits for the work that may still use the buffer. Nothing to do after a
     * kernel fault: the memory goes with the context, which close() releases.
     */
    private void release(CudaBuffer b, String op) {
        if (broken != null) {
            return;
        }
        bind(op);
        check(JCudaDriver.cuMemFree(b.ptr()), op, null, b.elements() + " elements", "cuMemFree");
    }

    @Override
    public CudaBuffer workspace(String name, long elements) {
        CudaBuffer w = workspaces.get(name);
        if (w != null && w.elements() >= elements) {
            return w;
        }
        if (w != null) {
            w.markReleased();
            workspaces.remove(name);
            workspaceBytes -= w.bytes();
            release(w, "workspace '" + name + "'");
        }
        CudaBuffer grown = createBuffer(elements, "workspace '" + name + "'");
        workspaces.put(name, grown);
        workspaceBytes += grown.bytes();
        return grown;
    }

    @Override
    public CudaBuffer placeholder() {
        return placeholder;
    }

    @Override
    public void write(Buffer dst, long dstOffset, float[] src, int srcOffset, int length) {
        if (length == 0) {
            return;
        }
        bind("write");
        beforeIssue();
        check(JCudaDriver.cuMemcpyHtoD(((CudaBuffer) dst).ptr().withByteOffset(dstOffset * Float.BYTES),
                Pointer.to(src).withByteOffset((long) srcOffset * Float.BYTES), (long) length * Float.BYTES),
                "write", null, length + " elements at " + dstOffset, "cuMemcpyHtoD");
    }

    @Override
    public void read(Buffer src, long srcOffset, float[] dst, int dstOffset, int length) {
        if (length == 0) {
            return;
        }
        bind("read");
        beforeIssue();
        check(JCudaDriver.cuMemcpyDtoH(Pointer.to(dst).withByteOffset((long) dstOffset * Float.BYTES),
                ((CudaBuffer) src).ptr().withByteOffset(srcOffset * Float.BYTES), (long) length * Float.BYTES),
                "read", null, length + " elements at " + srcOffset, "cuMemcpyDtoH");
    }

    /** Synchronous, so {@code src} may be reused at once. */
    @Override
    public void writeInts(Buffer dst, int[] src, String op) {
        if (src.length == 0) {
            return;
        }
        bind(op);
        beforeIssue();
        check(JCudaDriver.cuMemcpyHtoD(((CudaBuffer) dst).ptr(), Pointer.to(src), (long) src.length * Integer.BYTES),
                op, null, src.length + " ints", "cuMemcpyHtoD");
    }

    @Override
    public void copy(Buffer src, Buffer dst, long elements) {
        if (elements == 0) {
            return;
        }
        bind("copy");
        beforeIssue();
        check(JCudaDriver.cuMemcpyDtoDAsync(((CudaBuffer) dst).ptr(), ((CudaBuffer) src).ptr(),
                elements * Float.BYTES, stream), "copy", null, elements + " elements", "cuMemcpyDtoDAsync");
    }

    @Override
    public void synchronize() {
        bind("synchronize");
        check(JCudaDriver.cuStreamSynchronize(stream), "synchronize", null, null, "cuStreamSynchronize");
    }

    /** The driver's free memory on this device (cuMemGetInfo), in bytes. */
    @Override
    public long deviceFreeBytes() {
        bind("deviceFreeBytes");
        long[] free = new long[1];
        long[] total = new long[1];
        check(JCudaDriver.cuMemGetInfo(free, total), "deviceFreeBytes", null, null, "cuMemGetInfo");
        return free[0];
    }

    // ================================================================== kernels and launches

    /**
     * A launch of kernel {@code name} of the module. The fatbin holds each source compiled with
     * the defaults of its tuning constants, and once more for each variant the source declares
     * ({@code @variant NAME ...}), with kernel names suffixed {@code _NAME}: a define set that is
     * one of those runs that copy ({@link KernelSources#precompiledName}); any other is refused
     * with CUDA_ERROR_NOT_FOUND (never silently run with other values).
     */
    @Override
    public CudaLaunch launch(String op, String problem, String source, Map<String, ?> defines, String name) {
        bind(op);
        String compiled = KernelSources.precompiledName(source, defines, name).orElse(null);
        if (compiled == null) {
            List<KernelSources.Variant> variants = KernelSources.variants(source);
            StringBuilder held = new StringBuilder();
            for (KernelSources.Variant v : variants) {
                held.append(", ").append(v.name()).append(' ').append(v.defines());
            }
            throw new DeviceException("CUDA_ERROR_NOT_FOUND", op, source + ":" + name, problem, "the fatbin holds "
                    + source + " compiled with its default tuning constants " + KernelSources.defaults(source)
                    + (variants.isEmpty() ? " only" : " and its variants only (" + held.substring(2) + ")")
                    + ", but this launch asks for " + new TreeMap<>(defines)
                    + " (CUDA compiles ahead of time; see kernels/cuda/build-fatbin.sh)");
        }
        return new CudaLaunch(this, function(op, problem, source, compiled), source, name, op, problem);
    }

    private Function function(String op, String problem, String source, String name) {
        Function f = functions.get(name);
        if (f != null) {
            return f;
        }
        CUfunction fn = new CUfunction();
        int r = JCudaDriver.cuModuleGetFunction(fn, module, name);
        if (r == CUresult.CUDA_ERROR_NOT_FOUND) {
            throw new DeviceException(CudaErrors.name(r), op, source + ":" + name, problem, "kernel " + name
                    + " is not in the fatbin, which was compiled from: " + fatbin.sources());
        }
        check(r, op, source + ":" + name, problem, "cuModuleGetFunction");
        int[] max = new int[1];
        check(JCudaDriver.cuFuncGetAttribute(max, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, fn), op,
                source + ":" + name, problem, "cuFuncGetAttribute(MAX_THREADS_PER_BLOCK)");
        f = new Function(fn, name, max[0]);
        functions.put(name, f);
        return f;
    }

    /**
     * Launches a kernel whose arguments {@link CudaLaunch} collected: grid = global / local in
     * each dimension, block = local, no dynamic shared memory, on the device's stream.
     */
    void enqueue(Function f, String source, long[] global, long[] local, Pointer[] params, String op, String problem) {
        String kernel = source + ":" + f.name();
        if (global.length < 1 || global.length > 3 || local.length != global.length) {
            throw new IllegalArgumentException(op + ": kernel " + kernel + " launched with " + global.length
                    + "-D global and " + local.length + "-D local sizes; expected 1 to 3 dimensions, the same for both");
        }
        long[] grid = {1, 1, 1};
        long[] block = {1, 1, 1};
        for (int d = 0; d < global.length; d++) {
            if (local[d] <= 0 || global[d] % local[d] != 0) {
                throw new IllegalArgumentException(op + ": kernel " + kernel + ": global size " + global[d]
                        + " in dimension " + d + " is not a multiple of the local size " + local[d]);
            }
            block[d] = local[d];
            grid[d] = global[d] / local[d];
        }
        long threads = block[0] * block[1] * block[2];
        long[] maxGrid = {entry.maxGridX(), entry.maxGridY(), entry.maxGridZ()};
        String shape = "grid (" + grid[0] + ", " + grid[1] + ", " + grid[2] + "), block (" + block[0] + ", " + block[1]
                + ", " + block[2] + ")";
        if (threads > f.maxThreadsPerBlock()) {
            throw new DeviceException("CUDA_ERROR_INVALID_VALUE", op, kernel, problem, shape + ": " + threads
                    + " threads a block, more than this kernel's limit of " + f.maxThreadsPerBlock() + " on " + info.name());
        }
        for (int d = 0; d < 3; d++) {
            if (grid[d] > maxGrid[d]) {
                throw new DeviceException("CUDA_ERROR_INVALID_VALUE", op, kernel, problem, shape + ": the grid's "
                        + "extent in dimension " + d + " exceeds the device's limit of " + maxGrid[d]);
            }
        }
        bind(op);
        beforeIssue();
        check(JCudaDriver.cuLaunchKernel(f.function(), (int) grid[0], (int) grid[1], (int) grid[2], (int) block[0],
                (int) block[1], (int) block[2], 0, stream, Pointer.to(params), null), op, kernel, problem,
                "cuLaunchKernel " + shape);
        if (SYNC_LAUNCHES) {
            check(JCudaDriver.cuStreamSynchronize(stream), op, kernel, problem,
                    "cuStreamSynchronize right after the launch (jdnn.cuda.syncLaunches), " + shape);
        }
    }

    @Override
    public int elementwiseLocalSize() {
        return ELEMENTWISE_LOCAL;
    }

    @Override
    public long maxGridStrideGroups() {
        return (long) Math.max(1, entry.multiprocessors()) * GROUPS_PER_SM;
    }

    /** CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK. */
    @Override
    public long maxLocalSize() {
        return entry.maxThreadsPerBlock();
    }

    /** CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK (static shared memory a block may use). */
    @Override
    public long localMemoryBytes() {
        return entry.sharedMemPerBlock();
    }

    @Override
    protected DeviceException launchConfigurationError(String op, String kernel, String problem, String detail) {
        return new DeviceException("CUDA_ERROR_INVALID_VALUE", op, kernel, problem, detail);
    }

    // ================================================================== timing

    /** Records the start event of every running timer that has none yet, right before a command is issued. */
    private void beforeIssue() {
        for (CudaTimer t : timers) {
            if (t.start == null) {
                t.start = recordEvent("timer");
            }
        }
    }

    private CUevent recordEvent(String op) {
        CUevent ev = new CUevent();
        check(JCudaDriver.cuEventCreate(ev, CUevent_flags.CU_EVENT_DEFAULT), op, null, null, "cuEventCreate");
        int r = JCudaDriver.cuEventRecord(ev, stream);
        if (r != CUresult.CUDA_SUCCESS) {
            JCudaDriver.cuEventDestroy(ev);
            check(r, op, null, null, "cuEventRecord");
        }
        return ev;
    }

    /**
     * Device time from the start of the first command issued after this call to the end of the
     * last one issued before {@link DeviceTimer#stop()}, from CUDA events on the stream (the
     * start event is recorded right before that first command); 0 when nothing was issued.
     * Timers may nest.
     */
    @Override
    public DeviceTimer startTimer() {
        bind("startTimer");
        CudaTimer t = new CudaTimer();
        timers.add(t);
        return t;
    }

    /** A start event recorded lazily before the first command, an end event recorded at stop(). */
    private final class CudaTimer implements DeviceTimer {
        private CUevent start;
        private boolean stopped;

        @Override
        public double stop() {
            if (stopped) {
                throw new IllegalStateException("timer already stopped");
            }
            stopped = true;
            timers.remove(this);
            if (start == null) {
                return 0;
            }
            CUevent end = null;
            try {
                bind("timer");
                end = recordEvent("timer");
                check(JCudaDriver.cuEventSynchronize(end), "timer", null, null, "cuEventSynchronize");
                float[] ms = new float[1];
                check(JCudaDriver.cuEventElapsedTime(ms, start, end), "timer", null, null, "cuEventElapsedTime");
                return ms[0];
            } finally {
                destroy();
                if (end != null) {
                    JCudaDriver.cuEventDestroy(end);
                }
            }
        }

        void destroy() {
            if (start != null) {
                JCudaDriver.cuEventDestroy(start);
                start = null;
            }
        }
    }

    // ================================================================== lifecycle

    /**
     * Waits for the stream, frees every buffer the device still holds, unloads the module,
     * destroys the stream and releases the primary context. The first failure is thrown after
     * everything is released; after a kernel fault nothing is thrown (the fault was reported).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean wasBroken = broken != null;
        List<RuntimeException> failures = new ArrayList<>();
        int r = JCudaDriver.cuCtxSetCurrent(context);
        if (r != CUresult.CUDA_SUCCESS) {
            failures.add(CudaErrors.exception(r, "close", null, null, "cuCtxSetCurrent"));
        }
        if (broken == null) {
            try {
                check(JCudaDriver.cuStreamSynchronize(stream), "close", null, null, "cuStreamSynchronize");
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        for (CudaTimer t : new ArrayList<>(timers)) {
            t.destroy();
        }
        timers.clear();
        List<CudaBuffer> all = new ArrayList<>(live);
        all.addAll(workspaces.values());
        all.add(placeholder);
        for (CudaBuffer b : all) {
            if (b.isReleased()) {
                continue;
            }
            b.markReleased();
            if (broken == null) {
                int fr = JCudaDriver.cuMemFree(b.ptr());
                if (fr != CUresult.CUDA_SUCCESS) {
                    failures.add(CudaErrors.exception(fr, "close", null, b.elements() + " elements", "cuMemFree"));
                }
            }
        }
        live.clear();
        workspaces.clear();
        liveBytes = 0;
        workspaceBytes = 0;
        functions.clear();
        collect(failures, JCudaDriver.cuModuleUnload(module), "cuModuleUnload");
        collect(failures, JCudaDriver.cuStreamDestroy(stream), "cuStreamDestroy");
        collect(failures, JCudaDriver.cuDevicePrimaryCtxRelease(device), "cuDevicePrimaryCtxRelease");
        if (!failures.isEmpty() && !wasBroken) {
            throw failures.get(0);
        }
    }

    private static void collect(List<RuntimeException> failures, int r, String call) {
        if (r != CUresult.CUDA_SUCCESS) {
            failures.add(CudaErrors.exception(r, "close", null, null, call));
        }
    }

    @Override
    public String toString() {
        return "CudaDevice[" + info.spec() + ", " + info.name() + "]";
    }
}
