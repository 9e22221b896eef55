package io.jdnn.cpu.fast;

/**
 * Scratch memory of one worker thread of one device: grow-only, so that after the first call of
 * a problem size a hot path allocates nothing. Rows are separate arrays that all start at index 0,
 * which is what HotSpot's auto-vectorizer (JDK 17) needs: it vectorizes a loop only when every
 * array in it is indexed by the same expression.
 */
final class Workspace {
    private float[][] rowsA = new float[0][];
    private float[][] rowsB = new float[0][];
    private float[][] rowsC = new float[0][];
    private float[] flatA = new float[0];
    private double[] doubles = new double[0];

    /** Row pool A: at least {@code count} rows of at least {@code length} floats. */
    float[][] rowsA(int count, int length) {
        rowsA = grow(rowsA, count, length);
        return rowsA;
    }

    /** Row pool B (independent of A). */
    float[][] rowsB(int count, int length) {
        rowsB = grow(rowsB, count, length);
        return rowsB;
    }

    /** Row pool C (independent of A and B). */
    float[][] rowsC(int count, int length) {
        rowsC = grow(rowsC, count, length);
        return rowsC;
    }

    private float[] flatB = new float[0];
    private final PanelRow panelRow = new PanelRow();

    /** Flat pool B (a packed B block; independent of the row pools and of flatA). */
    float[] flatB(int length) {
        if (flatB.length < length) {
            flatB = new float[length];
        }
        return flatB;
    }

    /** This worker's gather target. */
    PanelRow panelRow() {
        return panelRow;
    }

    float[] flatA(int length) {
        if (flatA.length < length) {
            flatA = new float[length];
        }
        return flatA;
    }

    private int[] ints = new int[0];
    private int[] ints2 = new int[0];

    int[] ints(int length) {
        if (ints.length < length) {
            ints = new int[length];
        }
        return ints;
    }

    int[] ints2(int length) {
        if (ints2.length < length) {
            ints2 = new int[length];
        }
        return ints2;
    }

    double[] doubles(int length) {
        if (doubles.length < length) {
            doubles = new double[length];
        }
        return doubles;
    }

    private static float[][] grow(float[][] rows, int count, int length) {
        if (rows.length < count) {
            float[][] n = new float[Math.max(count, rows.length + rows.length / 2)][];
            System.arraycopy(rows, 0, n, 0, rows.length);
            rows = n;
        }
        for (int i = 0; i < count; i++) {
            if (rows[i] == null || rows[i].length < length) {
                rows[i] = new float[length];
            }
        }
        return rows;
    }

    /**
     * {@code n} rounded up to a multiple of 32: the widest register tile of any kernel (two vectors
     * of 16 lanes at 512 bits).
     */
    static int padTile(int n) {
        return (n + 31) & ~31;
    }
}
