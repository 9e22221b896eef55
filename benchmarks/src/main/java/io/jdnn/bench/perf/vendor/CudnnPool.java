package io.jdnn.bench.perf.vendor;

import io.jdnn.PoolProblem;
import io.jdnn.bench.perf.BenchProblem;
import io.jdnn.bench.perf.vendor.CudaHelpers.Buf;
import org.bytedeco.cuda.cudnn.cudnnPoolingStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.javacpp.Pointer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.jdnn.bench.perf.vendor.CudaHelpers.checkDnn;
import static io.jdnn.bench.perf.vendor.CudaHelpers.set4d;
import static org.bytedeco.cuda.global.cudnn.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
import static org.bytedeco.cuda.global.cudnn.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING;
import static org.bytedeco.cuda.global.cudnn.CUDNN_POOLING_MAX;
import static org.bytedeco.cuda.global.cudnn.CUDNN_POOLING_MAX_DETERMINISTIC;
import static org.bytedeco.cuda.global.cudnn.CUDNN_PROPAGATE_NAN;
import static org.bytedeco.cuda.global.cudnn.cudnnCreatePoolingDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnCreateTensorDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyPoolingDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyTensorDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnGetPooling2dForwardOutputDim;
import static org.bytedeco.cuda.global.cudnn.cudnnPoolingBackward;
import static org.bytedeco.cuda.global.cudnn.cudnnPoolingForward;
import static org.bytedeco.cuda.global.cudnn.cudnnSetPooling2dDescriptor;

/**
 * Max, average and adaptive average pooling (an adaptive one whose output divides the input, as a
 * fixed window) through the legacy cudnnPooling* calls; the backward pass keeps each set's forward output.
 */
// cuDNN 9 marks its descriptor-based ("legacy") API deprecated in favour of the graph API; it still
// ships it, and it is what the baseline means here.
@SuppressWarnings("deprecation")
final class CudnnPool extends Family {

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

    CudnnPool(CudnnHandles h, PoolProblem full, PoolProblem small, BenchProblem.Pass pass) {
        super(h);
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
