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

    /** Throws unless {@code value} is finite and {@code > 0}. */
    public static double positive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + ": expected a finite value > 0, got " + value);
        }
        return value;
    }

    /** Throws unless {@code value} is finite and {@code >= 0}. */
    public static double nonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + ": expected a finite value >= 0, got " + value);
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

    /** Throws unless {@code value} is finite. */
    public static double finite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + ": expected a finite value, got " + value);
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
