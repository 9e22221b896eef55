package io.jdnn.bench.perf.vendor;

import io.jdnn.ConvProblem;
import io.jdnn.PoolProblem;
import io.jdnn.bench.perf.BenchProblem;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The problems cuDNN cannot compute exactly are refused with a reason before anything loads: a
 * baseline that ran a different problem (its symmetric padding for an asymmetric one) would give
 * a ratio of two different computations.
 */
class CudnnBaselineTest {

    @Test
    void asymmetricConvolutionPaddingHasNoCudnnBaseline() {
        ConvProblem same = ConvProblem.builder().inChannels(3).size(8, 8).outChannels(4).kernel(3, 3).stride(2, 2)
                .padding(0, 0, 1, 1).build();
        Optional<String> why = CudnnBaseline.unsupported(new BenchProblem.Conv(same));
        assertTrue(why.isPresent() && why.get().contains("top/bottom 0/1"), why.toString());
        ConvProblem symmetric = ConvProblem.builder().inChannels(3).size(8, 8).outChannels(4).kernel(3, 3)
                .padding(1, 1).build();
        assertEquals(Optional.empty(), CudnnBaseline.unsupported(new BenchProblem.Conv(symmetric)));
    }

    @Test
    void asymmetricPoolingPaddingHasNoCudnnBaseline() {
        PoolProblem same = PoolProblem.max().channels(2).size(7, 7).kernel(3, 3).stride(2, 2).padding(1, 1, 2, 2).build();
        Optional<String> why = CudnnBaseline.unsupported(new BenchProblem.Pool(same));
        assertTrue(why.isPresent() && why.get().contains("left/right 1/2"), why.toString());
        PoolProblem symmetric = PoolProblem.max().channels(2).size(7, 7).kernel(3, 3).stride(2, 2).padding(1, 1).build();
        assertEquals(Optional.empty(), CudnnBaseline.unsupported(new BenchProblem.Pool(symmetric)));
    }
}
