package io.jdnn.opencl;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;

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
}
