package io.jdnn.bench.perf.vendor;

import io.jdnn.LinearProblem;
import io.jdnn.bench.perf.BenchProblem.Pass;

/**
 * A linear layer's pass as one column-major SGEMM, {@code C (m x n) = op(A) op(B)}, without any
 * native code (a test checks it against the reference on any machine). jdnn's tensors are
 * row-major: a row-major (r x c) matrix is the column-major (c x r) matrix with leading dimension
 * c, its transpose. With x (batch, in), w (out, in), y (batch, out):
 * <pre>
 *   fwd:        y  = x w^T    is  y^T  (out x batch) = (w^T)^T (x^T)       A = w, op T;  B = x,  op N
 *   bwd-data:   dx = dy w     is  dx^T (in x batch)  = (w^T) (dy^T)        A = w, op N;  B = dy, op N
 *   bwd-filter: dw = dy^T x   is  dw^T (in x out)    = (x^T) (dy^T)^T      A = x, op N;  B = dy, op T
 * </pre>
 *
 * @param transA whether A is transposed (CUBLAS_OP_T)
 * @param transB whether B is transposed
 * @param a      the jdnn tensor holding A, with leading dimension {@code lda}
 * @param b      the jdnn tensor holding B
 * @param c      the jdnn tensor C is written to
 */
public record GemmMapping(boolean transA, boolean transB, int m, int n, int k, String a, int lda, String b, int ldb,
                          String c, int ldc) {

    public static GemmMapping of(LinearProblem p, Pass pass) {
        int batch = p.batch();
        int in = p.inFeatures();
        int out = p.outFeatures();
        return switch (pass) {
            case FWD -> new GemmMapping(true, false, out, batch, in, "w", in, "x", in, "y", out);
            case BWD_DATA -> new GemmMapping(false, false, in, batch, out, "w", in, "dy", out, "dx", in);
            case BWD_FILTER -> new GemmMapping(false, true, in, out, batch, "x", in, "dy", out, "dw", in);
            default -> throw new IllegalArgumentException("linear pass " + pass.label());
        };
    }
}
