package io.jdnn.bench.perf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named suites of {@code jdnn bench}, as data: each entry is a name and a problem string (read
 * by the API's parsers, so every size, flop and byte count comes from the problem records). The
 * batch in each string is the suite's batch; {@code --batch} replaces it. {@code jdnn bench --list}
 * prints this table, and docs/bench.md holds that output.
 *
 * <p>Layer shapes follow the published networks at 224x224 input (ResNet-50 v1.5 as torchvision
 * builds it, with the stride on the 3x3; VGG-16 configuration D; MobileNetV2 width 1.0;
 * ResNeXt-50 32x4d; the DCGAN generator with ngf = 64; DeepLabv3 on ResNet-101 at output stride 8
 * with a 513x513 crop, so 65x65 feature maps).
 */
public final class Suites {
    private Suites() {
    }

    /** ResNet-50's parameter count (torchvision resnet50). */
    public static final long RESNET50_PARAMETERS = 25_557_032L;
    /** VGG-16's parameter count (torchvision vgg16). */
    public static final long VGG16_PARAMETERS = 138_357_544L;

    /** One named problem of a suite. */
    public record Entry(String name, String problem, long parameters) {
        /** The parsed problem. */
        public BenchProblem parse() {
            return BenchProblem.parse(problem, parameters);
        }
    }

    /** A suite: its name, what it holds and where its batch size comes from, and its entries. */
    public record Suite(String name, String description, List<Entry> entries) {
        public Suite {
            entries = List.copyOf(entries);
        }
    }

    /** The suite {@code jdnn bench} runs when given no problem and no suite. */
    public static final String DEFAULT = "quick";

    private static final Map<String, Suite> SUITES = new LinkedHashMap<>();

    static {
        add("quick", "The default: one problem of each kind, small enough that every algorithm (the naive DIRECT "
                        + "too) is verified and timed in about a minute on a 2-core CPU",
                e("cifar_3x3", "conv_mb8ic16ih32oc16kh3ph1"),
                e("res2_1x1", "conv_mb1ic64ih56oc64kh1"),
                e("mbv2_dw3x3s2", "conv_mb1ic96ih112oc96kh3sh2ph1g96"),
                e("dcgan_g5_deconv", "deconv_mb4ic64ih32oc3kh4sh2ph1"),
                e("resnet50_fc", "linear_mb8ic2048oc1000"),
                e("resnet50_maxpool", "maxpool_mb4ic64ih112kh3sh2ph1"),
                e("res2_bn", "bn_mb4ic256ih56"),
                opt("adam_resnet50", "adam_lr=0.001", RESNET50_PARAMETERS));

        add("resnet50", "ResNet-50 v1.5 (torchvision), batch 32: the 7x7/2 stem, every 1x1 and 3x3 layer of each stage "
                        + "(stride 2 on the first 3x3 of stages 3-5), the strided 1x1 shortcuts, the classifier",
                e("conv1_7x7s2", "conv_mb32ic3ih224oc64kh7sh2ph3"),
                e("res2_1x1_reduce", "conv_mb32ic64ih56oc64kh1"),
                e("res2_3x3", "conv_mb32ic64ih56oc64kh3ph1"),
                e("res2_1x1_expand", "conv_mb32ic64ih56oc256kh1"),
                e("res2_1x1_reduce_b", "conv_mb32ic256ih56oc64kh1"),
                e("res3_1x1_reduce_a", "conv_mb32ic256ih56oc128kh1"),
                e("res3_3x3s2", "conv_mb32ic128ih56oc128kh3sh2ph1"),
                e("res3_3x3", "conv_mb32ic128ih28oc128kh3ph1"),
                e("res3_1x1_expand", "conv_mb32ic128ih28oc512kh1"),
                e("res3_1x1_reduce", "conv_mb32ic512ih28oc128kh1"),
                e("res3_shortcut_s2", "conv_mb32ic256ih56oc512kh1sh2"),
                e("res4_1x1_reduce_a", "conv_mb32ic512ih28oc256kh1"),
                e("res4_3x3s2", "conv_mb32ic256ih28oc256kh3sh2ph1"),
                e("res4_3x3", "conv_mb32ic256ih14oc256kh3ph1"),
                e("res4_1x1_expand", "conv_mb32ic256ih14oc1024kh1"),
                e("res4_1x1_reduce", "conv_mb32ic1024ih14oc256kh1"),
                e("res4_shortcut_s2", "conv_mb32ic512ih28oc1024kh1sh2"),
                e("res5_1x1_reduce_a", "conv_mb32ic1024ih14oc512kh1"),
                e("res5_3x3s2", "conv_mb32ic512ih14oc512kh3sh2ph1"),
                e("res5_3x3", "conv_mb32ic512ih7oc512kh3ph1"),
                e("res5_1x1_expand", "conv_mb32ic512ih7oc2048kh1"),
                e("res5_1x1_reduce", "conv_mb32ic2048ih7oc512kh1"),
                e("res5_shortcut_s2", "conv_mb32ic1024ih14oc2048kh1sh2"),
                e("fc", "linear_mb32ic2048oc1000"));

        add("vgg16", "VGG-16 (configuration D), batch 64 as in convnet-benchmarks: the distinct 3x3 layers and the "
                        + "three fully connected layers",
                e("conv1_1", "conv_mb64ic3ih224oc64kh3ph1"),
                e("conv1_2", "conv_mb64ic64ih224oc64kh3ph1"),
                e("conv2_1", "conv_mb64ic64ih112oc128kh3ph1"),
                e("conv2_2", "conv_mb64ic128ih112oc128kh3ph1"),
                e("conv3_1", "conv_mb64ic128ih56oc256kh3ph1"),
                e("conv3_2", "conv_mb64ic256ih56oc256kh3ph1"),
                e("conv4_1", "conv_mb64ic256ih28oc512kh3ph1"),
                e("conv4_2", "conv_mb64ic512ih28oc512kh3ph1"),
                e("conv5_x", "conv_mb64ic512ih14oc512kh3ph1"),
                e("fc6", "linear_mb64ic25088oc4096"),
                e("fc7", "linear_mb64ic4096oc4096"),
                e("fc8", "linear_mb64ic4096oc1000"));

        add("mobilenet_v2", "MobileNetV2 (width 1.0), batch 96 as in the paper: every distinct depthwise 3x3 "
                        + "(stride 1 and 2) and 1x1 layer, named by the output channels of their bottleneck stage",
                e("c16_dw3x3", "conv_mb96ic32ih112oc32kh3ph1g32"),
                e("c16_1x1_project", "conv_mb96ic32ih112oc16kh1"),
                e("c24_1x1_expand", "conv_mb96ic16ih112oc96kh1"),
                e("c24_dw3x3s2", "conv_mb96ic96ih112oc96kh3sh2ph1g96"),
                e("c24_1x1_project", "conv_mb96ic96ih56oc24kh1"),
                e("c24_1x1_expand_b", "conv_mb96ic24ih56oc144kh1"),
                e("c24_dw3x3", "conv_mb96ic144ih56oc144kh3ph1g144"),
                e("c24_1x1_project_b", "conv_mb96ic144ih56oc24kh1"),
                e("c32_dw3x3s2", "conv_mb96ic144ih56oc144kh3sh2ph1g144"),
                e("c32_1x1_project", "conv_mb96ic144ih28oc32kh1"),
                e("c32_1x1_expand", "conv_mb96ic32ih28oc192kh1"),
                e("c32_dw3x3", "conv_mb96ic192ih28oc192kh3ph1g192"),
                e("c32_1x1_project_b", "conv_mb96ic192ih28oc32kh1"),
                e("c64_dw3x3s2", "conv_mb96ic192ih28oc192kh3sh2ph1g192"),
                e("c64_1x1_project", "conv_mb96ic192ih14oc64kh1"),
                e("c64_1x1_expand", "conv_mb96ic64ih14oc384kh1"),
                e("c64_dw3x3", "conv_mb96ic384ih14oc384kh3ph1g384"),
                e("c64_1x1_project_b", "conv_mb96ic384ih14oc64kh1"),
                e("c96_1x1_project", "conv_mb96ic384ih14oc96kh1"),
                e("c96_1x1_expand", "conv_mb96ic96ih14oc576kh1"),
                e("c96_dw3x3", "conv_mb96ic576ih14oc576kh3ph1g576"),
                e("c96_1x1_project_b", "conv_mb96ic576ih14oc96kh1"),
                e("c160_dw3x3s2", "conv_mb96ic576ih14oc576kh3sh2ph1g576"),
                e("c160_1x1_project", "conv_mb96ic576ih7oc160kh1"),
                e("c160_1x1_expand", "conv_mb96ic160ih7oc960kh1"),
                e("c160_dw3x3", "conv_mb96ic960ih7oc960kh3ph1g960"),
                e("c160_1x1_project_b", "conv_mb96ic960ih7oc160kh1"),
                e("c320_1x1_project", "conv_mb96ic960ih7oc320kh1"),
                e("head_1x1", "conv_mb96ic320ih7oc1280kh1"));

        add("resnext", "ResNeXt-50 32x4d, batch 32: the grouped 3x3 layers (32 groups) of each stage, stride 1 and 2",
                e("conv2_3x3g32", "conv_mb32ic128ih56oc128kh3ph1g32"),
                e("conv3_3x3g32s2", "conv_mb32ic256ih56oc256kh3sh2ph1g32"),
                e("conv3_3x3g32", "conv_mb32ic256ih28oc256kh3ph1g32"),
                e("conv4_3x3g32s2", "conv_mb32ic512ih28oc512kh3sh2ph1g32"),
                e("conv4_3x3g32", "conv_mb32ic512ih14oc512kh3ph1g32"),
                e("conv5_3x3g32s2", "conv_mb32ic1024ih14oc1024kh3sh2ph1g32"),
                e("conv5_3x3g32", "conv_mb32ic1024ih7oc1024kh3ph1g32"));

        add("dcgan", "DCGAN generator (ngf 64, 64x64 images), batch 128 as in the paper: the four transposed 4x4/2 layers",
                e("g2_deconv", "deconv_mb128ic512ih4oc256kh4sh2ph1"),
                e("g3_deconv", "deconv_mb128ic256ih8oc128kh4sh2ph1"),
                e("g4_deconv", "deconv_mb128ic128ih16oc64kh4sh2ph1"),
                e("g5_deconv", "deconv_mb128ic64ih32oc3kh4sh2ph1"));

        add("deeplab", "DeepLabv3 (ResNet-101, output stride 8, 513x513 crop), batch 16 as in the paper: "
                        + "atrous 3x3 with dilation 2 (block 3), 4 (block 4) and 12 (ASPP)",
                e("block3_3x3_d2", "conv_mb16ic256ih65oc256kh3ph2dh2"),
                e("block4_3x3_d4", "conv_mb16ic512ih65oc512kh3ph4dh4"),
                e("aspp_3x3_d12", "conv_mb16ic2048ih65oc256kh3ph12dh12"));

        add("pooling", "Pooling layers of the networks above at their batch sizes",
                e("resnet50_maxpool", "maxpool_mb32ic64ih112kh3sh2ph1"),
                e("resnet50_avgpool", "adaptiveavgpool_mb32ic2048ih7oh1"),
                e("vgg16_maxpool", "maxpool_mb64ic64ih224kh2sh2"),
                e("googlenet_maxpool_ceil", "maxpool_mb32ic64ih112kh3sh2ceil1"),
                e("inception_avgpool", "avgpool_mb32ic192ih35kh3sh1ph1"));

        add("batchnorm", "ResNet-50's batch-norm shapes, batch 32",
                e("bn1", "bn_mb32ic64ih112"),
                e("res2_bn", "bn_mb32ic256ih56"),
                e("res3_bn", "bn_mb32ic512ih28"),
                e("res4_bn", "bn_mb32ic1024ih14"),
                e("res5_bn", "bn_mb32ic2048ih7"));

        add("tensor", "Tensor ops of the networks above, batch 32: Inception's and DenseNet's channel concat, "
                        + "NCHW to NHWC, a bias add, a residual add and a squeeze-and-excitation scale",
                e("googlenet_inception3b_concat", "cat_axis1_y=32x480x28x28_sizes=128x192x96x64"),
                e("densenet121_block1_concat", "cat_axis1_y=32x256x56x56_sizes=224x32"),
                e("nchw_to_nhwc", "permute_x=32x256x56x56_dims=0x2x3x1"),
                e("bias_add", "add_a=32x256x56x56_b=256x1x1"),
                e("residual_add", "add_a=32x256x56x56_b=32x256x56x56"),
                e("se_scale", "mul_a=32x256x56x56_b=32x256x1x1"));
        add("resample", "Resampling and padding of common networks: FPN's 2x nearest upsampling (batch 8), "
                        + "DeepLabv3's bilinear logits upsampling (21 classes, 65 to 513, align_corners; batch 16), "
                        + "EDSR's x2 pixel shuffle (batch 16), YOLOv5's space-to-depth (batch 16), CycleGAN's "
                        + "reflect pads (batch 4) and a TensorFlow 'SAME' zero pad (batch 32)",
                e("fpn_nearest_2x", "resizenearest_mb8ic256ih50oh100"),
                e("deeplab_bilinear_logits", "resizebilinear_mb16ic21ih65oh513_ac=1"),
                e("unet_bilinear_2x", "resizebilinear_mb16ic128ih64oh128"),
                e("edsr_pixelshuffle_x2", "pixelshuffle_mb16ic256ih48r2"),
                e("yolov5_focus_unshuffle", "pixelunshuffle_mb16ic3ih640r2"),
                e("cyclegan_reflectpad3", "reflectpad_mb4ic3ih256_pad=3x3x3x3"),
                e("cyclegan_res_reflectpad1", "reflectpad_mb4ic256ih64_pad=1x1x1x1"),
                e("tf_same_zeropad", "constpad_mb32ic3ih224_pad=0x1x0x1"));
        add("norm", "Local response norm of AlexNet (batch 128), group norm of a ResNet-50 (32 groups, batch 32), "
                        + "instance norm of a style-transfer net and BERT-base's layer norm (4096 tokens) as group norm",
                e("alexnet_lrn1", "lrn_mb128ic96ih55ls5_alpha=0.0001_beta=0.75_k=2"),
                e("alexnet_lrn2", "lrn_mb128ic256ih27ls5_alpha=0.0001_beta=0.75_k=2"),
                e("res2_gn", "gn_mb32ic256ih56g32"),
                e("res4_gn", "gn_mb32ic1024ih14g32"),
                e("style_in", "gn_mb4ic128ih128g128"),
                e("bert_ln", "gn_mb4096ic768g1"));

        List<Entry> optimizers = new ArrayList<>();
        String[][] rules = {
                {"sgd", "sgd_lr=0.1_momentum=0.9_weight_decay=0.0001"},
                {"adagrad", "adagrad_lr=0.01"},
                {"rmsprop", "rmsprop_lr=0.01_momentum=0.9"},
                {"adam", "adam_lr=0.001"},
                {"adamw", "adamw_lr=0.001_weight_decay=0.01"},
                {"adadelta", "adadelta_lr=1"},
        };
        for (String[] r : rules) {
            optimizers.add(opt(r[0] + "_resnet50", r[1], RESNET50_PARAMETERS));
            optimizers.add(opt(r[0] + "_vgg16", r[1], VGG16_PARAMETERS));
        }
        add("optimizers", "Every optimizer rule over ResNet-50's 25,557,032 and VGG-16's 138,357,544 parameters",
                optimizers.toArray(Entry[]::new));
    }

    private static Entry e(String name, String problem) {
        return new Entry(name, BenchProblem.parse(problem, 0).canonical(), 0);
    }

    /** The rule string as written here (its canonical form does not always read back: see BenchProblem.Step). */
    private static Entry opt(String name, String rule, long parameters) {
        BenchProblem.parse(rule, parameters);
        return new Entry(name, rule, parameters);
    }

    private static void add(String name, String description, Entry... entries) {
        SUITES.put(name, new Suite(name, description, List.of(entries)));
    }

    /** Every suite, {@code quick} first; {@code all} is not among them (it is every suite but quick). */
    public static List<Suite> all() {
        return List.copyOf(SUITES.values());
    }

    /** The names {@code --suite} accepts: each suite's and {@code all}. */
    public static List<String> names() {
        List<String> out = new ArrayList<>(SUITES.keySet());
        out.add("all");
        return out;
    }

    /** The suites a {@code --suite} value names: one suite, or for {@code all} every suite but quick. */
    public static List<Suite> resolve(String name) {
        if (name.equals("all")) {
            List<Suite> out = new ArrayList<>();
            for (Suite s : SUITES.values()) {
                if (!s.name().equals(DEFAULT)) {
                    out.add(s);
                }
            }
            return out;
        }
        Suite s = SUITES.get(name);
        if (s == null) {
            throw new IllegalArgumentException("--suite: expected one of " + names() + ", got '" + name + "'");
        }
        return List.of(s);
    }
}
