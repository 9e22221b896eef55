package io.jdnn.examples;

/** Anti-aliased drawing helpers for the procedural data sets. */
final class Raster {
    private Raster() {
    }

    /** Distance from (px, py) to the segment (ax, ay)-(bx, by). */
    static double segmentDistance(double px, double py, double ax, double ay, double bx, double by) {
        double dx = bx - ax;
        double dy = by - ay;
        double len2 = dx * dx + dy * dy;
        double t = len2 == 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
        double cx = ax + t * dx - px;
        double cy = ay + t * dy - py;
        return Math.sqrt(cx * cx + cy * cy);
    }

    /** Coverage of a pixel by a shape at signed distance sd (negative inside), with a one-pixel soft edge. */
    static double coverage(double sd) {
        return Math.max(0, Math.min(1, 0.5 - sd));
    }

    /** A standard normal draw (Box-Muller) from {@code r}. */
    static double gaussian(java.util.SplittableRandom r) {
        double u1 = 1 - r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** The generator of batch {@code step} of the data set {@code seed}: independent of every other batch. */
    static java.util.SplittableRandom forStep(long seed, long step) {
        return new java.util.SplittableRandom(seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL);
    }
}
