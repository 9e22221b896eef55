package io.jdnn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Philox4x32-10 against the known-answer vectors of Random123's {@code tests/kat_vectors} (the three
 * {@code philox4x32 10} lines, as DEShawResearch/Random123-Boost's {@code libs/random/test/test_philox.cpp}
 * also carries them: counter[4], key[2] → output[4]), and the streams built on it.
 */
class PhiloxTest {

    @Test
    void zeroCounterZeroKey() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                Philox.block(0, 0, 0, 0, 0, 0));
    }

    @Test
    void allOnesCounterAllOnesKey() {
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                Philox.block(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff));
    }

    @Test
    void digitsOfPi() {
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                Philox.block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0));
    }

    @Test
    void uniformTakesTheTop24BitsOfWordIMod4OfBlockIDiv4() {
        long seed = 0x0123456789abcdefL;
        long offset = 0xfedcba9876543210L;
        for (long i : new long[] {0, 1, 2, 3, 4, 7, 1L << 33, (1L << 33) + 3}) {
            long b = i >>> 2;
            int[] w = Philox.block((int) b, (int) (b >>> 32), (int) offset, (int) (offset >>> 32), (int) seed, (int) (seed >>> 32));
            double expected = (w[(int) (i & 3)] >>> 8) / (double) (1 << 24);
            assertEquals(expected, Philox.uniform(seed, offset, i), 0.0, "element " + i);
        }
    }

    @Test
    void uniformValuesAreExactFloat32InTheUnitInterval() {
        for (long i = 0; i < 4096; i++) {
            double u = Philox.uniform(7, 3, i);
            assertTrue(u >= 0 && u < 1, "element " + i + ": " + u);
            assertEquals(u, (double) (float) u, 0.0, "element " + i + " is not a float32 value");
            assertEquals(0.0, u * (1 << 24) % 1.0, 0.0, "element " + i + " is not a multiple of 2^-24");
        }
    }

    @Test
    void dropoutKeepsEverythingAtZeroAndNothingAtOne() {
        for (long i = 0; i < 256; i++) {
            assertTrue(Philox.keep(0, 11, 0, i), "p = 0 must keep element " + i);
            assertFalse(Philox.keep(1, 11, 0, i), "p = 1 must drop element " + i);
            assertEquals(Philox.uniform(11, 0, i) >= 0.3, Philox.keep(0.3, 11, 0, i), "keep(0.3) of element " + i);
        }
    }
}
