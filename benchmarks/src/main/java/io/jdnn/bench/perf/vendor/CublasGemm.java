package io.jdnn.bench.perf.vendor;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.jdnn.bench.perf.vendor.CudaHelpers.checkBlas;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_T;
import static org.bytedeco.cuda.global.cublas.cublasSgemm_v2;

/** The GEMMs of linear layers through {@code cublasSgemm} in column-major form (see {@link GemmMapping}). */
final class CublasGemm extends Family {

    final GemmMapping full;
    final GemmMapping small;

    CublasGemm(CudnnHandles h, GemmMapping full, GemmMapping small) {
        super(h);
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
