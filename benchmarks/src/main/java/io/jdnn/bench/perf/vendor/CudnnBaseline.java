package io.jdnn.bench.perf.vendor;

import io.jdnn.BatchNormProblem;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;
import io.jdnn.ErrorBounds;
import io.jdnn.PoolMode;
import io.jdnn.PoolProblem;
import io.jdnn.bench.perf.BenchProblem;
import io.jdnn.bench.perf.Disposition;
import io.jdnn.bench.perf.Inputs;
import io.jdnn.bench.perf.MemoryBudget;
import io.jdnn.bench.perf.Op;
import io.jdnn.bench.perf.Timing;
import io.jdnn.bench.perf.VendorResult;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdDataAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdFilterAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnPoolingStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.bytedeco.cuda.global.cublas.CUBLAS_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_T;
import static org.bytedeco.cuda.global.cublas.CUBLAS_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cublas.CUBLAS_TF32_TENSOR_OP_MATH;
import static org.bytedeco.cuda.global.cublas.cublasCreate_v2;
import static org.bytedeco.cuda.global.cublas.cublasDestroy_v2;
import static org.bytedeco.cuda.global.cublas.cublasGetStatusString;
import static org.bytedeco.cuda.global.cublas.cublasGetVersion_v2;
import static org.bytedeco.cuda.global.cublas.cublasSetMathMode;
import static org.bytedeco.cuda.global.cublas.cublasSgemm_v2;
import static org.bytedeco.cuda.global.cudart.cudaDeviceSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaDriverGetVersion;
import static org.bytedeco.cuda.global.cudart.cudaErrorMemoryAllocation;
import static org.bytedeco.cuda.global.cudart.cudaEventCreate;
import static org.bytedeco.cuda.global.cudart.cudaEventDestroy;
import static org.bytedeco.cuda.global.cudart.cudaEventElapsedTime;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaEventSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceProperties;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaGetLastError;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMemGetInfo;
import static org.bytedeco.cuda.global.cudart.cudaMemcpy;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaMemset;
import static org.bytedeco.cuda.global.cudart.cudaRuntimeGetVersion;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;
import static org.bytedeco.cuda.global.cudnn.CUDNN_BATCHNORM_SPATIAL;
import static org.bytedeco.cuda.global.cudnn.CUDNN_BN_MIN_EPSILON;
import static org.bytedeco.cuda.global.cudnn.CUDNN_CROSS_CORRELATION;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DATA_FLOAT;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DETERMINISTIC;
import static org.bytedeco.cuda.global.cudnn.CUDNN_FMA_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
import static org.bytedeco.cuda.global.cudnn.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING;
import static org.bytedeco.cuda.global.cudnn.CUDNN_POOLING_MAX;
import static org.bytedeco.cuda.global.cudnn.CUDNN_POOLING_MAX_DETERMINISTIC;
import static org.bytedeco.cuda.global.cudnn.CUDNN_PROPAGATE_NAN;
import static org.bytedeco.cuda.global.cudnn.CUDNN_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_NCHW;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_OP_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
import static org.bytedeco.cuda.global.cudnn.cudnnBatchNormalizationBackward;
import static org.bytedeco.cuda.global.cudnn.cudnnBatchNormalizationForwardInference;
import static org.bytedeco.cuda.global.cudnn.cudnnBatchNormalizationForwardTraining;
import static org.bytedeco.cuda.global.cudnn.cudnnConvolutionBackwardData;
import static org.bytedeco.cuda.global.cudnn.cudnnConvolutionBackwardFilter;
import static org.bytedeco.cuda.global.cudnn.cudnnConvolutionForward;
import static org.bytedeco.cuda.global.cudnn.cudnnCreate;
import static org.bytedeco.cuda.global.cudnn.cudnnCreateConvolutionDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnCreateFilterDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnCreatePoolingDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnCreateTensorDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDeriveBNTensorDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroy;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyConvolutionDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyFilterDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyPoolingDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyTensorDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnFindConvolutionBackwardDataAlgorithmEx;
import static org.bytedeco.cuda.global.cudnn.cudnnFindConvolutionBackwardFilterAlgorithmEx;
import static org.bytedeco.cuda.global.cudnn.cudnnFindConvolutionForwardAlgorithmEx;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolution2dForwardOutputDim;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionBackwardDataAlgorithmMaxCount;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionBackwardDataWorkspaceSize;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionBackwardFilterAlgorithmMaxCount;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionForwardAlgorithmMaxCount;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionForwardWorkspaceSize;
import static org.bytedeco.cuda.global.cudnn.cudnnGetErrorString;
import static org.bytedeco.cuda.global.cudnn.cudnnGetPooling2dForwardOutputDim;
import static org.bytedeco.cuda.global.cudnn.cudnnGetVersion;
import static org.bytedeco.cuda.global.cudnn.cudnnPoolingBackward;
import static org.bytedeco.cuda.global.cudnn.cudnnPoolingForward;
import static org.bytedeco.cuda.global.cudnn.cudnnSetConvolution2dDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnSetConvolutionGroupCount;
import static org.bytedeco.cuda.global.cudnn.cudnnSetConvolutionMathType;
import static org.bytedeco.cuda.global.cudnn.cudnnSetFilter4dDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnSetPooling2dDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnSetTensor4dDescriptor;

/**
 * cuDNN (convolution, pooling, batch norm) and cuBLAS (the GEMMs of linear layers) through the
 * JavaCPP presets ({@code org.bytedeco:cuda}), float32 NCHW, timed with CUDA events as jdnn's GPU
 * backends are.
 *
 * <ul>
 *   <li>Convolution: {@code cudnnFind...AlgorithmEx} ranks every algorithm cuDNN has for the
 *       problem (with the math type FMA, so no TF32, unless {@code --tf32}: then DEFAULT, which
 *       lets cuDNN use TF32 tensor cores); the {@value #CANDIDATES} fastest that succeed are each
 *       verified at the verification batch and timed with {@link Timing}, and the best median is
 *       the baseline ("best of cudnnFind").</li>
 *   <li>Pooling, batch norm: the legacy cuDNN calls (cudnnPooling*, cudnnBatchNormalization*,
 *       spatial mode), which cuDNN 9 still ships.</li>
 *   <li>GEMM: {@code cublasSgemm} in column-major form (see {@link GemmMapping}), CUBLAS_DEFAULT_MATH
 *       (no TF32) unless {@code --tf32}.</li>
 * </ul>
 *
 * Every native call runs on one thread of this class: the CUDA runtime then works in the GPU's
 * primary context whatever context jdnn's CUDA backend (driver API) makes current on the caller's
 * thread. Every status is checked; a failure becomes the row's ERROR with cuDNN's, cuBLAS's or
 * the runtime's error string.
 */
