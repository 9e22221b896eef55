package io.jdnn.bench.perf.vendor;

import io.jdnn.bench.perf.MemoryBudget;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;

import java.util.concurrent.ExecutionException;

import static org.bytedeco.cuda.global.cublas.CUBLAS_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cublas.cublasGetStatusString;
import static org.bytedeco.cuda.global.cudart.cudaErrorMemoryAllocation;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaGetLastError;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMemGetInfo;
import static org.bytedeco.cuda.global.cudart.cudaMemcpy;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DATA_FLOAT;
import static org.bytedeco.cuda.global.cudnn.CUDNN_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_NCHW;
import static org.bytedeco.cuda.global.cudnn.cudnnGetErrorString;
import static org.bytedeco.cuda.global.cudnn.cudnnSetTensor4dDescriptor;

/**
 * What the cuDNN/cuBLAS baseline and its op families share around native calls: status checks
 * that turn a failure into a {@link VendorException}, device buffers ({@link Buf}), copies to and
 * from the device, free memory, tensor descriptors.
 */
final class CudaHelpers {
    private CudaHelpers() {
    }

    /** Sets an NCHW float tensor descriptor. */
    static void set4d(cudnnTensorStruct t, int n, int c, int h, int w) {
        checkDnn(cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, n, c, h, w), "cudnnSetTensor4dDescriptor");
    }

    /** Free device memory of the current device, in bytes. */
    static long freeBytes() {
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
    static final class At extends Pointer {
        At(long address) {
            this.address = address;
        }
    }

    /** Copies {@code data} into the device buffer. */
    static void upload(Buf b, float[] data) {
        FloatPointer h = new FloatPointer(data);
        try {
            checkCuda(cudaMemcpy(b.p, h, (long) data.length * Float.BYTES, cudaMemcpyHostToDevice), "cudaMemcpy");
        } finally {
            h.close();
        }
    }

    /** Copies {@code n} floats from the device, widened to double. */
    static double[] download(Pointer p, int n) {
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
    static final class Buf implements AutoCloseable {
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

    /** A failed native call or load: its message becomes the ERROR or n/a reason. */
    static final class VendorException extends RuntimeException {
        VendorException(String message) {
            super(message);
        }
    }

    /** A cudaMalloc that found too little memory: the result reads NOT_SUPPORTED. */
    static final class OutOfMemory extends RuntimeException {
        OutOfMemory(String message) {
            super(message);
        }
    }

    /** The runtime's error string of a status, with its number. */
    static String cudaError(int st) {
        return cudaGetErrorString(st).getString() + " (" + st + ")";
    }

    /** Throws a VendorException naming {@code what} unless the CUDA runtime call succeeded. */
    static void checkCuda(int st, String what) {
        if (st != cudaSuccess) {
            throw new VendorException(what + ": " + cudaError(st));
        }
    }

    /** Throws a VendorException naming {@code what} unless the cuDNN call succeeded. */
    static void checkDnn(int st, String what) {
        if (st != CUDNN_STATUS_SUCCESS) {
            throw new VendorException(what + ": " + cudnnGetErrorString(st).getString() + " (" + st + ")");
        }
    }

    /** Throws a VendorException naming {@code what} unless the cuBLAS call succeeded. */
    static void checkBlas(int st, String what) {
        if (st != CUBLAS_STATUS_SUCCESS) {
            throw new VendorException(what + ": " + cublasGetStatusString(st).getString() + " (" + st + ")");
        }
    }

    /** The message a failure reports: its own for a VendorException or OutOfMemory, else with the exception's type. */
    static String message(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof ExceptionInInitializerError) && t.getCause() != null) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return t instanceof VendorException || t instanceof OutOfMemory ? m : t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
