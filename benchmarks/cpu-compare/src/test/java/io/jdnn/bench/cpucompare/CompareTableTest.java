package io.jdnn.bench.cpucompare;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The ratio column's rule: a ratio only where jdnn's and the best peer's spreads do not overlap. */
class CompareTableTest {
    private static CompareTable.Cell cell(double rate, double low, double high) {
        return new CompareTable.Cell(rate, low, high);
    }

    @Test
    void ratioOnlyWhereTheSpreadsAreApart() {
        Map<String, CompareTable.Cell> apart = Map.of("jdnn-vector", cell(50, 45, 55), "djl", cell(100, 90, 110),
                "nd4j", cell(80, 20, 200));
        assertEquals("0.50x (djl)", CompareTable.ratio(apart), "the best peer is the highest mean, not the widest");
        Map<String, CompareTable.Cell> touching = Map.of("jdnn-vector", cell(50, 45, 90), "ort", cell(100, 90, 110));
        assertEquals("level (ort)", CompareTable.ratio(touching));
        Map<String, CompareTable.Cell> ahead = Map.of("jdnn-vector", cell(300, 280, 320), "nd4j", cell(100, 90, 110));
        assertEquals("3.00x (nd4j)", CompareTable.ratio(ahead));
        assertEquals("n/a", CompareTable.ratio(Map.of("jdnn-vector", cell(1, 1, 1))));
    }

    @Test
    void cellsAProviderCannotRunAreNamed() {
        assertEquals(Cases.ORT_INFERENCE_ONLY, Cases.unsupported("ort", "conv3x3:train"));
        assertEquals(Cases.ORT_INFERENCE_ONLY, Cases.unsupported("ort", "adam"));
        assertNull(Cases.unsupported("ort", "conv3x3:fwd"));
        assertNull(Cases.unsupported("ort", "batchnorm"));
        assertNull(Cases.unsupported("jdnn-vector", "transposed4x4:train"));
    }

    @Test
    void trainCountsThreeTimesTheForwardFlops() {
        assertEquals(3 * CompareTable.work("conv3x3:fwd"), CompareTable.work("conv3x3:train"), 1e-12);
        assertEquals("GB/s", CompareTable.unit("maxpool"));
    }
}