// cuDNN 9 marks its descriptor-based ("legacy") API deprecated in favour of the graph API; it still
// ships it, cudnnFind* is where its algorithm search lives, and it is what the baseline means here.
@SuppressWarnings("deprecation")
final class CudnnBaseline implements VendorBaseline {
    /** Find's fastest algorithms that are verified and timed. */
    static final int CANDIDATES = 3;
    /** Floats of the host blocks timing inputs are copied from (4 MiB a block). */
    private static final int CHUNK = 1 << 20;
    /** Largest workspace offered to cudnnFind. */
    private static final long MAX_WORKSPACE = 1L << 30;

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "jdnn-cudnn-baseline");
        t.setDaemon(true);
        return t;
    });
    private final int index;
    private final String matchName;
    private final boolean tf32;
    private final boolean deterministic;
    private final long seed;

    private cudnnContext dnn;
    private String dnnMissing;
    private cublasContext blas;
    private String blasMissing;
    private String description;
    private FloatPointer one;
    private FloatPointer zero;
    private CUevent_st start;
    private CUevent_st stop;
    private final Map<Op.Fill, FloatPointer> chunks = new EnumMap<>(Op.Fill.class);

    private CudnnBaseline(int index, String matchName, boolean tf32, boolean deterministic, long seed) {
        this.index = index;
        this.matchName = matchName;
        this.tf32 = tf32;
        this.deterministic = deterministic;
        this.seed = seed;
    }

    /**
     * Loads the libraries and opens CUDA device {@code index} (or, when it is negative, the CUDA
     * device named {@code matchName}); never throws: what fails to load becomes the n/a reason.
     */
    static VendorBaseline open(int index, String matchName, boolean tf32, boolean deterministic, long seed) {
        CudnnBaseline b = new CudnnBaseline(index, matchName, tf32, deterministic, seed);
        try {
            b.onThread(() -> {
                b.init();
                return null;
            });
            return b;
        } catch (RuntimeException | LinkageError e) {
            b.close();
            return VendorBaseline.unavailable(message(e));
        }
    }

    private void init() {
        int[] count = {0};
        int st;
        try {
            st = cudaGetDeviceCount(count);
        } catch (LinkageError e) {
            throw new VendorException("the CUDA runtime bindings did not load" + missing() + ": " + message(e));
        }
        if (st != cudaSuccess) {
            throw new VendorException("no CUDA device: cudaGetDeviceCount returned " + cudaError(st));
        }
        int dev = index;
        String name = null;
        if (dev < 0) {
            for (int i = 0; i < count[0] && dev < 0; i++) {
                String n = deviceName(i);
                if (n.equalsIgnoreCase(matchName)) {
                    dev = i;
                    name = n;
                }
            }
            if (dev < 0) {
                throw new VendorException("no CUDA device is named '" + matchName + "' (" + count[0] + " CUDA devices)");
            }
        } else if (dev >= count[0]) {
            throw new VendorException("CUDA device " + dev + " does not exist (" + count[0] + " CUDA devices)");
        }
        checkCuda(cudaSetDevice(dev), "cudaSetDevice(" + dev + ")");
        if (name == null) {
            name = deviceName(dev);
        }
        int[] runtime = {0};
        int[] driver = {0};
        checkCuda(cudaRuntimeGetVersion(runtime), "cudaRuntimeGetVersion");
        checkCuda(cudaDriverGetVersion(driver), "cudaDriverGetVersion");
        start = new CUevent_st();
        stop = new CUevent_st();
        checkCuda(cudaEventCreate(start), "cudaEventCreate");
        checkCuda(cudaEventCreate(stop), "cudaEventCreate");
        one = new FloatPointer(1f);
        zero = new FloatPointer(0f);
        String dnnVersion = "";
        try {
            cudnnContext h = new cudnnContext();
            checkDnn(cudnnCreate(h), "cudnnCreate");
            dnn = h;
            dnnVersion = "cuDNN " + version(cudnnGetVersion());
        } catch (LinkageError | VendorException e) {
            dnnMissing = "cuDNN did not load" + missing() + ": " + message(e);
        }
        String blasVersion = "";
        try {
            cublasContext h = new cublasContext();
            checkBlas(cublasCreate_v2(h), "cublasCreate");
            blas = h;
            checkBlas(cublasSetMathMode(h, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
            int[] v = {0};
            checkBlas(cublasGetVersion_v2(h, v), "cublasGetVersion");
            blasVersion = "cuBLAS " + version(v[0]);
        } catch (LinkageError | VendorException e) {
            blasMissing = "cuBLAS did not load" + missing() + ": " + message(e);
        }
        if (dnn == null && blas == null) {
            throw new VendorException(dnnMissing + "; " + blasMissing);
        }
        description = String.format(Locale.ROOT, "%s on %s (CUDA device %d, runtime %d.%d, driver %d.%d); %s",
                String.join(" + ", List.of(dnn != null ? dnnVersion : dnnMissing, blas != null ? blasVersion : blasMissing)),
                name, dev, runtime[0] / 1000, runtime[0] % 1000 / 10, driver[0] / 1000, driver[0] % 1000 / 10,
                tf32 ? "TF32 allowed (cuDNN DEFAULT math, CUBLAS_TF32_TENSOR_OP_MATH)"
                        : "FP32, TF32 off (cuDNN FMA math, CUBLAS_DEFAULT_MATH)");
    }

    /** The libraries the presets link against, and where the dynamic loader looks for them. */
    static final List<String> LIBRARIES = List.of("libcuda.so.1", "libcudart.so.13", "libcublas.so.13", "libcudnn.so.9");

    /**
     * " (libcuda.so.1 not found: no NVIDIA driver)" for the libraries of {@link #LIBRARIES} that no
     * directory of LD_LIBRARY_PATH, java.library.path or the usual system directories holds: JavaCPP's
     * own message names only the binding it failed to load, not the library that was missing.
     */
    static String missing() {
        List<String> dirs = new ArrayList<>();
        for (String var : new String[] {System.getenv("LD_LIBRARY_PATH"), System.getProperty("java.library.path")}) {
            if (var != null) {
                dirs.addAll(List.of(var.split(":")));
            }
        }
        dirs.addAll(List.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64",
                "/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/local/nvidia/lib64",
                "/usr/lib/wsl/lib"));
        List<String> absent = new ArrayList<>();
        for (String lib : LIBRARIES) {
            boolean found = false;
            for (String d : dirs) {
                if (!d.isEmpty() && java.nio.file.Files.exists(java.nio.file.Path.of(d, lib))) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                absent.add(lib + (lib.startsWith("libcuda.") ? " (the NVIDIA driver)" : ""));
            }
        }
        return absent.isEmpty() ? "" : " (not found: " + String.join(", ", absent) + ")";
    }

    private static String deviceName(int i) {
        cudaDeviceProp prop = new cudaDeviceProp();
        try {
            checkCuda(cudaGetDeviceProperties(prop, i), "cudaGetDeviceProperties(" + i + ")");
            return prop.name().getString();
        } finally {
            prop.close();
        }
    }

    /** 91400 as 9.14.0 (cuDNN 9 and cuBLAS encode major * 10000 + minor * 100 + patch). */
    private static String version(long v) {
        return (v / 10000) + "." + (v % 10000 / 100) + "." + (v % 100);
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public Optional<String> whyNot(Op op) {
        BenchProblem p = op.problem();
        if (p instanceof BenchProblem.Step) {
            return Optional.of("neither cuDNN nor cuBLAS has an optimizer step");
        }
        if (p instanceof BenchProblem.Linear) {
            return blas == null ? Optional.of(blasMissing) : Optional.empty();
        }
        if (dnn == null) {
            return Optional.of(dnnMissing);
        }
        if (p instanceof BenchProblem.Pool pool) {
            PoolProblem q = pool.problem();
            if (q.mode() == PoolMode.MAX && (q.dilationH() != 1 || q.dilationW() != 1)) {
                return Optional.of("cuDNN pooling has no dilation");
            }
            if (q.mode() == PoolMode.ADAPTIVE_AVG && (q.height() % q.adaptiveH() != 0 || q.width() % q.adaptiveW() != 0)) {
                return Optional.of("cuDNN has no adaptive pooling; only an output size that divides the input maps onto a fixed window");
            }
        }
        if (p instanceof BenchProblem.BatchNorm bn && bn.problem().eps() < CUDNN_BN_MIN_EPSILON) {
            return Optional.of("eps " + bn.problem().eps() + " is below CUDNN_BN_MIN_EPSILON " + CUDNN_BN_MIN_EPSILON);
        }
        return Optional.empty();
    }

    @Override
    public VendorResult run(Op op, Op verifyOp, Inputs.Host host, Map<String, double[]> reference, String referenceSkipped,
                            Timing.Settings timing, long rotationBytes) {
        Optional<String> why = whyNot(op);
        if (why.isPresent()) {
            return VendorResult.na(why.get());
        }
        String library = op.problem() instanceof BenchProblem.Linear ? "cuBLAS" : "cuDNN";
        try {
            return onThread(() -> measure(library, op, verifyOp, host, reference, referenceSkipped, timing, rotationBytes));
        } catch (RuntimeException | LinkageError e) {
            return new VendorResult(library, Disposition.ERROR, "", message(e), Double.NaN, null);
        }
    }

    // ================================================================== one op

    /** A way of running the op: one cuDNN algorithm, or the one call pooling, batch norm and GEMM have. */
    private interface Kernel {
        /** The algorithm, for the report. */
        String label();

        /** Sets up what {@link #run} needs before a timing loop (cuDNN's math type on the descriptor). */
        default void select() {
        }

        /** Issues one run on the given buffers. */
        void run(Map<String, Pointer> b);

        /** Issues one run at the verification size, or returns why it cannot. */
        Optional<String> runSmall(Map<String, Pointer> b);
    }

    /** An op's kernels; owns descriptors and workspaces. */
    private interface Family extends AutoCloseable {
        /** Empty when cuDNN agrees with jdnn on the output size; otherwise why not (ceil mode, say). */
        Optional<String> check();

        /** Extra bytes per rotation set (pooling backward keeps the forward output). */
        default long extraBytes() {
            return 0;
        }

        /** Prepares one set of full-size buffers (pooling backward computes y). */
        default void setUp(Map<String, Pointer> b) {
        }

        /** Prepares the verification buffers. */
        default void setUpSmall(Map<String, Pointer> b) {
        }

        /** The kernels to verify and time, best first; {@code set} is one set of full-size buffers. */
        List<Kernel> kernels(Map<String, Pointer> set);

        @Override
        void close();
    }

    private VendorResult measure(String library, Op op, Op vop, Inputs.Host host, Map<String, double[]> reference,
                                 String referenceSkipped, Timing.Settings timing, long rotationBytes) {
        List<Buf> owned = new ArrayList<>();
        try (Family family = family(op, vop)) {
            Optional<String> bad = family.check();
            if (bad.isPresent()) {
                return new VendorResult(library, Disposition.NOT_SUPPORTED, "", bad.get(), Double.NaN, null);
            }
            long setBytes = family.extraBytes();
            for (Op.TensorSpec s : op.tensors()) {
                setBytes += s.shape().bytes();
            }
            long free = (long) (freeBytes() * 0.8) - MAX_WORKSPACE;
            if (setBytes > free) {
                return new VendorResult(library, Disposition.NOT_SUPPORTED, "", "memory: one set of buffers needs "
                        + MemoryBudget.mib(setBytes) + ", " + MemoryBudget.mib(Math.max(0, free)) + " of free GPU memory",
                        Double.NaN, null);
            }
            int sets = (int) Math.max(1, Math.min(64, Math.min((rotationBytes + setBytes - 1) / setBytes, free / setBytes)));
            List<Map<String, Pointer>> full = new ArrayList<>();
            int salt = 0;
            for (int i = 0; i < sets; i++) {
                Map<String, Pointer> set = new LinkedHashMap<>();
                for (Op.TensorSpec s : op.tensors()) {
                    Buf b = Buf.alloc(s.shape().bytes());
                    owned.add(b);
                    fillRandom(b, s.fill(), salt++);
                    set.put(s.name(), b.p);
                }
                full.add(set);
            }
            for (Map<String, Pointer> set : full) {
                family.setUp(set);
            }
            List<Kernel> kernels = family.kernels(full.get(0));
            if (kernels.isEmpty()) {
                return new VendorResult(library, Disposition.NOT_SUPPORTED, "", "cudnnFind returned no algorithm that runs "
                        + "this problem" + (deterministic ? " deterministically" : "") + (tf32 ? "" : " without TF32"),
                        Double.NaN, null);
            }
            double bound = vendorBound(op);
            Timing.Stats best = null;
            Kernel bestKernel = null;
            double bestError = Double.NaN;
            String incorrect = null;
            String unverified = null;
            for (Kernel k : kernels) {
                double error = Double.NaN;
                String skip = referenceSkipped == null ? "not verified: no reference result" : referenceSkipped;
                if (reference != null) {
                    Verified v = verify(k, family, vop, host, reference, bound);
                    if (v.skipped != null) {
                        skip = v.skipped;
                    } else if (!(v.error <= bound)) {
                        if (incorrect == null) {
                            incorrect = k.label() + ": " + v.detail;
                        }
                        continue;
                    } else {
                        error = v.error;
                        skip = null;
                    }
                }
                int[] next = {0};
                k.select();
                Timing.Stats stats = Timing.measure(n -> time(n, () -> k.run(full.get(next[0]++ % full.size()))), timing);
                if (best == null || stats.median() < best.median()) {
                    best = stats;
                    bestKernel = k;
                    bestError = error;
                    unverified = skip;
                }
            }
            if (best == null) {
                return new VendorResult(library, Disposition.INCORRECT, "", incorrect, Double.NaN, null);
            }
            return new VendorResult(library, unverified == null ? Disposition.PASSED : Disposition.VERIFY_SKIPPED,
                    bestKernel.label(), unverified == null ? "" : unverified, bestError, best);
        } catch (OutOfMemory e) {
            return new VendorResult(library, Disposition.NOT_SUPPORTED, "", "memory: " + e.getMessage(), Double.NaN, null);
        } finally {
            for (Buf b : owned) {
                b.close();
            }
        }
    }

    /**
     * The bound a vendor result is held to. cuDNN's FP32 algorithms include Winograd and FFT
     * variants whose transforms cost about a decimal digit over a direct dot product: the bound of
     * jdnn's {@link ConvAlgorithm#WINOGRAD}. TF32 results: {@link ConvAlgorithm#TENSOR_CORE_TF32}'s.
     * The GEMM: {@link ConvAlgorithm#IM2COL_GEMM}'s, as for jdnn's linear layers; pooling and batch
     * norm: the bounds of {@link ErrorBounds}.
     */
    private double vendorBound(Op op) {
        BenchProblem p = op.problem();
        if (p instanceof BenchProblem.Conv) {
            return tf32 ? ConvAlgorithm.TENSOR_CORE_TF32.errorBound() : ConvAlgorithm.WINOGRAD.errorBound();
        }
        if (p instanceof BenchProblem.Linear) {
            return tf32 ? ConvAlgorithm.TENSOR_CORE_TF32.errorBound() : ConvAlgorithm.IM2COL_GEMM.errorBound();
        }
        if (p instanceof BenchProblem.Pool) {
            return ErrorBounds.POOLING;
        }
        return ErrorBounds.REDUCTION;
    }

    private record Verified(double error, String detail, String skipped) {
    }

    /** Runs {@code k} at the verification size on the host inputs and compares every output with the reference. */
    private Verified verify(Kernel k, Family family, Op vop, Inputs.Host host, Map<String, double[]> reference,
                            double bound) {
        List<Buf> owned = new ArrayList<>();
        try {
            Map<String, Pointer> b = new LinkedHashMap<>();
            for (Op.TensorSpec s : vop.tensors()) {
                Buf buf = Buf.alloc(s.shape().bytes());
                owned.add(buf);
                upload(buf, host.array(s));
                b.put(s.name(), buf.p);
            }
            family.setUpSmall(b);
            Optional<String> cannot = k.runSmall(b);
            if (cannot.isPresent()) {
                return new Verified(Double.NaN, "", cannot.get());
            }
            checkCuda(cudaDeviceSynchronize(), k.label() + " (verification run)");
            double worst = 0;
            String detail = "";
            for (Op.TensorSpec s : vop.tensors()) {
                double[] ref = reference.get(s.name());
                if (!s.compared() || ref == null) {
                    continue;
                }
                double[] out = download(b.get(s.name()), ref.length);
                double e = ErrorBounds.maxNormalizedError(out, ref);
                if (!(e <= worst)) {
                    worst = e;
                    detail = String.format(Locale.ROOT, "max |out - ref| / max |ref| = %.2e in '%s' > bound %.0e",
                            e, s.name(), bound);
                }
            }
            return new Verified(worst, detail, null);
        } finally {
            for (Buf b : owned) {
                b.close();
            }
        }
    }

    private Family family(Op op, Op vop) {
        BenchProblem p = op.problem();
        if (p instanceof BenchProblem.Conv c) {
            ConvDirection dir = switch (op.pass()) {
                case FWD -> ConvDirection.FORWARD;
                case BWD_DATA -> ConvDirection.BACKWARD_DATA;
                default -> ConvDirection.BACKWARD_FILTER;
            };
            return new ConvFamily(ConvMapping.of(c.problem(), dir),
                    ConvMapping.of(((BenchProblem.Conv) vop.problem()).problem(), dir));
        }
        if (p instanceof BenchProblem.Pool pool) {
            return new PoolFamily(pool.problem(), ((BenchProblem.Pool) vop.problem()).problem(), op.pass());
        }
        if (p instanceof BenchProblem.BatchNorm bn) {
            return new BatchNormFamily(bn.problem(), ((BenchProblem.BatchNorm) vop.problem()).problem(), op.pass());
        }
        BenchProblem.Linear l = (BenchProblem.Linear) p;
        return new GemmFamily(GemmMapping.of(l.problem(), op.pass()),
                GemmMapping.of(((BenchProblem.Linear) vop.problem()).problem(), op.pass()));
    }

    // ================================================================== convolution

    /** The four descriptors of one direct convolution. */
    private final class ConvDescs implements AutoCloseable {
        final cudnnTensorStruct image = new cudnnTensorStruct();
        final cudnnTensorStruct response = new cudnnTensorStruct();
        final cudnnFilterStruct filter = new cudnnFilterStruct();
        final cudnnConvolutionStruct conv = new cudnnConvolutionStruct();
        private int created;

        ConvDescs(DirectConv d) {
            checkDnn(cudnnCreateTensorDescriptor(image), "cudnnCreateTensorDescriptor");
            created = 1;
            checkDnn(cudnnCreateTensorDescriptor(response), "cudnnCreateTensorDescriptor");
            created = 2;
            checkDnn(cudnnCreateFilterDescriptor(filter), "cudnnCreateFilterDescriptor");
            created = 3;
            checkDnn(cudnnCreateConvolutionDescriptor(conv), "cudnnCreateConvolutionDescriptor");
            created = 4;
            checkDnn(cudnnSetTensor4dDescriptor(image, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, d.n(), d.c(), d.h(), d.w()),
                    "cudnnSetTensor4dDescriptor(x)");
            checkDnn(cudnnSetTensor4dDescriptor(response, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, d.n(), d.k(), d.p(), d.q()),
                    "cudnnSetTensor4dDescriptor(y)");
            checkDnn(cudnnSetFilter4dDescriptor(filter, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, d.k(), d.cPerGroup(), d.r(), d.s()),
                    "cudnnSetFilter4dDescriptor");
            checkDnn(cudnnSetConvolution2dDescriptor(conv, d.padH(), d.padW(), d.strideH(), d.strideW(), d.dilationH(),
                    d.dilationW(), CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT), "cudnnSetConvolution2dDescriptor");
            checkDnn(cudnnSetConvolutionGroupCount(conv, d.groups()), "cudnnSetConvolutionGroupCount");
            mathType(tf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH);
        }

        void mathType(int m) {
            checkDnn(cudnnSetConvolutionMathType(conv, m), "cudnnSetConvolutionMathType");
        }

        /** Empty when cuDNN derives the same response size as jdnn. */
        Optional<String> check(DirectConv d) {
            int[] n = {0};
            int[] c = {0};
            int[] h = {0};
            int[] w = {0};
            checkDnn(cudnnGetConvolution2dForwardOutputDim(conv, image, filter, n, c, h, w),
                    "cudnnGetConvolution2dForwardOutputDim");
            if (n[0] != d.n() || c[0] != d.k() || h[0] != d.p() || w[0] != d.q()) {
                return Optional.of("cuDNN derives the output " + n[0] + "x" + c[0] + "x" + h[0] + "x" + w[0] + ", jdnn "
                        + d.n() + "x" + d.k() + "x" + d.p() + "x" + d.q() + " (output padding of at least the stride)");
            }
            return Optional.empty();
        }

        /** The workspace bytes {@code algo} needs, or -1 when cuDNN cannot run it here. */
        long workspace(ConvDirection call, int algo) {
            SizeTPointer size = new SizeTPointer(1);
            try {
                int st = switch (call) {
                    case FORWARD -> cudnnGetConvolutionForwardWorkspaceSize(dnn, image, filter, conv, response, algo, size);
                    case BACKWARD_DATA -> cudnnGetConvolutionBackwardDataWorkspaceSize(dnn, filter, response, conv, image,
                            algo, size);
                    case BACKWARD_FILTER -> cudnnGetConvolutionBackwardFilterWorkspaceSize(dnn, image, response, conv,
                            filter, algo, size);
                };
                return st == CUDNN_STATUS_SUCCESS ? size.get() : -1;
            } finally {
                size.close();
            }
        }

        /** One run of {@code algo}. */
        int run(ConvMapping m, int algo, Map<String, Pointer> b, Pointer ws, long wsBytes) {
            Pointer img = b.get(m.image());
            Pointer flt = b.get(m.filter());
            Pointer rsp = b.get(m.response());
            return switch (m.call()) {
                case FORWARD -> cudnnConvolutionForward(dnn, one, image, img, filter, flt, conv, algo, ws, wsBytes, zero,
                        response, rsp);
                case BACKWARD_DATA -> cudnnConvolutionBackwardData(dnn, one, filter, flt, response, rsp, conv, algo, ws,
                        wsBytes, zero, image, img);
                case BACKWARD_FILTER -> cudnnConvolutionBackwardFilter(dnn, one, image, img, response, rsp, conv, algo, ws,
                        wsBytes, zero, filter, flt);
            };
        }

        @Override
        public void close() {
            if (created >= 4) {
                cudnnDestroyConvolutionDescriptor(conv);
            }
            if (created >= 3) {
                cudnnDestroyFilterDescriptor(filter);
            }
            if (created >= 2) {
                cudnnDestroyTensorDescriptor(response);
            }
            if (created >= 1) {
                cudnnDestroyTensorDescriptor(image);
            }
        }
    }

    /** One entry of cudnnFind's result. */
    private record Found(int algo, int mathType, long memory, float time, int determinism) {
    }

    private final class ConvFamily implements Family {
        final ConvMapping full;
        final ConvMapping small;
        final ConvDescs fullDescs;
        final ConvDescs smallDescs;
        final List<Buf> workspaces = new ArrayList<>();

        ConvFamily(ConvMapping full, ConvMapping small) {
            this.full = full;
            this.small = small;
            ConvDescs f = new ConvDescs(full.conv());
            try {
                this.smallDescs = new ConvDescs(small.conv());
            } catch (RuntimeException e) {
                f.close();
                throw e;
            }
            this.fullDescs = f;
        }

        @Override
        public Optional<String> check() {
            Optional<String> a = fullDescs.check(full.conv());
            return a.isPresent() ? a : smallDescs.check(small.conv());
        }

        @Override
        public List<Kernel> kernels(Map<String, Pointer> set) {
            long wsBytes = Math.min(MAX_WORKSPACE, freeBytes() / 4);
            Buf ws = Buf.alloc(Math.max(wsBytes, 256));
            workspaces.add(ws);
            List<Found> found = find(set, ws.p, wsBytes);
            found.sort(Comparator.comparingDouble(Found::time));
            List<Kernel> out = new ArrayList<>();
            for (Found f : found) {
                if (out.size() == CANDIDATES) {
                    break;
                }
                if (!tf32 && f.mathType != CUDNN_FMA_MATH && f.mathType != CUDNN_DEFAULT_MATH) {
                    continue;
                }
                if (deterministic && f.determinism != CUDNN_DETERMINISTIC) {
                    continue;
                }
                fullDescs.mathType(runMath(f));
                long need = fullDescs.workspace(full.call(), f.algo);
                if (need < 0 || need > wsBytes) {
                    continue;
                }
                out.add(kernel(f, ws, need));
            }
            return out;
        }

        /**
         * The math type a found algorithm runs with: Find's (as cuDNN asks) with {@code --tf32};
         * otherwise FMA whatever Find reports, so that no result can use TF32.
         */
        private int runMath(Found f) {
            return tf32 ? f.mathType : CUDNN_FMA_MATH;
        }

        private Kernel kernel(Found f, Buf ws, long need) {
            int math = runMath(f);
            String label = algorithmName(full.call(), f.algo) + " (" + mathName(math) + ")";
            return new Kernel() {
                @Override
                public String label() {
                    return label;
                }

                @Override
                public void select() {
                    fullDescs.mathType(math);
                }

                @Override
                public void run(Map<String, Pointer> b) {
                    checkDnn(fullDescs.run(full, f.algo, b, ws.p, need), label);
                }

                @Override
                public Optional<String> runSmall(Map<String, Pointer> b) {
                    smallDescs.mathType(math);
                    long smallNeed = smallDescs.workspace(small.call(), f.algo);
                    if (smallNeed < 0) {
                        return Optional.of("cuDNN cannot run " + label + " at the verification batch " + small.conv().n());
                    }
                    try (Buf w = Buf.alloc(Math.max(smallNeed, 256))) {
                        checkDnn(smallDescs.run(small, f.algo, b, w.p, smallNeed), label + " (verification run)");
                        checkCuda(cudaDeviceSynchronize(), label + " (verification run)");
                    }
                    return Optional.empty();
                }
            };
        }

        /** cudnnFind...Ex over every algorithm cuDNN has for the call, on real buffers. */
        private List<Found> find(Map<String, Pointer> b, Pointer ws, long wsBytes) {
            ConvDescs d = fullDescs;
            d.mathType(tf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH);
            Pointer img = b.get(full.image());
            Pointer flt = b.get(full.filter());
            Pointer rsp = b.get(full.response());
            int[] max = {0};
            int[] returned = {0};
            List<Found> out = new ArrayList<>();
            switch (full.call()) {
                case FORWARD -> {
                    checkDnn(cudnnGetConvolutionForwardAlgorithmMaxCount(dnn, max), "cudnnGetConvolutionForwardAlgorithmMaxCount");
                    cudnnConvolutionFwdAlgoPerf_t perf = new cudnnConvolutionFwdAlgoPerf_t(max[0]);
                    try {
                        checkDnn(cudnnFindConvolutionForwardAlgorithmEx(dnn, d.image, img, d.filter, flt, d.conv, d.response,
                                rsp, max[0], returned, perf, ws, wsBytes), "cudnnFindConvolutionForwardAlgorithmEx");
                        for (int i = 0; i < returned[0]; i++) {
                            cudnnConvolutionFwdAlgoPerf_t r = perf.getPointer(i);
                            if (r.status() == CUDNN_STATUS_SUCCESS) {
                                out.add(new Found(r.algo(), r.mathType(), r.memory(), r.time(), r.determinism()));
                            }
                        }
                    } finally {
                        perf.close();
                    }
                }
                case BACKWARD_DATA -> {
                    checkDnn(cudnnGetConvolutionBackwardDataAlgorithmMaxCount(dnn, max),
                            "cudnnGetConvolutionBackwardDataAlgorithmMaxCount");
                    cudnnConvolutionBwdDataAlgoPerf_t perf = new cudnnConvolutionBwdDataAlgoPerf_t(max[0]);
                    try {
                        checkDnn(cudnnFindConvolutionBackwardDataAlgorithmEx(dnn, d.filter, flt, d.response, rsp, d.conv,
                                d.image, img, max[0], returned, perf, ws, wsBytes), "cudnnFindConvolutionBackwardDataAlgorithmEx");
                        for (int i = 0; i < returned[0]; i++) {
                            cudnnConvolutionBwdDataAlgoPerf_t r = perf.getPointer(i);
                            if (r.status() == CUDNN_STATUS_SUCCESS) {
                                out.add(new Found(r.algo(), r.mathType(), r.memory(), r.time(), r.determinism()));
                            }
                        }
                    } finally {
                        perf.close();
                    }
                }
                case BACKWARD_FILTER -> {
                    checkDnn(cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(dnn, max),
                            "cudnnGetConvolutionBackwardFilterAlgorithmMaxCount");
                    cudnnConvolutionBwdFilterAlgoPerf_t perf = new cudnnConvolutionBwdFilterAlgoPerf_t(max[0]);
                    try {
                        checkDnn(cudnnFindConvolutionBackwardFilterAlgorithmEx(dnn, d.image, img, d.response, rsp, d.conv,
                                d.filter, flt, max[0], returned, perf, ws, wsBytes),
                                "cudnnFindConvolutionBackwardFilterAlgorithmEx");
                        for (int i = 0; i < returned[0]; i++) {
                            cudnnConvolutionBwdFilterAlgoPerf_t r = perf.getPointer(i);
                            if (r.status() == CUDNN_STATUS_SUCCESS) {
                                out.add(new Found(r.algo(), r.mathType(), r.memory(), r.time(), r.determinism()));
                            }
                        }
                    } finally {
                        perf.close();
                    }
                }
            }
            return out;
        }

        @Override
        public void close() {
            for (Buf b : workspaces) {
                b.close();
            }
            fullDescs.close();
            smallDescs.close();
        }
    }

    /** cuDNN's name of an algorithm of a call, e.g. IMPLICIT_PRECOMP_GEMM, BWD_FILTER_ALGO_1. */
    static String algorithmName(ConvDirection call, int algo) {
        String[] fwd = {"IMPLICIT_GEMM", "IMPLICIT_PRECOMP_GEMM", "GEMM", "DIRECT", "FFT", "FFT_TILING", "WINOGRAD",
                "WINOGRAD_NONFUSED"};
        String[] bwdData = {"BWD_DATA_ALGO_0", "BWD_DATA_ALGO_1", "BWD_DATA_FFT", "BWD_DATA_FFT_TILING",
                "BWD_DATA_WINOGRAD", "BWD_DATA_WINOGRAD_NONFUSED"};
        String[] bwdFilter = {"BWD_FILTER_ALGO_0", "BWD_FILTER_ALGO_1", "BWD_FILTER_FFT", "BWD_FILTER_ALGO_3",
                "BWD_FILTER_WINOGRAD", "BWD_FILTER_WINOGRAD_NONFUSED", "BWD_FILTER_FFT_TILING"};
        String[] names = switch (call) {
            case FORWARD -> fwd;
            case BACKWARD_DATA -> bwdData;
            case BACKWARD_FILTER -> bwdFilter;
        };
        return algo >= 0 && algo < names.length ? names[algo] : call.shortName() + " algorithm " + algo;
    }

    private static String mathName(int m) {
        if (m == CUDNN_FMA_MATH) {
            return "FMA";
        } else if (m == CUDNN_DEFAULT_MATH) {
            return "default math";
        } else if (m == CUDNN_TENSOR_OP_MATH) {
            return "TF32 tensor op";
        } else if (m == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION) {
            return "tensor op, conversion";
        }
        return "math type " + m;
    }

    // ================================================================== pooling

    private final class PoolFamily implements Family {
        final PoolProblem full;
        final PoolProblem small;
        final BenchProblem.Pass pass;
        final cudnnPoolingStruct pool = new cudnnPoolingStruct();
        final cudnnTensorStruct x = new cudnnTensorStruct();
        final cudnnTensorStruct y = new cudnnTensorStruct();
        final cudnnTensorStruct xs = new cudnnTensorStruct();
        final cudnnTensorStruct ys = new cudnnTensorStruct();
        final List<Buf> forwardOutputs = new ArrayList<>();
        final Map<Map<String, Pointer>, Pointer> yOf = new java.util.IdentityHashMap<>();
        private final String label;

        PoolFamily(PoolProblem full, PoolProblem small, BenchProblem.Pass pass) {
            this.full = full;
            this.small = small;
            this.pass = pass;
            int mode;
            int kh = full.kernelH();
            int kw = full.kernelW();
            int sh = full.strideH();
            int sw = full.strideW();
            int ph = full.padH();
            int pw = full.padW();
            switch (full.mode()) {
                case MAX -> mode = deterministic ? CUDNN_POOLING_MAX_DETERMINISTIC : CUDNN_POOLING_MAX;
                case AVG -> mode = full.countIncludePad() ? CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING
                        : CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
                default -> {
                    mode = CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING;
                    kh = full.height() / full.adaptiveH();
                    kw = full.width() / full.adaptiveW();
                    sh = kh;
                    sw = kw;
                    ph = 0;
                    pw = 0;
                }
            }
            this.label = (mode == CUDNN_POOLING_MAX ? "POOLING_MAX" : mode == CUDNN_POOLING_MAX_DETERMINISTIC
                    ? "POOLING_MAX_DETERMINISTIC" : mode == CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING
                    ? "POOLING_AVERAGE_COUNT_INCLUDE_PADDING" : "POOLING_AVERAGE_COUNT_EXCLUDE_PADDING")
                    + (pass == BenchProblem.Pass.FWD ? "" : " backward");
            checkDnn(cudnnCreatePoolingDescriptor(pool), "cudnnCreatePoolingDescriptor");
            checkDnn(cudnnSetPooling2dDescriptor(pool, mode, CUDNN_PROPAGATE_NAN, kh, kw, ph, pw, sh, sw),
                    "cudnnSetPooling2dDescriptor");
            for (cudnnTensorStruct t : List.of(x, y, xs, ys)) {
                checkDnn(cudnnCreateTensorDescriptor(t), "cudnnCreateTensorDescriptor");
            }
            set4d(x, full.batch(), full.channels(), full.height(), full.width());
            set4d(y, full.batch(), full.channels(), full.outHeight(), full.outWidth());
            set4d(xs, small.batch(), small.channels(), small.height(), small.width());
            set4d(ys, small.batch(), small.channels(), small.outHeight(), small.outWidth());
        }

        @Override
        public Optional<String> check() {
            int[] n = {0};
            int[] c = {0};
            int[] h = {0};
            int[] w = {0};
            checkDnn(cudnnGetPooling2dForwardOutputDim(pool, x, n, c, h, w), "cudnnGetPooling2dForwardOutputDim");
            if (h[0] != full.outHeight() || w[0] != full.outWidth()) {
                return Optional.of("cuDNN pools to " + h[0] + "x" + w[0] + ", the problem to " + full.outHeight() + "x"
                        + full.outWidth() + (full.ceilMode() ? " (cuDNN has no ceil mode)" : ""));
            }
            return Optional.empty();
        }

        @Override
        public long extraBytes() {
            return pass == BenchProblem.Pass.FWD ? 0 : full.outputShape().bytes();
        }

        @Override
        public void setUp(Map<String, Pointer> b) {
            if (pass != BenchProblem.Pass.FWD) {
                Buf out = Buf.alloc(full.outputShape().bytes());
                forwardOutputs.add(out);
                checkDnn(cudnnPoolingForward(dnn, pool, one, x, b.get("x"), zero, y, out.p), "cudnnPoolingForward");
                yOf.put(b, out.p);
            }
        }

        @Override
        public void setUpSmall(Map<String, Pointer> b) {
            if (pass != BenchProblem.Pass.FWD) {
                Buf out = Buf.alloc(small.outputShape().bytes());
                forwardOutputs.add(out);
                checkDnn(cudnnPoolingForward(dnn, pool, one, xs, b.get("x"), zero, ys, out.p), "cudnnPoolingForward");
                yOf.put(b, out.p);
            }
        }

        @Override
        public List<Kernel> kernels(Map<String, Pointer> set) {
            return List.of(new Kernel() {
                @Override
                public String label() {
                    return label;
                }

                @Override
                public void run(Map<String, Pointer> b) {
                    issue(b, x, y);
                }

                @Override
                public Optional<String> runSmall(Map<String, Pointer> b) {
                    issue(b, xs, ys);
                    return Optional.empty();
                }
            });
        }

        private void issue(Map<String, Pointer> b, cudnnTensorStruct xd, cudnnTensorStruct yd) {
            if (pass == BenchProblem.Pass.FWD) {
                checkDnn(cudnnPoolingForward(dnn, pool, one, xd, b.get("x"), zero, yd, b.get("y")), "cudnnPoolingForward");
            } else {
                checkDnn(cudnnPoolingBackward(dnn, pool, one, yd, yOf.get(b), yd, b.get("dy"), xd, b.get("x"), zero, xd,
                        b.get("dx")), "cudnnPoolingBackward");
            }
        }

        @Override
        public void close() {
            for (Buf b : forwardOutputs) {
                b.close();
            }
            for (cudnnTensorStruct t : List.of(x, y, xs, ys)) {
                if (!t.isNull()) {
                    cudnnDestroyTensorDescriptor(t);
                }
            }
            if (!pool.isNull()) {
                cudnnDestroyPoolingDescriptor(pool);
            }
        }
    }

    // ================================================================== batch norm

    private final class BatchNormFamily implements Family {
        final BatchNormProblem full;
        final BatchNormProblem small;
        final BenchProblem.Pass pass;
        final cudnnTensorStruct x = new cudnnTensorStruct();
        final cudnnTensorStruct c = new cudnnTensorStruct();
        final cudnnTensorStruct xs = new cudnnTensorStruct();
        final cudnnTensorStruct cs = new cudnnTensorStruct();

        BatchNormFamily(BatchNormProblem full, BatchNormProblem small, BenchProblem.Pass pass) {
            this.full = full;
            this.small = small;
            this.pass = pass;
            for (cudnnTensorStruct t : List.of(x, c, xs, cs)) {
                checkDnn(cudnnCreateTensorDescriptor(t), "cudnnCreateTensorDescriptor");
            }
            set4d(x, full.batch(), full.channels(), full.height(), full.width());
            set4d(xs, small.batch(), small.channels(), small.height(), small.width());
            checkDnn(cudnnDeriveBNTensorDescriptor(c, x, CUDNN_BATCHNORM_SPATIAL), "cudnnDeriveBNTensorDescriptor");
            checkDnn(cudnnDeriveBNTensorDescriptor(cs, xs, CUDNN_BATCHNORM_SPATIAL), "cudnnDeriveBNTensorDescriptor");
        }

        @Override
        public Optional<String> check() {
            return Optional.empty();
        }

        @Override
        public List<Kernel> kernels(Map<String, Pointer> set) {
            String label = switch (pass) {
                case FWD_TRAIN -> "BatchNormalizationForwardTraining (spatial)";
                case FWD_INFER -> "BatchNormalizationForwardInference (spatial)";
                default -> "BatchNormalizationBackward (spatial)";
            };
            return List.of(new Kernel() {
                @Override
                public String label() {
                    return label;
                }

                @Override
                public void run(Map<String, Pointer> b) {
                    issue(b, x, c);
                }

                @Override
                public Optional<String> runSmall(Map<String, Pointer> b) {
                    issue(b, xs, cs);
                    return Optional.empty();
                }
            });
        }

        private void issue(Map<String, Pointer> b, cudnnTensorStruct xd, cudnnTensorStruct cd) {
            double eps = full.eps();
            switch (pass) {
                case FWD_TRAIN -> checkDnn(cudnnBatchNormalizationForwardTraining(dnn, CUDNN_BATCHNORM_SPATIAL, one, zero,
                        xd, b.get("x"), xd, b.get("y"), cd, b.get("gamma"), b.get("beta"), full.momentum(),
                        b.get("runningMean"), b.get("runningVar"), eps, b.get("saveMean"), b.get("saveInvStd")),
                        "cudnnBatchNormalizationForwardTraining");
                case FWD_INFER -> checkDnn(cudnnBatchNormalizationForwardInference(dnn, CUDNN_BATCHNORM_SPATIAL, one, zero,
                        xd, b.get("x"), xd, b.get("y"), cd, b.get("gamma"), b.get("beta"), b.get("runningMean"),
                        b.get("runningVar"), eps), "cudnnBatchNormalizationForwardInference");
                default -> checkDnn(cudnnBatchNormalizationBackward(dnn, CUDNN_BATCHNORM_SPATIAL, one, zero, one, zero,
                        xd, b.get("x"), xd, b.get("dy"), xd, b.get("dx"), cd, b.get("gamma"), b.get("dgamma"),
                        b.get("dbeta"), eps, b.get("saveMean"), b.get("saveInvStd")), "cudnnBatchNormalizationBackward");
            }
        }

        @Override
        public void close() {
            for (cudnnTensorStruct t : List.of(x, c, xs, cs)) {
                if (!t.isNull()) {
                    cudnnDestroyTensorDescriptor(t);
                }
            }
        }
    }

    // ================================================================== GEMM

    private final class GemmFamily implements Family {
        final GemmMapping full;
        final GemmMapping small;

        GemmFamily(GemmMapping full, GemmMapping small) {
            this.full = full;
            this.small = small;
        }

        @Override
        public Optional<String> check() {
            return Optional.empty();
        }

        @Override
        public List<Kernel> kernels(Map<String, Pointer> set) {
            String label = "cublasSgemm " + (full.transA() ? "T" : "N") + (full.transB() ? "T" : "N")
                    + (tf32 ? " (TF32 tensor op)" : "");
            return List.of(new Kernel() {
                @Override
                public String label() {
                    return label;
                }

                @Override
                public void run(Map<String, Pointer> b) {
                    gemm(full, b);
                }

                @Override
                public Optional<String> runSmall(Map<String, Pointer> b) {
                    gemm(small, b);
                    return Optional.empty();
                }
            });
        }

        private void gemm(GemmMapping g, Map<String, Pointer> b) {
            checkBlas(cublasSgemm_v2(blas, g.transA() ? CUBLAS_OP_T : CUBLAS_OP_N, g.transB() ? CUBLAS_OP_T : CUBLAS_OP_N,
                    g.m(), g.n(), g.k(), one, new FloatPointer(b.get(g.a())), g.lda(), new FloatPointer(b.get(g.b())), g.ldb(),
                    zero, new FloatPointer(b.get(g.c())), g.ldc()), "cublasSgemm");
        }

        @Override
        public void close() {
        }
    }

    // ================================================================== memory, timing, errors

    private static void set4d(cudnnTensorStruct t, int n, int c, int h, int w) {
        checkDnn(cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, n, c, h, w), "cudnnSetTensor4dDescriptor");
    }

    /** Device time of {@code k} runs between two CUDA events on the default stream, in milliseconds. */
    private double time(int k, Runnable oneRun) {
        checkCuda(cudaEventRecord(start), "cudaEventRecord");
        for (int i = 0; i < k; i++) {
            oneRun.run();
        }
        checkCuda(cudaEventRecord(stop), "cudaEventRecord");
        checkCuda(cudaEventSynchronize(stop), "cudaEventSynchronize");
        checkCuda(cudaGetLastError(), "a kernel launch");
        float[] ms = {0};
        checkCuda(cudaEventElapsedTime(ms, start, stop), "cudaEventElapsedTime");
        return ms[0];
    }

    private static long freeBytes() {
        SizeTPointer free = new SizeTPointer(1);
        SizeTPointer total = new SizeTPointer(1);
        try {
            checkCuda(cudaMemGetInfo(free, total), "cudaMemGetInfo");
            return free.get();
        } finally {
            free.close();
            total.close();
        }
    }

    /** A pointer at an absolute address (device or host), position 0, for offsets into a buffer. */
    private static final class At extends Pointer {
        At(long address) {
            this.address = address;
        }
    }

    /** Fills a device buffer from a host block of the fill's distribution, starting at an offset that varies with {@code salt}. */
    private void fillRandom(Buf b, Op.Fill fill, int salt) {
        if (fill == Op.Fill.OUTPUT) {
            checkCuda(cudaMemset(b.p, 0xFF, b.bytes), "cudaMemset"); // all-ones bits: NaN
            return;
        }
        FloatPointer block = chunks.computeIfAbsent(fill, f -> {
            FloatPointer h = new FloatPointer(2L * CHUNK);
            SplittableRandom r = new SplittableRandom(seed * 31 + f.ordinal());
            float[] v = new float[2 * CHUNK];
            for (int i = 0; i < v.length; i++) {
                v[i] = switch (f) {
                    case NORMAL -> (float) r.nextGaussian();
                    case POSITIVE -> (float) (0.5 + r.nextDouble());
                    default -> (float) r.nextDouble();
                };
            }
            h.put(v);
            return h;
        });
        long n = b.bytes / Float.BYTES;
        long startAt = (salt * 104_729L) % CHUNK;
        for (long pos = 0; pos < n; pos += CHUNK) {
            long len = Math.min(CHUNK, n - pos);
            checkCuda(cudaMemcpy(new At(b.p.address() + pos * Float.BYTES), new At(block.address() + startAt * Float.BYTES),
                    len * Float.BYTES, cudaMemcpyHostToDevice), "cudaMemcpy");
        }
    }

    private static void upload(Buf b, float[] data) {
        FloatPointer h = new FloatPointer(data);
        try {
            checkCuda(cudaMemcpy(b.p, h, (long) data.length * Float.BYTES, cudaMemcpyHostToDevice), "cudaMemcpy");
        } finally {
            h.close();
        }
    }

    private static double[] download(Pointer p, int n) {
        FloatPointer h = new FloatPointer(n);
        try {
            checkCuda(cudaMemcpy(h, p, (long) n * Float.BYTES, cudaMemcpyDeviceToHost), "cudaMemcpy");
            float[] f = new float[n];
            h.get(f);
            double[] d = new double[n];
            for (int i = 0; i < n; i++) {
                d[i] = f[i];
            }
            return d;
        } finally {
            h.close();
        }
    }

    /** A cudaMalloc'ed buffer. */
    private static final class Buf implements AutoCloseable {
        final Pointer p;
        final long bytes;
        private boolean freed;

        private Buf(Pointer p, long bytes) {
            this.p = p;
            this.bytes = bytes;
        }

        static Buf alloc(long bytes) {
            Pointer p = new Pointer();
            int st = cudaMalloc(p, bytes);
            if (st == cudaErrorMemoryAllocation) {
                cudaGetLastError();
                throw new OutOfMemory("cudaMalloc of " + MemoryBudget.mib(bytes) + " failed (" + MemoryBudget.mib(freeBytes())
                        + " free)");
            }
            checkCuda(st, "cudaMalloc(" + bytes + ")");
            return new Buf(p, bytes);
        }

        @Override
        public void close() {
            if (!freed) {
                freed = true;
                cudaFree(p);
            }
        }
    }

    static final class VendorException extends RuntimeException {
        VendorException(String message) {
            super(message);
        }
    }

    static final class OutOfMemory extends RuntimeException {
        OutOfMemory(String message) {
            super(message);
        }
    }

    private static String cudaError(int st) {
        return cudaGetErrorString(st).getString() + " (" + st + ")";
    }

    static void checkCuda(int st, String what) {
        if (st != cudaSuccess) {
            throw new VendorException(what + ": " + cudaError(st));
        }
    }

    static void checkDnn(int st, String what) {
        if (st != CUDNN_STATUS_SUCCESS) {
            throw new VendorException(what + ": " + cudnnGetErrorString(st).getString() + " (" + st + ")");
        }
    }

    static void checkBlas(int st, String what) {
        if (st != CUBLAS_STATUS_SUCCESS) {
            throw new VendorException(what + ": " + cublasGetStatusString(st).getString() + " (" + st + ")");
        }
    }

    private static String message(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof ExceptionInInitializerError) && t.getCause() != null) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return t instanceof VendorException || t instanceof OutOfMemory ? m : t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** Runs {@code body} on this baseline's thread and returns its result; rethrows what it throws. */
    private <T> T onThread(Callable<T> body) {
        Future<T> f = thread.submit(body);
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VendorException("interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new VendorException(message(c));
        }
    }

    @Override
    public void close() {
        try {
            Future<?> f = thread.submit(() -> {
                for (FloatPointer p : chunks.values()) {
                    p.close();
                }
                chunks.clear();
                if (dnn != null) {
                    cudnnDestroy(dnn);
                    dnn = null;
                }
                if (blas != null) {
                    cublasDestroy_v2(blas);
                    blas = null;
                }
                if (start != null) {
                    cudaEventDestroy(start);
                    start = null;
                }
                if (stop != null) {
                    cudaEventDestroy(stop);
                    stop = null;
                }
            });
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | RuntimeException e) {
            // closing after a failed load: nothing native to free
        } finally {
            thread.shutdown();
        }
    }
}
