package io.jdnn.opencl;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;

import io.jdnn.ConvProblem;
import io.jdnn.DirectConv;
import io.jdnn.kernels.WinogradConvAlgorithm;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * WINOGRAD: F(4x4,3x3) forward and backward-data (transforms + 36 batched GEMMs; backward-data as the rotated
 * forward), F(2x2,3x3) backward-filter by the chain rule (16 GEMMs).
 */
class ConvWinogradTest extends ConvAlgorithmTest {
    @Override
    ConvAlgorithm algorithm() {
        return ConvAlgorithm.WINOGRAD;
    }

    @Override
    List<String> problems() {
        return List.of(
                "conv_mb2ic3ih7iw9oc5kh3kw3ph1pw1",                 // odd sizes: half tiles at the edges
                "conv_mb1ic2ih1iw1oc3kh3kw3ph1pw1",                 // 1x1 image
                "conv_mb1ic2ih3iw3oc2kh3kw3",                       // 1x1 output, padding 0
                "conv_mb3ic70ih13iw11oc67kh3kw3ph0pw2",             // primes, padding 0 and 2
                "conv_mb2ic4ih10iw10oc4kh3kw3ph3pw3",               // padding 3: backward-data pads by -1
                "conv_mb2ic8ih9iw10oc6kh3kw3ph2pw0g2",              // groups
                "conv_mb1ic6ih5iw5oc12kh3kw3ph1pw1g6",              // depthwise, multiplier 2
                "conv_mb1ic300ih3iw3oc2kh3kw3ph1pw1",               // > 256 channels (2700-term reduction)
                "conv_mb5ic2ih12iw12oc3kh3kw3ph1pw1",               // backward-filter over 180 tiles
                "conv_mb1ic4ih17iw18oc5kh3kw3ph1pw1",               // F(4x4): 5x5 tiles, the last row and column partial
                "deconv_mb2ic4ih5iw6oc6kh3kw3ph1pw1g2",             // transposed, groups
                "deconv_mb1ic3ih4iw7oc5kh3kw3");                    // transposed, padding 0 (forward pad 2)
    }

    @Override
    List<Refusal> refusals() {
        return List.of(
                new Refusal("conv_mb1ic2ih9iw9oc2kh5kw3", ConvDirection.FORWARD, "needs a 3x3 kernel, got 5x3"),
                new Refusal("conv_mb1ic2ih9iw9oc2kh3kw3sh2sw1", ConvDirection.BACKWARD_DATA,
                        "stride 2x1: Winograd F(4x4,3x3) and F(2x2,3x3) need stride 1"),
                new Refusal("conv_mb1ic2ih9iw9oc2kh3kw3dh2dw2", ConvDirection.BACKWARD_FILTER,
                        "dilation 2x2: Winograd F(4x4,3x3) and F(2x2,3x3) need dilation 1"),
                new Refusal("deconv_mb1ic2ih9iw9oc2kh3kw3sh2sw2", ConvDirection.FORWARD, "need stride 1"),
                // 36*(1024+1024) channels x 128*128 tiles: 4.5 GiB of transformed tiles for one image
                new Refusal("conv_mb1ic1024ih512iw512oc1024kh3kw3ph1pw1", ConvDirection.FORWARD, "budget"));
    }

    /**
     * A budget of F(2x2)'s transformed filter plus two images' F(2x2) transformed tiles: backward-filter
     * runs 5 images in chunks of 2, 2, 1 and accumulates them with beta = 1; F(4x4)'s transformed
     * tiles are smaller (36 per 4x4 outputs against 16 per 2x2), 2 images of them fit too (2.85 for
     * both problems), so forward and backward-data run in chunks of 2, 2, 1 as well.
     */
    @Test
    void chunksOfImagesMatchTheReference() {
        for (String text : List.of("conv_mb5ic4ih9iw8oc6kh3kw3ph1pw1g2", "conv_mb5ic3ih6iw11oc2kh3kw3ph2pw0")) {
            DirectConv c = ConvProblem.parse(text).direct();
            long filter = 16L * c.k() * c.cPerGroup();
            long tiles = (long) Math.max((c.p() + 1) / 2 * ((c.q() + 1) / 2), (c.h() + 1) / 2 * ((c.w() + 1) / 2));
            long perImage = 16L * (c.c() + c.k()) * tiles;
            checkInstance(new WinogradConvAlgorithm((filter + 2 * perImage) * Float.BYTES), text);
        }
    }

    @Override
    List<String> repeatable() {
        return List.of("conv_mb3ic6ih9iw8oc4kh3kw3ph1pw1g2");
    }
}
