package io.jdnn.bench.perf.vendor;

import io.jdnn.ConvDirection;
import io.jdnn.DirectConv;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;

import java.util.Map;
import java.util.Optional;

import static io.jdnn.bench.perf.vendor.CudaHelpers.checkDnn;
import static org.bytedeco.cuda.global.cudnn.CUDNN_CROSS_CORRELATION;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DATA_FLOAT;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_FMA_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_NCHW;
import static org.bytedeco.cuda.global.cudnn.cudnnConvolutionBackwardData;
import static org.bytedeco.cuda.global.cudnn.cudnnConvolutionBackwardFilter;
import static org.bytedeco.cuda.global.cudnn.cudnnConvolutionForward;
import static org.bytedeco.cuda.global.cudnn.cudnnCreateConvolutionDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnCreateFilterDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnCreateTensorDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyConvolutionDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyFilterDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyTensorDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolution2dForwardOutputDim;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionBackwardDataWorkspaceSize;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize;
import static org.bytedeco.cuda.global.cudnn.cudnnGetConvolutionForwardWorkspaceSize;
import static org.bytedeco.cuda.global.cudnn.cudnnSetConvolution2dDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnSetConvolutionGroupCount;
import static org.bytedeco.cuda.global.cudnn.cudnnSetConvolutionMathType;
import static org.bytedeco.cuda.global.cudnn.cudnnSetFilter4dDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnSetTensor4dDescriptor;

/** The four cuDNN descriptors of one direct convolution (image, response, filter, convolution). */
// cuDNN 9 marks its descriptor-based ("legacy") API deprecated in favour of the graph API; it still
// ships it, cudnnFind* is where its algorithm search lives, and it is what the baseline means here.
@SuppressWarnings("deprecation")
final class ConvDescriptors implements AutoCloseable {

    final cudnnTensorStruct image = new cudnnTensorStruct();
    final cudnnTensorStruct response = new cudnnTensorStruct();
    final cudnnFilterStruct filter = new cudnnFilterStruct();
    final cudnnConvolutionStruct conv = new cudnnConvolutionStruct();
    private final cudnnContext dnn;
    private final FloatPointer one;
    private final FloatPointer zero;
    private int created;

    /** Creates and sets the descriptors of {@code d} with the baseline's math type (FMA, or DEFAULT with TF32). */
    ConvDescriptors(CudnnHandles h, DirectConv d) {
        this.dnn = h.dnn;
        this.one = h.one;
        this.zero = h.zero;
        checkDnn(cudnnCreateTensorDescriptor(image), "cudnnCreateTensorDescriptor");
        created = 1;
        checkDnn(cudnnCreateTensorDescriptor(response), "cudnnCreateTensorDescriptor");
        created = 2;
        checkDnn(cudnnCreateFilterDescriptor(filter), "cudnnCreateFilterDescriptor");
        created = 3;
        checkDnn(cudnnCreateConvolutionDescriptor(conv), "cudnnCreateConvolutionDescriptor");
        created = 4;
        checkDnn(cudnnSetTensor4dDescriptor(image, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, d.n(), d.c(), d.h(), d.w()),
                "cudnnSetTensor4dDescriptor(x)");
        checkDnn(cudnnSetTensor4dDescriptor(response, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, d.n(), d.k(), d.p(), d.q()),
                "cudnnSetTensor4dDescriptor(y)");
        checkDnn(cudnnSetFilter4dDescriptor(filter, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, d.k(), d.cPerGroup(), d.r(), d.s()),
                "cudnnSetFilter4dDescriptor");
        checkDnn(cudnnSetConvolution2dDescriptor(conv, d.padH(), d.padW(), d.strideH(), d.strideW(), d.dilationH(),
                d.dilationW(), CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT), "cudnnSetConvolution2dDescriptor");
        checkDnn(cudnnSetConvolutionGroupCount(conv, d.groups()), "cudnnSetConvolutionGroupCount");
        mathType(h.tf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH);
    }

    /** Sets the math type cuDNN may use (FMA, DEFAULT, tensor op). */
    void mathType(int m) {
        checkDnn(cudnnSetConvolutionMathType(conv, m), "cudnnSetConvolutionMathType");
    }

    /** Empty when cuDNN derives the same response size as jdnn. */
    Optional<String> check(DirectConv d) {
        int[] n = {0};
        int[] c = {0};
        int[] h = {0};
        int[] w = {0};
        checkDnn(cudnnGetConvolution2dForwardOutputDim(conv, image, filter, n, c, h, w),
                "cudnnGetConvolution2dForwardOutputDim");
        if (n[0] != d.n() || c[0] != d.k() || h[0] != d.p() || w[0] != d.q()) {
            return Optional.of("cuDNN derives the output " + n[0] + "x" + c[0] + "x" + h[0] + "x" + w[0] + ", jdnn "
                    + d.n() + "x" + d.k() + "x" + d.p() + "x" + d.q() + " (output padding of at least the stride)");
        }
        return Optional.empty();
    }

    /** The workspace bytes {@code algo} needs, or -1 when cuDNN cannot run it here. */
    long workspace(ConvDirection call, int algo) {
        SizeTPointer size = new SizeTPointer(1);
        try {
            int st = switch (call) {
                case FORWARD -> cudnnGetConvolutionForwardWorkspaceSize(dnn, image, filter, conv, response, algo, size);
                case BACKWARD_DATA -> cudnnGetConvolutionBackwardDataWorkspaceSize(dnn, filter, response, conv, image,
                        algo, size);
                case BACKWARD_FILTER -> cudnnGetConvolutionBackwardFilterWorkspaceSize(dnn, image, response, conv,
                        filter, algo, size);
            };
            return st == CUDNN_STATUS_SUCCESS ? size.get() : -1;
        } finally {
            size.close();
        }
    }

    /** One run of {@code algo}. */
    int run(ConvMapping m, int algo, Map<String, Pointer> b, Pointer ws, long wsBytes) {
        Pointer img = b.get(m.image());
        Pointer flt = b.get(m.filter());
        Pointer rsp = b.get(m.response());
        return switch (m.call()) {
            case FORWARD -> cudnnConvolutionForward(dnn, one, image, img, filter, flt, conv, algo, ws, wsBytes, zero,
                    response, rsp);
            case BACKWARD_DATA -> cudnnConvolutionBackwardData(dnn, one, filter, flt, response, rsp, conv, algo, ws,
                    wsBytes, zero, image, img);
            case BACKWARD_FILTER -> cudnnConvolutionBackwardFilter(dnn, one, image, img, response, rsp, conv, algo, ws,
                    wsBytes, zero, filter, flt);
        };
    }

    @Override
    public void close() {
        if (created >= 4) {
            cudnnDestroyConvolutionDescriptor(conv);
        }
        if (created >= 3) {
            cudnnDestroyFilterDescriptor(filter);
        }
        if (created >= 2) {
            cudnnDestroyTensorDescriptor(response);
        }
        if (created >= 1) {
            cudnnDestroyTensorDescriptor(image);
        }
    }
}
