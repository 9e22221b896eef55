package io.jdnn.opencl;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;

import io.jdnn.ConvProblem;
import io.jdnn.DirectConv;
import io.jdnn.kernels.Im2colGemmConvAlgorithm;
import org.junit.jupiter.api.Test;

import java.util.List;

/** IM2COL_GEMM: unfold + gemm.cl, col2im as a gather, backward-filter over batch chunks. */
class ConvIm2colGemmTest extends ConvAlgorithmTest {
    @Override
    ConvAlgorithm algorithm() {
        return ConvAlgorithm.IM2COL_GEMM;
    }

    @Override
    List<String> problems() {
        return GENERAL;
    }

    @Override
    List<Refusal> refusals() {
        return List.of(
                // 64*7*7 rows x 256*256 columns = 784 MiB of columns for one image, over the 512 MiB budget
                new Refusal("conv_mb1ic64ih256iw256oc8kh7kw7ph3pw3", ConvDirection.FORWARD, "budget"),
                new Refusal("conv_mb1ic64ih256iw256oc8kh7kw7ph3pw3", ConvDirection.BACKWARD_DATA, "budget"),
                new Refusal("conv_mb1ic64ih256iw256oc8kh7kw7ph3pw3", ConvDirection.BACKWARD_FILTER, "budget"));
    }

    /**
     * A budget of one or two images' columns: forward and backward-data then run 5 images in
     * chunks of 2, 2, 1 (GEMMs batched over the images of a chunk) or of 1 (backward-data batched
     * over groups instead), backward-filter accumulates its chunks with beta = 1.
     */
    @Test
    void chunksOfImagesMatchTheReference() {
        for (String text : List.of("conv_mb5ic4ih9iw8oc6kh3kw3ph1pw1g2", "conv_mb5ic3ih10iw7oc4kh2kw3sh2sw1ph1pw0dh2dw1")) {
            DirectConv c = ConvProblem.parse(text).direct();
            long columnsBytes = (long) c.c() * c.r() * c.s() * c.p() * c.q() * Float.BYTES;
            long responseBytes = (long) c.k() * c.p() * c.q() * Float.BYTES;
            checkInstance(new Im2colGemmConvAlgorithm(columnsBytes + responseBytes), text);
            checkInstance(new Im2colGemmConvAlgorithm(2 * (columnsBytes + responseBytes)), text);
        }
    }

    @Override
    List<String> repeatable() {
        return List.of("conv_mb5ic4ih12iw12oc6kh3kw3sh2sw1ph1pw1g2");
    }
}
