package io.jdnn.bench.perf.vendor;

import io.jdnn.BatchNormProblem;
import io.jdnn.bench.perf.BenchProblem;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.javacpp.Pointer;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.jdnn.bench.perf.vendor.CudaHelpers.checkDnn;
import static io.jdnn.bench.perf.vendor.CudaHelpers.set4d;
import static org.bytedeco.cuda.global.cudnn.CUDNN_BATCHNORM_SPATIAL;
import static org.bytedeco.cuda.global.cudnn.cudnnBatchNormalizationBackward;
import static org.bytedeco.cuda.global.cudnn.cudnnBatchNormalizationForwardInference;
import static org.bytedeco.cuda.global.cudnn.cudnnBatchNormalizationForwardTraining;
import static org.bytedeco.cuda.global.cudnn.cudnnCreateTensorDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDeriveBNTensorDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyTensorDescriptor;

/** Batch norm (training and inference forward, backward) through the legacy cudnnBatchNormalization* calls, spatial mode. */
// cuDNN 9 marks its descriptor-based ("legacy") API deprecated in favour of the graph API; it still
// ships it, and it is what the baseline means here.
@SuppressWarnings("deprecation")
final class CudnnBatchNorm extends Family {

    final BatchNormProblem full;
    final BatchNormProblem small;
    final BenchProblem.Pass pass;
    final cudnnTensorStruct x = new cudnnTensorStruct();
    final cudnnTensorStruct c = new cudnnTensorStruct();
    final cudnnTensorStruct xs = new cudnnTensorStruct();
    final cudnnTensorStruct cs = new cudnnTensorStruct();

    CudnnBatchNorm(CudnnHandles h, BatchNormProblem full, BatchNormProblem small, BenchProblem.Pass pass) {
        super(h);
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
