package io.jdnn;

/**
 * Argument checks shared by the problem records and {@link Device}. Every message names the
 * argument, what was expected and what was given.
 */
public final class Check {
    private Check() {
    }

    /** Throws unless {@code value >= 1}. */
    public static int positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": expected a positive value, got " + value);
        }
        return value;
    }

    /** Throws unless {@code value >= 0}. */
    public static int nonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + ": expected a value >= 0, got " + value);
        }
        return value;
    }

    /*
     * Real-valued arguments are hyper-parameters and scalars that every float32 backend rounds to
     * float32 once, so "finite" means finite after that rounding: 1e300 would become infinity on
     * the device (and 0 * infinity a NaN) while the float64 reference kept it finite.
     */

    /** Throws unless {@code value} is finite in float32 and {@code > 0} after rounding to float32. */
    public static double positive(String name, double value) {
        if (!((float) value > 0) || Float.isInfinite((float) value)) {
            throw new IllegalArgumentException(name + ": expected a value > 0 that float32 holds (at least "
                    + Float.MIN_VALUE + ", at most " + Float.MAX_VALUE + "), got " + value);
        }
        return value;
    }

    /** Throws unless {@code value} is finite in float32 and {@code >= 0}. */
    public static double nonNegative(String name, double value) {
        if (!(value >= 0) || Float.isInfinite((float) value)) {
            throw new IllegalArgumentException(name + ": expected a value >= 0 that float32 holds (at most "
                    + Float.MAX_VALUE + "), got " + value);
        }
        return value;
    }

    /** Throws unless {@code lo <= value < hi} (and finite). */
    public static double inRange(String name, double value, double lo, double hi) {
        if (!(value >= lo && value < hi)) {
            throw new IllegalArgumentException(name + ": expected a value in [" + lo + ", " + hi + "), got " + value);
        }
        return value;
    }

    /** Throws unless {@code lo <= value <= hi} (and finite). */
    public static double inClosedRange(String name, double value, double lo, double hi) {
        if (!(value >= lo && value <= hi)) {
            throw new IllegalArgumentException(name + ": expected a value in [" + lo + ", " + hi + "], got " + value);
        }
        return value;
    }

    /** Throws unless {@code value} is finite in float32. */
    public static double finite(String name, double value) {
        if (!Float.isFinite((float) value)) {
            throw new IllegalArgumentException(name + ": expected a finite value that float32 holds (|" + name
                    + "| <= " + Float.MAX_VALUE + "), got " + value);
        }
        return value;
    }

    /** Throws an exception naming {@code name} unless {@code condition} holds. */
    public static void that(boolean condition, String name, String expected, Object actual) {
        if (!condition) {
            throw new IllegalArgumentException(name + ": expected " + expected + ", got " + actual);
        }
    }
}
