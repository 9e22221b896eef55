package io.jdnn;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one grammar of canonical problem strings, shared by every problem record:
 *
 * <pre>
 *   KIND [ '_' COMPACT ] { '_' KEY '=' VALUE }
 *   COMPACT = { LETTERS DIGITS }         e.g. mb32ic64ih56iw56oc64kh3kw3sh1sw1ph1pw1dh1dw1g1
 *   KEY     = letters and digits, words joined by '_' (weight_decay)
 * </pre>
 *
 * Integer extents use the compact benchdnn/MIOpen style; real-valued or boolean settings use
 * {@code key=value} segments (booleans as 0/1). {@link #parse} returns the pieces; each record
 * applies its own defaults and validation.
 */
public final class ProblemString {
    private static final Pattern COMPACT = Pattern.compile("([a-z]+)(\\d+)");

    private final String kind;
    private final Map<String, Long> ints;
    private final Map<String, String> values;
    private final String text;

    private ProblemString(String kind, Map<String, Long> ints, Map<String, String> values, String text) {
        this.kind = kind;
        this.ints = ints;
        this.values = values;
        this.text = text;
    }

    /** Starts a string of the given kind. */
    public static Builder of(String kind) {
        return new Builder(kind);
    }

    /** Splits a problem string into kind, compact integers and key=value settings. */
    public static ProblemString parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("problem string: expected KIND_..., got " + (text == null ? "null" : "an empty string"));
        }
        String s = text.trim();
        // Keys of key=value settings may hold underscores (weight_decay): a part made only of
        // letters belongs to the part after it. Compact parts always hold digits.
        java.util.List<String> parts = new java.util.ArrayList<>();
        String pending = null;
        String[] raw = s.split("_", -1);
        for (int i = 1; i < raw.length; i++) {
            String part = pending == null ? raw[i] : pending + "_" + raw[i];
            if (part.matches("[a-z_]+") && i + 1 < raw.length) {
                pending = part;
            } else {
                parts.add(part);
                pending = null;
            }
        }
        String kind = raw[0];
        Map<String, Long> ints = new LinkedHashMap<>();
        Map<String, String> values = new LinkedHashMap<>();
        for (String part : parts) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                String key = part.substring(0, eq);
                if (values.put(key, part.substring(eq + 1)) != null) {
                    throw new IllegalArgumentException("problem string '" + s + "': key '" + key + "' given twice");
                }
                continue;
            }
            Matcher m = COMPACT.matcher(part);
            int end = 0;
            while (m.find() && m.start() == end) {
                String key = m.group(1);
                long value;
                try {
                    value = Long.parseLong(m.group(2));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("problem string '" + s + "': value of '" + key + "' out of range");
                }
                if (ints.put(key, value) != null) {
                    throw new IllegalArgumentException("problem string '" + s + "': key '" + key + "' given twice");
                }
                end = m.end();
            }
            if (end != part.length()) {
                throw new IllegalArgumentException("problem string '" + s + "': cannot read '" + part.substring(end)
                        + "' (expected letters followed by digits, or key=value)");
            }
        }
        return new ProblemString(kind, ints, values, s);
    }

    /** The leading kind, e.g. {@code conv}. */
    public String kind() {
        return kind;
    }

    /** Throws unless the kind is one of {@code expected}. */
    public ProblemString expectKind(String... expected) {
        for (String e : expected) {
            if (e.equals(kind)) {
                return this;
            }
        }
        throw new IllegalArgumentException("problem string '" + text + "': expected kind " + String.join(" or ", expected)
                + ", got '" + kind + "'");
    }

    /** A compact integer that must be present. */
    public int requireInt(String key) {
        Long v = ints.get(key);
        if (v == null) {
            throw new IllegalArgumentException("problem string '" + text + "': missing '" + key + "'");
        }
        return toInt(key, v);
    }

    /** A compact integer, or {@code fallback} when absent. */
    public int intOr(String key, int fallback) {
        Long v = ints.get(key);
        return v == null ? fallback : toInt(key, v);
    }

    /** A key=value number, or {@code fallback} when absent. */
    public double doubleOr(String key, double fallback) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("problem string '" + text + "': " + key + ": expected a number, got '" + v + "'");
        }
    }

    /** A key=value boolean (0/1/true/false), or {@code fallback} when absent. */
    public boolean boolOr(String key, boolean fallback) {
        String v = values.get(key);
        if (v == null) {
            Long i = ints.get(key);
            if (i == null) {
                return fallback;
            }
            v = i.toString();
        }
        switch (v.toLowerCase(Locale.ROOT)) {
            case "1": case "true": return true;
            case "0": case "false": return false;
            default:
                throw new IllegalArgumentException("problem string '" + text + "': " + key + ": expected 0 or 1, got '" + v + "'");
        }
    }

    /**
     * A key=value list of integers written as {@code 2x3x4} (see {@link Builder#dims}), which must
     * be present.
     */
    public int[] requireDims(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("problem string '" + text + "': missing '" + key + "'");
        }
        String[] parts = v.split("x", -1);
        int[] dims = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                dims[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("problem string '" + text + "': " + key
                        + ": expected integers joined by 'x' (2x3x4), got '" + v + "'");
            }
        }
        return dims;
    }

    /** Throws if the string holds a key this record does not know (catches typos). */
    public ProblemString allowOnly(java.util.Set<String> known) {
        for (String k : ints.keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException("problem string '" + text + "': unknown key '" + k + "'; known: " + known);
            }
        }
        for (String k : values.keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException("problem string '" + text + "': unknown key '" + k + "'; known: " + known);
            }
        }
        return this;
    }

    private int toInt(String key, long v) {
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("problem string '" + text + "': " + key + ": expected at most "
                    + Integer.MAX_VALUE + ", got " + v);
        }
        return (int) v;
    }

    /** Formats a real value so that {@link Double#parseDouble} gives it back exactly. */
    public static String formatDouble(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15 && !(v == 0 && 1 / v < 0)) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    /** Builds a canonical string piece by piece. */
    public static final class Builder {
        private final StringBuilder compact = new StringBuilder();
        private final StringBuilder values = new StringBuilder();
        private final String kind;

        private Builder(String kind) {
            this.kind = kind;
        }

        /** Appends a compact integer such as {@code mb32}. */
        public Builder i(String key, long value) {
            compact.append(key).append(value);
            return this;
        }

        /** Appends a {@code _key=value} real setting. */
        public Builder d(String key, double value) {
            values.append('_').append(key).append('=').append(formatDouble(value));
            return this;
        }

        /** Appends a {@code _key=2x3x4} list of integers (extents, axes), read back by {@link #requireDims}. */
        public Builder dims(String key, int... values) {
            this.values.append('_').append(key).append('=');
            for (int i = 0; i < values.length; i++) {
                this.values.append(i == 0 ? "" : "x").append(values[i]);
            }
            return this;
        }

        /** Appends a {@code _key=0|1} boolean setting. */
        public Builder b(String key, boolean value) {
            values.append('_').append(key).append('=').append(value ? 1 : 0);
            return this;
        }

        @Override
        public String toString() {
            return kind + (compact.length() > 0 ? "_" + compact : "") + values;
        }
    }
}
