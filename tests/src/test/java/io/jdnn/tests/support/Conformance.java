package io.jdnn.tests.support;

import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.Shape;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one op the same way on the reference and on a device under test and compares the outputs.
 * The op is written once as a {@link Run} against a {@link Scope}: it uploads the same float32
 * inputs on whichever device the scope belongs to, makes its outputs with {@link Scope#poisoned},
 * runs, and reads the outputs back.
 */
public final class Conformance {
    private Conformance() {
    }

    /** Output names and their bounds, in the order given: {@code bounds("y", 1e-5, "dx", 2e-6)}. */
    public static Map<String, Double> bounds(Object... nameBound) {
        if (nameBound.length % 2 != 0) {
            throw new IllegalArgumentException("bounds: expected name, bound pairs, got " + nameBound.length + " values");
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < nameBound.length; i += 2) {
            out.put((String) nameBound[i], ((Number) nameBound[i + 1]).doubleValue());
        }
        return out;
    }

    /** An op with its inputs, runnable on any device. */
    @FunctionalInterface
    public interface Run {
        List<Output> run(Scope s);
    }

    /**
     * The reference's outputs by name. A reference that throws means the generator made a problem
     * the API rejects or the reference is broken: either way the property fails right here, with
     * the reference's message.
     */
    public static Map<String, Output> reference(Run run) {
        Device ref = DevicesUnderTest.reference();
        try (Scope s = new Scope(ref)) {
            Map<String, Output> out = new LinkedHashMap<>();
            for (Output o : run.run(s)) {
                out.put(o.name(), o);
            }
            return out;
        }
    }

    /**
     * Runs {@code run} on {@code d} and compares each output with the reference's under its bound
     * from {@code bounds} (float32 bounds; a float64 device is held to {@link ErrorBounds#FLOAT64}).
     * Records the outcome in {@code v}; never throws for a device failure.
     *
     * @return the device's outputs by name, empty when the run threw
     */
    public static Map<String, Output> check(Verdicts v, Device d, String op, Object problem, String variant, Run run,
                                            Map<String, Output> ref, Map<String, Double> bounds) {
        return check(v, d, op, problem, variant, run, ref, bounds, Map.of());
    }

    /**
     * As {@link #check(Verdicts, Device, String, Object, String, Run, Map, Map)}, with the outputs
     * named in {@code scales} compared under {@link Comparison#of(String, Shape, double[], double[],
     * double, double)}'s normalization floor (the caller states why the output needs one).
     */
    public static Map<String, Output> check(Verdicts v, Device d, String op, Object problem, String variant, Run run,
                                            Map<String, Output> ref, Map<String, Double> bounds,
                                            Map<String, Double> scales) {
        long liveBefore = d.memory().liveTensors();
        Map<String, Output> got = new LinkedHashMap<>();
        try (Scope s = new Scope(d)) {
            for (Output o : run.run(s)) {
                got.put(o.name(), o);
            }
        } catch (RuntimeException e) {
            v.threw(d, op, problem, variant, e);
            return Map.of();
        }
        List<Comparison> cs = new ArrayList<>();
        for (Map.Entry<String, Double> b : bounds.entrySet()) {
            Output r = ref.get(b.getKey());
            Output o = got.get(b.getKey());
            if (r == null || o == null) {
                throw new IllegalStateException("test bug: output '" + b.getKey() + "' missing from "
                        + (r == null ? "the reference's" : "the device's") + " outputs " + (r == null ? ref : got).keySet());
            }
            cs.add(Comparison.of(b.getKey(), r.shape(), o.values(), r.values(),
                    ErrorBounds.forPrecision(d.info().precision(), b.getValue()), scales.getOrDefault(b.getKey(), 0.0)));
        }
        v.compared(d, op, problem, variant, cs);
        long liveAfter = d.memory().liveTensors();
        if (liveAfter != liveBefore) {
            v.failed(d, op, problem, variant, "live tensors went from " + liveBefore + " to " + liveAfter
                    + " across the run: a tensor was left open (or closed twice)");
        }
        return got;
    }
}
