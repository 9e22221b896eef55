package io.jdnn.kernels;

import io.jdnn.LinearProblem;
import io.jdnn.spi.Buffer;

/** The fully connected layer's ops on a {@link KernelDevice}: one {@link Gemm} call each. */
final class Linear {
    private Linear() {
    }

    static void forward(KernelDevice device, LinearProblem p, Buffer x, Buffer w, Buffer bias, Buffer y) {
        // y (batch, out) = x (batch, in) w^T; w is (out, in), so op(B) = w^T reads w[n*in + k].
        Gemm.of(p.batch(), p.outFeatures(), p.inFeatures())
                .a(x, 0, p.inFeatures(), false)
                .b(w, 0, p.inFeatures(), true)
                .c(y, 0, p.outFeatures())
                .biasPerColumn(bias, 0)
                .run(device, "linearForward", p.toString());
    }

    static void backwardData(KernelDevice device, LinearProblem p, Buffer dy, Buffer w, Buffer dx) {
        // dx (batch, in) = dy (batch, out) w (out, in)
        Gemm.of(p.batch(), p.inFeatures(), p.outFeatures())
                .a(dy, 0, p.outFeatures(), false)
                .b(w, 0, p.inFeatures(), false)
                .c(dx, 0, p.inFeatures())
                .run(device, "linearBackwardData", p.toString());
    }

    static void backwardWeight(KernelDevice device, LinearProblem p, Buffer x, Buffer dy, Buffer dw) {
        // dw (out, in) = dy^T (out, batch) x (batch, in); dy is (batch, out), so op(A) = dy^T reads dy[k*out + m].
        Gemm.of(p.outFeatures(), p.inFeatures(), p.batch())
                .a(dy, 0, p.outFeatures(), true)
                .b(x, 0, p.inFeatures(), false)
                .c(dw, 0, p.inFeatures())
                .run(device, "linearBackwardWeight", p.toString());
    }
}
