package io.jdnn.bench.cpucompare;

import io.jdnn.BatchNormProblem;
import io.jdnn.ConvProblem;
import io.jdnn.PoolProblem;
import io.jdnn.optim.Adam;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference points of the cpu-backend issue, at batch 4, as data: each case names its problem
 * record, whose flop and byte counts turn a time into GFLOP/s or GB/s.
 */
final class Cases {
    private Cases() {
    }

    /** Convolutions: name to canonical problem string. */
    static final Map<String, String> CONVS = new LinkedHashMap<>();

    static {
        CONVS.put("conv3x3", "conv_mb4ic64ih56iw56oc64kh3kw3sh1sw1ph1pw1dh1dw1g1");       // ResNet-50 stage 2
        CONVS.put("conv1x1", "conv_mb4ic64ih56iw56oc256kh1kw1sh1sw1ph0pw0dh1dw1g1");      // ResNet-50 stage 2 expand
        CONVS.put("strided3x3", "conv_mb4ic128ih56iw56oc128kh3kw3sh2sw2ph1pw1dh1dw1g1");  // ResNet-50 stage 3 entry
        CONVS.put("dilated3x3", "conv_mb4ic64ih56iw56oc64kh3kw3sh1sw1ph2pw2dh2dw2g1");    // dilation 2
        CONVS.put("depthwise3x3", "conv_mb4ic144ih56iw56oc144kh3kw3sh1sw1ph1pw1dh1dw1g144"); // MobileNetV2
        CONVS.put("transposed4x4", "deconv_mb4ic256ih8iw8oc128kh4kw4sh2sw2ph1pw1dh1dw1g1oph0opw0"); // DCGAN
    }

    static ConvProblem conv(String name) {
        return ConvProblem.parse(CONVS.get(name));
    }

    /** ResNet stem max pooling. */
    static final PoolProblem MAXPOOL = PoolProblem.parse("maxpool_mb4ic64ih112iw112kh3kw3sh2sw2ph1pw1dh1dw1ceil0");

    /** Batch norm after the ResNet stem. */
    static final BatchNormProblem BN = BatchNormProblem.parse("bn_mb4ic64ih112iw112");

    /** ResNet-50's parameter count. */
    static final int ADAM_PARAMS = 25_557_032;

    static final Adam ADAM = Adam.of(1e-3);

    /** Why ONNX Runtime has no cell for a training pass. */
    static final String ORT_INFERENCE_ONLY = "n/a: inference only (ONNX Runtime's Java API has no training pass)";

    /** The providers compared with jdnn: the column the ratio is taken against is the best of these. */
    static final List<String> PEERS = List.of("djl", "nd4j", "ort");

    /** Every provider, in table order; {@code jdnn-plain} (jdnn without the Vector API kernels) runs only on request. */
    static final List<String> PROVIDERS = List.of("jdnn-vector", "jdnn-plain", "djl", "nd4j", "ort");

    /** Every case parameter: convolutions with ":fwd" or ":train", then the memory-bound ops. */
    static List<String> kases() {
        List<String> all = new ArrayList<>();
        for (String c : CONVS.keySet()) {
            all.add(c + ":fwd");
            all.add(c + ":train");
        }
        all.addAll(List.of("maxpool", "batchnorm", "adam"));
        return all;
    }

    /** The case name of a case parameter: "conv3x3" of "conv3x3:train", "maxpool" of "maxpool". */
    static String name(String kase) {
        return kase.contains(":") ? kase.substring(0, kase.indexOf(':')) : kase;
    }

    /** The pass of a case parameter: "fwd" or "train" for convolutions, "fwd" for the memory-bound ops. */
    static String pass(String kase) {
        return kase.contains(":") ? kase.substring(kase.indexOf(':') + 1) : "fwd";
    }

    /**
     * Why {@code provider} cannot run {@code kase} (a case parameter), or null when it can: these
     * cells are not run at all (a failing fork per cell would cost seconds) and the table prints the
     * reason.
     */
    static String unsupported(String provider, String kase) {
        String name = name(kase);
        return switch (provider) {
            case "djl" -> name.equals("transposed4x4")
                    ? "n/a: DJL 0.35.1's PyTorch engine throws UnsupportedOperationException for Conv2dTranspose" : null;
            case "nd4j" -> name.equals("dilated3x3")
                    ? "n/a: ND4J's oneDNN build cannot create a dilated convolution primitive"
                    : name.equals("batchnorm") ? "n/a: ND4J has no fused training batch norm" : null;
            case "ort" -> pass(kase).equals("train") || name.equals("adam") ? ORT_INFERENCE_ONLY : null;
            default -> null;
        };
    }
}
