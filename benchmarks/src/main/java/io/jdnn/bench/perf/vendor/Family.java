package io.jdnn.bench.perf.vendor;

import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An op family of the vendor baseline (convolution, pooling, batch norm, GEMM) for one problem at
 * the full and the verification size: its kernels; owns descriptors and workspaces. Made, used and
 * closed on the baseline's thread, with the baseline's handles.
 */
abstract class Family implements AutoCloseable {

    /** A way of running the op: one cuDNN algorithm, or the one call pooling, batch norm and GEMM have. */
    interface Kernel {
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

    // The baseline's handles and settings (see CudnnHandles), under the names the native calls use.
    final cudnnContext dnn;
    final cublasContext blas;
    final FloatPointer one;
    final FloatPointer zero;
    final boolean tf32;
    final boolean deterministic;

    Family(CudnnHandles h) {
        this.dnn = h.dnn;
        this.blas = h.blas;
        this.one = h.one;
        this.zero = h.zero;
        this.tf32 = h.tf32;
        this.deterministic = h.deterministic;
    }

    /** Empty when cuDNN agrees with jdnn on the output size; otherwise why not (ceil mode, say). */
    public abstract Optional<String> check();

    /** Extra bytes per rotation set (pooling backward keeps the forward output). */
    public long extraBytes() {
        return 0;
    }

    /** Prepares one set of full-size buffers (pooling backward computes y). */
    public void setUp(Map<String, Pointer> b) {
    }

    /** Prepares the verification buffers. */
    public void setUpSmall(Map<String, Pointer> b) {
    }

    /** The kernels to verify and time, best first; {@code set} is one set of full-size buffers. */
    public abstract List<Kernel> kernels(Map<String, Pointer> set);

    @Override
    public abstract void close();
}
