package io.jdnn;

import io.jdnn.spi.ConvSelector;
import io.jdnn.spi.DeviceBackend;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one place that decides which convolution algorithm runs on a device: an explicit request is
 * checked against the backend's {@code whyNot} and the caller's error bound; {@link ConvAlgorithm#AUTO}
 * filters the backend's algorithms (applicable, deterministic on a deterministic device, TF32 and
 * BF16 only where the options allow them, within the error bound), asks the backend family's
 * {@link ConvSelector} for the fastest of two or more candidates, and remembers the answer per
 * problem for the device's life. Called with the device's lock held.
 */
final class ConvPlanner {
    private final DeviceBackend impl;
    private final DeviceOptions options;
    /** The backend family's selector, asked for when AUTO first has two candidates to measure. */
    private ConvSelector selector;
    private final Map<Key, ConvAlgorithm> remembered = new HashMap<>();

    /** What AUTO remembers a choice by: the direct problem's extents, the direction and the bound. */
    private record Key(int n, int c, int h, int w, int k, int p, int q, int r, int s, int sh, int sw, int ph, int pw,
                       int dh, int dw, int g, ConvDirection direction, double maxErrorBound) {
        static Key of(DirectConv d, ConvDirection direction, double maxErrorBound) {
            return new Key(d.n(), d.c(), d.h(), d.w(), d.k(), d.p(), d.q(), d.r(), d.s(), d.strideH(), d.strideW(),
                    d.padH(), d.padW(), d.dilationH(), d.dilationW(), d.groups(), direction, maxErrorBound);
        }
    }

    ConvPlanner(DeviceBackend impl, DeviceOptions options) {
        this.impl = impl;
        this.options = options;
    }

    ConvPlan plan(ConvProblem p, ConvDirection direction, ConvAlgorithm requested, double maxErrorBound) {
        DirectConv d = p.direct();
        ConvDirection dd = p.directDirection(direction);
        String spec = impl.info().spec();
        if (requested != ConvAlgorithm.AUTO) {
            Optional<String> why = impl.whyNot(d, dd, requested);
            if (why.isEmpty() && requested.errorBound() > maxErrorBound) {
                why = Optional.of("its error bound " + requested.errorBound() + " exceeds the " + maxErrorBound
                        + " asked for");
            }
            return why.isPresent() ? ConvPlan.refused(p, direction, requested, maxErrorBound, spec, why.get())
                    : ConvPlan.runs(p, direction, requested, maxErrorBound, spec, requested);
        }
        Key key = Key.of(d, dd, maxErrorBound);
        ConvAlgorithm known = remembered.get(key);
        if (known != null) {
            return ConvPlan.runs(p, direction, requested, maxErrorBound, spec, known);
        }
        List<String> refused = new ArrayList<>();
        List<ConvAlgorithm> candidates = candidates(d, dd, maxErrorBound, refused);
        if (candidates.isEmpty()) {
            return ConvPlan.refused(p, direction, requested, maxErrorBound, spec, noCandidate(refused));
        }
        ConvAlgorithm chosen;
        if (candidates.size() == 1) {
            chosen = candidates.get(0);
        } else {
            if (selector == null) {
                selector = impl.convSelector();
            }
            try {
                chosen = selector.fastest(d, dd, List.copyOf(candidates));
            } catch (DeviceOutOfMemoryException e) {
                // the measurement's temporaries did not fit: the preferred candidate runs, and a
                // later call (with more memory free) may still measure
                return ConvPlan.runs(p, direction, requested, maxErrorBound, spec, candidates.get(0));
            }
            if (!candidates.contains(chosen)) {
                throw new IllegalStateException("the " + impl.info().backend() + " backend's selector chose " + chosen
                        + ", not one of the candidates " + candidates + " for " + dd.shortName() + " of " + p);
            }
        }
        remembered.put(key, chosen);
        return ConvPlan.runs(p, direction, requested, maxErrorBound, spec, chosen);
    }

    /** Empty when AUTO has a candidate for the problem (nothing is timed); otherwise why not. */
    Optional<String> autoWhyNot(ConvProblem p, ConvDirection direction) {
        List<String> refused = new ArrayList<>();
        DirectConv d = p.direct();
        ConvDirection dd = p.directDirection(direction);
        if (remembered.containsKey(Key.of(d, dd, Double.POSITIVE_INFINITY))) {
            return Optional.empty();
        }
        return candidates(d, dd, Double.POSITIVE_INFINITY, refused).isEmpty()
                ? Optional.of(noCandidate(refused)) : Optional.empty();
    }

    /** AUTO's candidates in the backend's preferred order; each algorithm left out is added to {@code refused} with why. */
    private List<ConvAlgorithm> candidates(DirectConv d, ConvDirection dd, double maxErrorBound, List<String> refused) {
        List<ConvAlgorithm> out = new ArrayList<>();
        for (ConvAlgorithm a : impl.algorithms()) {
            Optional<String> why = impl.whyNot(d, dd, a);
            if (why.isPresent()) {
                refused.add(a + ": " + why.get());
            } else if (options.deterministic() && !impl.isDeterministic(a)) {
                refused.add(a + ": not deterministic, and the device was opened with deterministic=true");
            } else if (a.usesTf32() && !options.allowTf32()) {
                refused.add(a + ": rounds its inputs to TF32, and the device was opened with allowTf32=false");
            } else if (a.usesBf16() && !options.allowBf16()) {
                refused.add(a + ": rounds its inputs to BF16, and the device was opened with allowBf16=false");
            } else if (a.errorBound() > maxErrorBound) {
                refused.add(a + ": its error bound " + a.errorBound() + " exceeds the " + maxErrorBound + " asked for");
            } else {
                out.add(a);
            }
        }
        return out;
    }

    private String noCandidate(List<String> refused) {
        return "no " + impl.info().backend() + " algorithm can run it: " + String.join("; ", refused);
    }
}
