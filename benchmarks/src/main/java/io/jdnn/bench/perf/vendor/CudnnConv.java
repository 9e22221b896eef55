package io.jdnn.bench.perf.vendor;

import io.jdnn.ConvDirection;
import io.jdnn.bench.perf.vendor.CudaHelpers.Buf;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdDataAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdFilterAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import org.bytedeco.javacpp.Pointer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.jdnn.bench.perf.vendor.CudaHelpers.checkCuda;
import static io.jdnn.bench.perf.vendor.CudaHelpers.checkDnn;
import static io.jdnn.bench.perf.vendor.CudaHelpers.freeBytes;
import static org.bytedeco.cuda.global.cudart.cudaDeviceSynchronize;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DETERMINISTIC;
import static org.bytedeco.cuda.global.cudnn.CUDNN_FMA_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_OP_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
import static org.bytedeco.cuda.global.cudnn.cudnnFindConvolutionBackwardDataAlgorithmEx;
import static org.bytedeco.cuda.global.cudnn.cudnnFindConvolutionBackwardFilterAlgorithmEx;
import static org.bytedeco.cuda.global.cudnn.cudnnFindConvolutionForwardAlgorithmEx;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionBackwardDataAlgorithmMaxCount;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionBackwardFilterAlgorithmMaxCount;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionForwardAlgorithmMaxCount;

/**
 * Convolution through cuDNN: {@code cudnnFind...AlgorithmEx} ranks every algorithm cuDNN has for
 * the pass on real buffers, and the {@value #CANDIDATES} fastest that run with the baseline's math
 * type (and determinism) become the kernels to verify and time.
 */
// cuDNN 9 marks its descriptor-based ("legacy") API deprecated in favour of the graph API; it still
// ships it, cudnnFind* is where its algorithm search lives, and it is what the baseline means here.
@SuppressWarnings("deprecation")
final class CudnnConv extends Family {

    /** Find's fastest algorithms that are verified and timed. */
    static final int CANDIDATES = 3;
    /** Largest workspace offered to cudnnFind. */
    static final long MAX_WORKSPACE = 1L << 30;

    /** One entry of cudnnFind's result. */
    private record Found(int algo, int mathType, long memory, float time, int determinism) {
    }

    final ConvMapping full;
    final ConvMapping small;
    final ConvDescriptors fullDescs;
    final ConvDescriptors smallDescs;
    final List<Buf> workspaces = new ArrayList<>();

    CudnnConv(CudnnHandles h, ConvMapping full, ConvMapping small) {
        super(h);
        this.full = full;
        this.small = small;
        ConvDescriptors f = new ConvDescriptors(h, full.conv());
        try {
            this.smallDescs = new ConvDescriptors(h, small.conv());
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
        ConvDescriptors d = fullDescs;
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
}
