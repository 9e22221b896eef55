package io.jdnn.opencl;

import io.jdnn.kernels.Gemm;

/**
 * {@link Gemm} (module jdnn-kernels, the GEMM call builder every op uses) with OpenCL-typed
 * operands, for callers holding an {@link OpenClDevice} and {@link ClBuffer}s:
 *
 * <pre>
 *   OpenClGemm.of(m, n, k).a(x, 0, in, false).b(w, 0, in, true).c(y, 0, out).run(device, op, problem);
 * </pre>
 */
final class OpenClGemm {
    private final Gemm gemm;

    private OpenClGemm(Gemm gemm) {
        this.gemm = gemm;
    }

    /** A GEMM of op(A) m x k times op(B) k x n into C m x n; see {@link Gemm#of}. */
    static OpenClGemm of(int m, int n, int k) {
        return new OpenClGemm(Gemm.of(m, n, k));
    }

    OpenClGemm a(ClBuffer buffer, long offset, long ld, boolean transposed) {
        gemm.a(buffer, offset, ld, transposed);
        return this;
    }

    OpenClGemm b(ClBuffer buffer, long offset, long ld, boolean transposed) {
        gemm.b(buffer, offset, ld, transposed);
        return this;
    }

    OpenClGemm c(ClBuffer buffer, long offset, long ld) {
        gemm.c(buffer, offset, ld);
        return this;
    }

    OpenClGemm alpha(float v) {
        gemm.alpha(v);
        return this;
    }

    OpenClGemm beta(float v) {
        gemm.beta(v);
        return this;
    }

    OpenClGemm biasPerColumn(ClBuffer buffer, long offset) {
        gemm.biasPerColumn(buffer, offset);
        return this;
    }

    OpenClGemm biasPerRow(ClBuffer buffer, long offset) {
        gemm.biasPerRow(buffer, offset);
        return this;
    }

    OpenClGemm batch(int count, long strideA, long strideB, long strideC) {
        gemm.batch(count, strideA, strideB, strideC);
        return this;
    }

    void run(OpenClDevice device, String op, String problem) {
        gemm.run(device, op, problem);
    }
}
