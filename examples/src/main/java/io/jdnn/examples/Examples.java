package io.jdnn.examples;

import io.jdnn.Device;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/** The training examples by name: the one list {@code jdnn train}, its help and the tests read. */
public final class Examples {
    private static final Map<String, Entry> ALL = new LinkedHashMap<>();

    private record Entry(String description, int defaultBatch, BiFunction<Device, ExampleConfig, Example> make) {
    }

    static {
        ALL.put("lenet", new Entry("LeNet-5 on procedurally drawn digits (1x32x32, 10 classes)", LeNet5.DEFAULT_BATCH, LeNet5::new));
        ALL.put("resnet", new Entry("small ResNet, basic blocks with batch norm, on drawn shapes (3x24x24, 3 classes)", SmallResNet.DEFAULT_BATCH,
                SmallResNet::new));
        ALL.put("dcgan", new Entry("DCGAN generator and discriminator on soft blobs (1x16x16)", Dcgan.DEFAULT_BATCH, Dcgan::new));
        ALL.put("alexnet", new Entry("scaled-down AlexNet (ReLU, LRN, overlapping max pooling) on drawn shapes (3x24x24, 3 classes)",
                AlexNet.DEFAULT_BATCH, AlexNet::new));
        ALL.put("vgg", new Entry("scaled-down VGG, stacks of 3x3 conv + ReLU and max pooling, on drawn shapes (3x24x24, 3 classes)",
                Vgg.DEFAULT_BATCH, Vgg::new));
        ALL.put("googlenet", new Entry("scaled-down GoogLeNet, Inception blocks and LRN, on drawn shapes (3x24x24, 3 classes)",
                GoogLeNet.DEFAULT_BATCH, GoogLeNet::new));
        ALL.put("srnet", new Entry("residual dense super-resolution net with pixel shuffle, 1x8x8 blobs to 1x16x16, MSE",
                SrNet.DEFAULT_BATCH, SrNet::new));
    }

    private Examples() {
    }

    /** lenet, resnet, dcgan, alexnet, vgg, googlenet, srnet. */
    public static List<String> names() {
        return List.copyOf(ALL.keySet());
    }

    /**
     * A one-line description of example {@code name}: the network, the data and the image size; an
     * unknown name throws {@link IllegalArgumentException}.
     */
    public static String description(String name) {
        return entry(name).description();
    }

    /** Images per step when {@link ExampleConfig#batch()} is 0. */
    public static int defaultBatch(String name) {
        return entry(name).defaultBatch();
    }

    /** Builds example {@code name} on {@code device}, its weights drawn now. */
    public static Example create(String name, Device device, ExampleConfig cfg) {
        return entry(name).make().apply(device, cfg);
    }

    private static Entry entry(String name) {
        Entry e = name == null ? null : ALL.get(name);
        if (e == null) {
            throw new IllegalArgumentException("example: expected one of " + names() + ", got '" + name + "'");
        }
        return e;
    }
}
