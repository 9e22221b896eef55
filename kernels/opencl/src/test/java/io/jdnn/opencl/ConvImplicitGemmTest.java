package io.jdnn.opencl;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DeviceOptions;
import io.jdnn.kernels.ImplicitGemmConvAlgorithm;
import io.jdnn.kernels.ImplicitGemmConvAlgorithm.Tiles;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/** IMPLICIT_GEMM: gathered tiles, stride classes in backward-data, split reduction in backward-filter. */
class ConvImplicitGemmTest extends ConvAlgorithmTest {
    @Override
    ConvAlgorithm algorithm() {
        return ConvAlgorithm.IMPLICIT_GEMM;
    }

    @Override
    List<String> problems() {
        return GENERAL;
    }

    @Override
    List<Refusal> refusals() {
        // 40000 images of 256x256: 2.6e9 output pixels, past the kernels' 32-bit GEMM rows
        return List.of(new Refusal("conv_mb40000ic1ih256iw256oc1kh1kw1", ConvDirection.FORWARD, "below 2^31"),
                new Refusal("conv_mb40000ic1ih256iw256oc1kh1kw1", ConvDirection.BACKWARD_FILTER, "below 2^31"));
    }

    @Override
    List<String> repeatable() {
        // backward-filter reduces 720 terms per weight in three splits on a small device
        return List.of("conv_mb5ic4ih12iw12oc6kh3kw3sh2sw1ph1pw1g2", "conv_mb5ic2ih12iw12oc3kh3kw3ph1pw1");
    }

    /**
     * Problems every tile shape runs in every direction (the heuristic picks small tiles for
     * PoCL's small problems, so each shape is forced here). No extent is a multiple of any tile.
     */
    static final List<String> EVERY_TILE = List.of(
            "conv_mb1ic5ih17iw19oc130kh3kw3sh2sw1ph1pw1",        // fwd 171 x 130 x 45: 2 x 2 tiles of 128; stride 2x1
            "conv_mb2ic130ih13iw11oc3kh3kw3ph1pw1",              // bwd-data 286 x 130, fwd reduction 1170, bwd-filter 1170 rows
            "conv_mb1ic4ih11iw9oc6kh3kw3sh2sw2ph2pw2dh2dw2g2",   // dilation with stride and padding, groups
            "conv_mb2ic8ih9iw10oc6kh4kw3sh3sw2ph2pw0dh2dw1g2",   // stride classes with dilation, groups
            "conv_mb1ic6ih5iw5oc12kh3kw3ph1pw1g6",               // depthwise, multiplier 2
            "conv_mb5ic2ih12iw12oc3kh3kw3ph1pw1");               // backward-filter: 720 terms in 3 splits

    @Test
    void everyTileShapeMatchesTheReferenceInEveryDirection() {
        List<Tiles> shapes = new ArrayList<>(ImplicitGemmConvAlgorithm.TILES);
        shapes.add(ImplicitGemmConvAlgorithm.SMALL);
        try (OpenClDevice dev = OpenClBackendTest.openRaw(DeviceOptions.DEFAULT)) {
            for (Tiles t : shapes) {
                ImplicitGemmConvAlgorithm impl = new ImplicitGemmConvAlgorithm(t);
                for (String text : EVERY_TILE) {
                    checkInstance(dev, impl, "tiles " + t, text);
                }
            }
        }
    }
}
