package io.jdnn.golden;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parameters of one golden case, read as the types the ops take: integers, integer pairs,
 * numbers, number pairs, booleans and strings. A parameter that is missing, not understood, or not
 * of the type asked for is an {@link UnsupportedCase} naming it, what was expected and what was found.
 */
final class Params {
    private final String op;
    private final Map<String, Object> values;

    Params(GoldenCase c) {
        this.op = c.op();
        this.values = c.params();
    }

    /** Checks that every parameter is known to the op ({@code required} or {@code optional}) and the required ones are given. */
    void declare(List<String> required, List<String> optional) {
        List<String> known = new ArrayList<>(required);
        known.addAll(optional);
        for (String k : values.keySet()) {
            if (!known.contains(k)) {
                throw new UnsupportedCase("parameter '" + k + "' is not understood for op '" + op + "' (it takes "
                        + (known.isEmpty() ? "no parameters" : String.join(", ", known)) + ")");
            }
        }
        for (String k : required) {
            if (!values.containsKey(k)) {
                throw new UnsupportedCase("parameter '" + k + "' is missing (op '" + op + "' takes " + String.join(", ", known) + ")");
            }
        }
    }

    /** True when the case gives parameter {@code key}. */
    boolean has(String key) {
        return values.containsKey(key);
    }

    /** An integer that fits an int. */
    int integer(String key) {
        return toInt(key, get(key));
    }

    /** An int pair: [a, b], or a single integer meaning (a, a) as PyTorch reads it. */
    int[] intPair(String key) {
        Object v = get(key);
        if (v instanceof List<?> l) {
            if (l.size() != 2) {
                throw new UnsupportedCase("parameter '" + key + "': expected two integers [h, w], got " + l.size() + " values " + l);
            }
            return new int[] {toInt(key + "[0]", l.get(0)), toInt(key + "[1]", l.get(1))};
        }
        int i = toInt(key, v);
        return new int[] {i, i};
    }

    /**
     * Padding as {@code [top, left, bottom, right]}: one integer (all sides), two {@code [h, w]}
     * (symmetric) or four (ONNX's order, asymmetric).
     */
    int[] padding(String key) {
        if (get(key) instanceof List<?> l && l.size() == 4) {
            int[] p = intList(key);
            return new int[] {p[0], p[1], p[2], p[3]};
        }
        if (get(key) instanceof List<?> l && l.size() != 2) {
            throw new UnsupportedCase("parameter '" + key + "': expected two integers [h, w] or four [top, left, bottom,"
                    + " right], got " + l.size() + " values " + l);
        }
        int[] hw = intPair(key);
        return new int[] {hw[0], hw[1], hw[0], hw[1]};
    }

    /** A list of integers, each fitting an int. */
    int[] intList(String key) {
        Object v = get(key);
        if (!(v instanceof List<?> l)) {
            throw new UnsupportedCase("parameter '" + key + "': expected a list of integers, got " + v);
        }
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = toInt(key + "[" + i + "]", l.get(i));
        }
        return out;
    }

    /** A number, integer or not. */
    double real(String key) {
        return toReal(key, get(key));
    }

    /** Two numbers [a, b]. */
    double[] realPair(String key) {
        Object v = get(key);
        if (!(v instanceof List<?> l) || l.size() != 2) {
            throw new UnsupportedCase("parameter '" + key + "': expected two numbers [a, b], got " + GoldenJson.describe(v));
        }
        return new double[] {toReal(key + "[0]", l.get(0)), toReal(key + "[1]", l.get(1))};
    }

    /** true or false. */
    boolean bool(String key) {
        Object v = get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        throw new UnsupportedCase("parameter '" + key + "': expected true or false, got " + GoldenJson.describe(v));
    }

    /** A string. */
    String string(String key) {
        Object v = get(key);
        if (v instanceof String s) {
            return s;
        }
        throw new UnsupportedCase("parameter '" + key + "': expected a string, got " + GoldenJson.describe(v));
    }

    /** The value of parameter {@code key}: null for JSON's null. */
    private Object get(String key) {
        if (!values.containsKey(key)) {
            throw new UnsupportedCase("parameter '" + key + "' is missing");
        }
        return values.get(key);
    }

    private static int toInt(String key, Object v) {
        if (v instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
            return (int) (long) l;
        }
        throw new UnsupportedCase("parameter '" + key + "': expected an integer, got " + GoldenJson.describe(v));
    }

    private static double toReal(String key, Object v) {
        if (v instanceof Long || v instanceof Double) {
            return ((Number) v).doubleValue();
        }
        throw new UnsupportedCase("parameter '" + key + "': expected a number, got " + GoldenJson.describe(v));
    }
}
