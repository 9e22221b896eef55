package io.jdnn.bench.perf.vendor;

import io.jdnn.bench.perf.Op;
import io.jdnn.bench.perf.vendor.CudaHelpers.At;
import io.jdnn.bench.perf.vendor.CudaHelpers.Buf;
import io.jdnn.bench.perf.vendor.CudaHelpers.VendorException;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.javacpp.FloatPointer;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import static io.jdnn.bench.perf.vendor.CudaHelpers.checkBlas;
import static io.jdnn.bench.perf.vendor.CudaHelpers.checkCuda;
import static io.jdnn.bench.perf.vendor.CudaHelpers.checkDnn;
import static io.jdnn.bench.perf.vendor.CudaHelpers.cudaError;
import static io.jdnn.bench.perf.vendor.CudaHelpers.message;
import static org.bytedeco.cuda.global.cublas.CUBLAS_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cublas.CUBLAS_TF32_TENSOR_OP_MATH;
import static org.bytedeco.cuda.global.cublas.cublasCreate_v2;
import static org.bytedeco.cuda.global.cublas.cublasDestroy_v2;
import static org.bytedeco.cuda.global.cublas.cublasGetVersion_v2;
import static org.bytedeco.cuda.global.cublas.cublasSetMathMode;
import static org.bytedeco.cuda.global.cudart.cudaDriverGetVersion;
import static org.bytedeco.cuda.global.cudart.cudaEventCreate;
import static org.bytedeco.cuda.global.cudart.cudaEventDestroy;
import static org.bytedeco.cuda.global.cudart.cudaEventElapsedTime;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaEventSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceProperties;
import static org.bytedeco.cuda.global.cudart.cudaGetLastError;
import static org.bytedeco.cuda.global.cudart.cudaMemcpy;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaMemset;
import static org.bytedeco.cuda.global.cudart.cudaRuntimeGetVersion;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;
import static org.bytedeco.cuda.global.cudnn.cudnnCreate;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroy;
import static org.bytedeco.cuda.global.cudnn.cudnnGetVersion;

/**
 * The native state of an opened cuDNN/cuBLAS baseline: the cuDNN and cuBLAS handles (or why one
 * did not load), the constants one and zero the calls scale by, the two CUDA events runs are
 * timed between, and the host blocks random inputs are copied from. Created, used and closed on
 * the baseline's thread (see {@link CudnnBaseline}).
 */
final class CudnnHandles {

    /** Floats of the host blocks timing inputs are copied from (4 MiB a block). */
    private static final int CHUNK = 1 << 20;

    private final int index;
    private final String matchName;
    final boolean tf32;
    final boolean deterministic;
    private final long seed;

    // Set by init and cleared by close, both on the baseline's thread; read there by the baseline and its families.
    cudnnContext dnn;
    String dnnMissing;
    cublasContext blas;
    String blasMissing;
    String description;
    FloatPointer one;
    FloatPointer zero;
    private CUevent_st start;
    private CUevent_st stop;
    private final Map<Op.Fill, FloatPointer> chunks = new EnumMap<>(Op.Fill.class);

    CudnnHandles(int index, String matchName, boolean tf32, boolean deterministic, long seed) {
        this.index = index;
        this.matchName = matchName;
        this.tf32 = tf32;
        this.deterministic = deterministic;
        this.seed = seed;
    }

    /**
     * Opens CUDA device {@code index} (or, when it is negative, the CUDA device named
     * {@code matchName}) and creates what the baseline needs on it; throws a VendorException when
     * there is no such device or neither cuDNN nor cuBLAS loads.
     */
    void init() {
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

    /** Device time of {@code k} runs between two CUDA events on the default stream, in milliseconds. */
    double time(int k, Runnable oneRun) {
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

    /** Fills a device buffer from a host block of the fill's distribution, starting at an offset that varies with {@code salt}. */
    void fillRandom(Buf b, Op.Fill fill, int salt) {
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

    /** Frees what init created, as far as it got. */
    void close() {
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
    }
}
