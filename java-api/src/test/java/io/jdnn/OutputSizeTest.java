package io.jdnn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Output sizes against values worked out by hand from PyTorch's documented formulas (the
 * arithmetic is in each comment), including the settings a test with all-ones parameters would not
 * see: dilation, asymmetric stride and padding, ceil mode, output padding.
 */
class OutputSizeTest {

    static ConvProblem conv(int h, int w, int k, int s, int p, int d) {
        return ConvProblem.builder().inChannels(2).size(h, w).outChannels(2).kernel(k, k).stride(s, s).padding(p, p)
                .dilation(d, d).build();
    }

    @Test
    void convolution() {
        // floor((7 + 2*1 - 1*(3-1) - 1) / 2) + 1 = floor(6/2) + 1 = 4
        assertEquals(4, conv(7, 7, 3, 2, 1, 1).outHeight());
        // dilation 2: floor((11 + 2*2 - 2*(3-1) - 1) / 2) + 1 = floor(10/2) + 1 = 6; width 9: floor(8/2) + 1 = 5
        ConvProblem dil = conv(11, 9, 3, 2, 2, 2);
        assertEquals(6, dil.outHeight());
        assertEquals(5, dil.outWidth());
        // the remainder is dropped: floor((10 + 0 - 2 - 1) / 3) + 1 = floor(7/3) + 1 = 3
        assertEquals(3, conv(10, 10, 3, 3, 0, 1).outHeight());
        // dilation 3, kernel 2 spans 4 rows: floor((14 + 0 - 3*1 - 1) / 2) + 1 = 5 + 1 = 6
        assertEquals(6, conv(14, 14, 2, 2, 0, 3).outHeight());
        // kernel as large as the input: one output
        assertEquals(1, conv(5, 5, 5, 1, 0, 1).outHeight());
        // asymmetric: H 9, kh 3, sh 2, ph 4, dh 2: floor((9 + 8 - 4 - 1) / 2) + 1 = 7;
        //             W 4, kw 4, sw 1, pw 0, dw 1: floor((4 - 3 - 1) / 1) + 1 = 1
        ConvProblem asym = ConvProblem.builder().inChannels(4).size(9, 4).outChannels(4).kernel(3, 4).stride(2, 1)
                .padding(4, 0).dilation(2, 1).build();
        assertEquals(7, asym.outHeight());
        assertEquals(1, asym.outWidth());
        assertEquals(Shape.of(1, 4, 7, 1), asym.outputShape());
    }

    @Test
    void transposedConvolutionWithOutputPadding() {
        // (5-1)*2 - 2*1 + 1*(3-1) + 1 + 1 = 8 - 2 + 2 + 2 = 10; width 4: 3*2 - 2 + 2 + 1 + 1 = 8
        ConvProblem p = ConvProblem.builder().inChannels(3).size(5, 4).outChannels(2).kernel(3, 3).stride(2, 2)
                .padding(1, 1).transposed(true).outputPadding(1, 1).build();
        assertEquals(10, p.outHeight());
        assertEquals(8, p.outWidth());
        assertEquals(Shape.of(3, 2, 3, 3), p.weightShape(), "(in, out/groups, R, S)");
        // dilated: (3-1)*2 - 2*1 + 2*(3-1) + 1 + 1 = 4 - 2 + 4 + 2 = 8; width 6, s 3, k 1, op 1: 5*3 + 0 + 1 + 1 = 17
        ConvProblem d = ConvProblem.builder().inChannels(9).size(3, 6).outChannels(9).kernel(3, 1).stride(2, 3)
                .padding(1, 0).dilation(2, 1).groups(3).transposed(true).outputPadding(1, 1).build();
        assertEquals(8, d.outHeight());
        assertEquals(17, d.outWidth());
        assertEquals(Shape.of(9, 3, 3, 1), d.weightShape());
        // DCGAN's upsampling: (4-1)*2 - 2 + 3 + 0 + 1 = 8
        ConvProblem g = ConvProblem.builder().inChannels(4).size(4, 4).outChannels(3).kernel(4, 4).stride(2, 2)
                .padding(1, 1).transposed(true).build();
        assertEquals(8, g.outHeight());
        // its direct convolution runs from the 8x8 output back to the 4x4 input
        DirectConv dc = g.direct();
        assertEquals(8, dc.h());
        assertEquals(4, dc.p());
        assertEquals(3, dc.c());
        assertEquals(4, dc.k());
    }

