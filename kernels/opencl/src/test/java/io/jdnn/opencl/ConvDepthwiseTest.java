package io.jdnn.opencl;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;

import java.util.List;

/** DEPTHWISE: local tiles per channel plane, backward-filter reduced per (channel, tap) in a fixed tree. */
class ConvDepthwiseTest extends ConvAlgorithmTest {
    @Override
    ConvAlgorithm algorithm() {
        return ConvAlgorithm.DEPTHWISE;
    }

    @Override
    List<String> problems() {
        return List.of(
                "conv_mb1ic6ih6iw5oc6kh3kw3ph1pw1g6",                // plain 3x3
                "conv_mb1ic6ih5iw5oc12kh3kw3ph1pw1g6",               // multiplier 2
                "conv_mb2ic3ih1iw1oc3kh1kw1g3",                      // 1x1 image, 1x1 kernel
                "conv_mb1ic3ih6iw6oc9kh3kw3g3",                      // padding 0, multiplier 3
                "conv_mb2ic4ih11iw9oc8kh3kw3sh2sw2ph2pw2dh2dw2g4",   // stride and dilation, multiplier 2
                "conv_mb2ic3ih8iw7oc3kh2kw2sh3sw3g3",                // stride > kernel: pixels nobody reads
                "conv_mb1ic5ih4iw4oc5kh5kw5ph2pw2g5",                // kernel larger than the image
                "conv_mb1ic2ih70iw131oc2kh3kw3ph1pw1g2",             // planes of several tiles, none divides
                "conv_mb1ic300ih3iw3oc300kh3kw3ph1pw1g300",          // > 256 channels
                "conv_mb3ic2ih20iw30oc2kh7kw7ph3pw3g2",              // 49 taps: two passes of the tap registers
                "conv_mb4ic2ih40iw32oc2kh3kw3ph1pw1g2",              // backward-filter in several splits
                "deconv_mb1ic4ih5iw5oc4kh3kw3sh2sw2ph1pw1g4oph1opw1", // transposed depthwise
                "deconv_mb2ic3ih4iw3oc3kh3kw2sh1sw1ph0pw1dh3dw2oph2opw1g3"); // transposed, output padding >= stride
    }

    @Override
    List<Refusal> refusals() {
        String wide = "conv_mb1ic2ih200iw200oc2kh5kw5dh40dw40g2"; // one output reads a 161x161 window
        return List.of(
                new Refusal("conv_mb1ic4ih8iw8oc4kh3kw3g1", ConvDirection.FORWARD, "needs groups == C"),
                new Refusal("conv_mb1ic4ih8iw8oc4kh3kw3g2", ConvDirection.BACKWARD_FILTER, "got groups=2 for C=4"),
                // transposed with multiplier 2: its direct convolution has 2 image-side channels per group
                new Refusal("deconv_mb1ic3ih4iw4oc6kh3kw3g3", ConvDirection.FORWARD, "got groups=3 for C=6"),
                new Refusal(wide, ConvDirection.FORWARD, "exceeds the local tile of 4096 floats"),
                new Refusal(wide, ConvDirection.BACKWARD_DATA, "exceeds the local tile of 4096 floats"),
                // H + ph = 2^31 + 1: the kernels shift image rows by the padding in 32-bit ints
                new Refusal("conv_mb1ic1ih1073741824iw1oc1kh3kw1sh1073741824sw1ph1073741825pw0",
                        ConvDirection.BACKWARD_DATA, "H + ph = 2147483649 must be below 2^31"));
    }

    @Override
    List<String> repeatable() {
        return List.of("conv_mb4ic2ih40iw32oc4kh3kw3sh2sw1ph1pw1g2");
    }
}
