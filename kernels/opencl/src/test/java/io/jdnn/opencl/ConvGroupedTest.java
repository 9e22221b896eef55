package io.jdnn.opencl;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;

import java.util.List;

/**
 * GROUPED: local tiles per (image, group) for 2 to 8 image-side channels per group, register tiles
 * of pixels x channels, backward-filter reduced per (output channel, tap) in a fixed tree.
 */
class ConvGroupedTest extends ConvAlgorithmTest {
    @Override
    ConvAlgorithm algorithm() {
        return ConvAlgorithm.GROUPED;
    }

    @Override
    List<String> problems() {
        return List.of(
                "conv_mb1ic8ih6iw5oc8kh3kw3ph1pw1g4",                    // C/G 2, K/G 2, plain 3x3
                "conv_mb2ic6ih7iw9oc2kh3kw3ph1pw1g2",                    // C/G 3, K/G 1
                "conv_mb1ic8ih9iw8oc6kh3kw3sh2sw2ph1pw1g2",              // C/G 4, K/G 3, stride 2
                "conv_mb2ic16ih11iw10oc16kh3kw3ph2pw2dh2dw2g2",          // C/G 8, K/G 8, dilation 2
                "conv_mb1ic16ih6iw6oc2kh3kw3ph1pw1g2",                   // C/G 8, K/G 1
                "conv_mb2ic8ih13iw11oc16kh3kw3sh2sw2ph2pw1dh2dw1g2",     // C/G 4, K/G 8, stride with dilation
                "conv_mb1ic8ih5iw5oc32kh1kw1g2",                         // 1x1, K/G 16: two forward channel blocks
                "conv_mb1ic6ih9iw9oc12kh5kw5ph2pw2g3",                   // 5x5, C/G 2, K/G 4
                "conv_mb2ic8ih10iw12oc8kh2kw5sh1sw2ph0pw2g4",            // rectangular 2x5, stride 1x2
                "conv_mb2ic6ih1iw1oc9kh1kw1g3",                          // 1x1 image
                "conv_mb1ic4ih3iw3oc4kh5kw5ph2pw2g2",                    // kernel larger than the image
                "conv_mb2ic6ih8iw7oc6kh2kw2sh3sw3g2",                    // stride > kernel: pixels nobody reads
                "conv_mb1ic4ih70iw131oc8kh3kw3ph1pw1g2",                 // C/G 2: several tiles each way, none divides
                "conv_mb1ic16ih40iw70oc16kh3kw3ph1pw1g2",                // C/G 8: small tiles, dy staged in blocks
                "conv_mb2ic4ih12iw12oc12kh7kw7ph3pw3g2",                 // 98 taps: 11 tap chunks, 2 channel blocks
                "conv_mb4ic4ih40iw32oc4kh3kw3ph1pw1g2",                  // backward-filter in several splits
                "conv_mb1ic4ih9iw9oc6kh3kw3ph1pw1",                      // groups 1 with 4 channels
                "deconv_mb1ic8ih5iw5oc4kh3kw3sh2sw2ph1pw1g2oph1opw1",    // transposed (C/G 2, K/G 4), bias in bwd-data
                "deconv_mb2ic6ih4iw3oc9kh3kw2sh1sw1ph0pw1dh3dw2oph2opw1g3"); // transposed, output padding >= stride
    }

    @Override
    List<Refusal> refusals() {
        String wide = "conv_mb1ic4ih200iw200oc4kh5kw5dh40dw40g2"; // one output reads a 161x161 window
        String far = "conv_mb1ic4ih3iw3oc4kh1kw1sh2147483647sw1ph2147483647pw0g2"; // rows at 2^32
        return List.of(
                new Refusal("conv_mb1ic4ih8iw8oc4kh3kw3g4", ConvDirection.FORWARD,
                        "needs 2..8 image-side channels per group, got C/G = 4/4 = 1"),
                new Refusal("conv_mb1ic18ih8iw8oc4kh3kw3g2", ConvDirection.BACKWARD_FILTER,
                        "needs 2..8 image-side channels per group, got C/G = 18/2 = 9"),
                // transposed with 2 output channels per group: its direct convolution has one image-side channel
                new Refusal("deconv_mb1ic6ih4iw4oc3kh3kw3g3", ConvDirection.BACKWARD_DATA, "got C/G = 3/3 = 1"),
                new Refusal(wide, ConvDirection.FORWARD, "exceeds the local tile of 4096 floats"),
                new Refusal(wide, ConvDirection.BACKWARD_DATA, "exceeds the local tile of 4096 floats"),
                new Refusal(far, ConvDirection.FORWARD, "the padded rows (P-1)*sh + (R-1)*dh + 1 = 4294967295"),
                new Refusal(far, ConvDirection.BACKWARD_DATA, "H + ph = 2147483650"),
                new Refusal(far, ConvDirection.BACKWARD_FILTER, "must be below 2^31"));
    }

    @Override
    List<String> repeatable() {
        return List.of("conv_mb4ic8ih40iw32oc8kh3kw3sh2sw1ph1pw1g2");
    }
}