    static PoolProblem maxPool(int size, int k, int s, int p, int d, boolean ceil) {
        return PoolProblem.max().channels(1).size(size, size).kernel(k, k).stride(s, s).padding(p, p).dilation(d, d)
                .ceilMode(ceil).build();
    }

    @Test
    void poolingFloorAndCeil() {
        // ResNet's stem pool: floor((112 + 2 - 2 - 1) / 2) + 1 = 55 + 1 = 56
        assertEquals(56, maxPool(112, 3, 2, 1, 1, false).outHeight());
        // 7, k 3, s 2, p 1: floor: (7 + 2 - 2 - 1)/2 + 1 = 4; ceil: (6 + 1)/2 + 1 = 4, last start 3*2 = 6 < 7 + 1 keeps it
        assertEquals(4, maxPool(7, 3, 2, 1, 1, false).outHeight());
        assertEquals(4, maxPool(7, 3, 2, 1, 1, true).outHeight());
        // 6, k 3, s 2, p 0: floor (6-3)/2 + 1 = 2; ceil (3 + 1)/2 + 1 = 3 (the last window hangs over the edge)
        assertEquals(2, maxPool(6, 3, 2, 0, 1, false).outHeight());
        assertEquals(3, maxPool(6, 3, 2, 0, 1, true).outHeight());
        // ceil drops a window that would start in the right padding: 5, k 2, s 3, p 1:
        // ceil((5 + 2 - 1 - 1) / 3) + 1 = 2 + 1 = 3, but (3-1)*3 = 6 >= 5 + 1, so 2
        assertEquals(2, maxPool(5, 2, 3, 1, 1, true).outHeight());
        assertEquals(2, maxPool(5, 2, 3, 1, 1, false).outHeight());
        // dilation 2, k 4, s 3, p 1, ceil: ceil((14 + 2 - 6 - 1) / 3) + 1 = 3 + 1 = 4; start 9 < 15 keeps it
        assertEquals(4, maxPool(14, 4, 3, 1, 2, true).outHeight());
    }

    @Test
    void averageAndAdaptivePooling() {
        PoolProblem avg = PoolProblem.avg().channels(2).size(7, 7).kernel(3, 3).stride(2, 2).padding(1, 1).ceilMode(true)
                .countIncludePad(false).build();
        assertEquals(Shape.of(1, 2, 4, 4), avg.outputShape());
        PoolProblem defaults = PoolProblem.avg().channels(1).size(8, 9).kernel(2, 3).build();
        assertEquals(2, defaults.strideH(), "stride defaults to the kernel");
        assertEquals(4, defaults.outHeight());
        assertEquals(3, defaults.outWidth());
        // adaptive 5 -> 2: windows [0, ceil(5/2)) = [0, 3) and [floor(5/2), 5) = [2, 5), overlapping in row 2
        assertEquals(0, PoolProblem.adaptiveStart(0, 5, 2));
        assertEquals(3, PoolProblem.adaptiveEnd(0, 5, 2));
        assertEquals(2, PoolProblem.adaptiveStart(1, 5, 2));
        assertEquals(5, PoolProblem.adaptiveEnd(1, 5, 2));
        // 11 -> 3: [0, 4), [3, 8), [7, 11)
        assertEquals(3, PoolProblem.adaptiveStart(1, 11, 3));
        assertEquals(8, PoolProblem.adaptiveEnd(1, 11, 3));
        assertEquals(7, PoolProblem.adaptiveStart(2, 11, 3));
        assertEquals(11, PoolProblem.adaptiveEnd(2, 11, 3));
        assertEquals(Shape.of(2, 5, 1, 1), PoolProblem.global(2, 5, 7, 7).outputShape());
    }

    @Test
    void linearAndBatchNormShapes() {
        LinearProblem l = new LinearProblem(5, 9, 6);
        assertEquals(Shape.of(5, 9), l.inputShape());
        assertEquals(Shape.of(6, 9), l.weightShape(), "PyTorch's (out, in)");
        assertEquals(Shape.of(5, 6), l.outputShape());
        assertEquals(2L * 5 * 9 * 6, l.flops());
        assertEquals(3L * 5 * 5, BatchNormProblem.of(3, 4, 5, 5).reductionSize());
    }
}
