package io.jdnn.tests.reliability;

import io.jdnn.Activation;
import io.jdnn.BatchNormProblem;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.LinearProblem;
import io.jdnn.OptimizerState;
import io.jdnn.PoolMode;
import io.jdnn.PoolProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.optim.AdaDelta;
import io.jdnn.optim.AdaGrad;
import io.jdnn.optim.Adam;
import io.jdnn.optim.AdamW;
import io.jdnn.optim.Optimizer;
import io.jdnn.optim.RmsProp;
import io.jdnn.optim.Sgd;
import io.jdnn.tests.reliability.FuzzEnv.Arg;
import io.jdnn.tests.reliability.FuzzEnv.Kind;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Output;
import io.jdnn.tests.support.Scope;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * The fuzz cases: from a seed and an index, one random call of the API with random problem
 * descriptors, tensor arguments and hyper-parameters, valid or not. Three modes:
 * <ul>
 *   <li>valid (60%): a small valid problem with typical hyper-parameters; each tensor argument
 *       still has a 7% chance of a defect ({@link Kind}: null, closed, foreign, wrong shape, a
 *       view, an output aliasing an input);</li>
 *   <li>wild (25%): every extent and hyper-parameter may be zero, negative, huge (2^16 to
 *       2^31 - 1), NaN or infinite, and each argument has a 15% chance of a defect;</li>
 *   <li>huge (15%): two extents of 2^19 or more, so that some tensor of the problem needs at
 *       least 2^38 elements (1 TiB of float32): more than any device holds, so every device must
 *       refuse it cleanly.</li>
 * </ul>
 * A problem that is valid but would cost real work (a tensor of more than {@link #SMALL} elements
 * and less than {@link #HUGE}, or more than {@link #MAX_WORK} multiply-adds) is drawn again: the
 * reference has to compute every case, and a "huge" tensor between those limits would fit on a
 * large GPU but not in a Java array, so the devices could not agree with the oracle.
 *
 * <p>Data are chosen as the conformance suite chooses them (see docs/testing.md, "Data"), so that
 * every op's error bound holds for a correct device: dyadic values for sums of products, per-channel
 * offsets for batch norm, alternating signs for softmax's backward pass.
 */
final class FuzzCases {
    /** Largest tensor of a case that runs (elements). */
    static final long SMALL = 1L << 16;
    /** A tensor this large (1 TiB of float32) cannot be allocated on any device. */
    static final long HUGE = 1L << 38;
    /** Most multiply-adds (or window visits) of a case that runs. */
    static final long MAX_WORK = 1L << 22;

    /** The body of a case: runs it on one device and returns the outputs read back. */
    interface Body {
        List<Output> run(FuzzEnv env);
    }

    /** The bound of each output to compare on device {@code d} (after the run); outputs left out are not compared. */
    interface Bounds {
        Map<String, Double> on(Device d);
    }

    /**
     * One case.
     *
     * @param index       its number in the run
     * @param family      the op family (conv, pool, ...)
     * @param description the call with its problem string, arguments' defects and hyper-parameters
     * @param body        the call
     * @param bounds      the outputs' bounds
     * @param refusable   for convolutions with a requested algorithm: true on a device whose whyNot
     *                    says the algorithm cannot run the problem (then AlgorithmNotSupportedException
     *                    is the right answer); null for every other case
     */
    record Case(int index, String family, String description, Body body, Bounds bounds, Predicate<Device> refusable) {
    }

    private enum Mode { VALID, WILD, HUGE }

    private final SplittableRandom r;
    private final Mode mode;
    private final StringBuilder text = new StringBuilder();

    private FuzzCases(long caseSeed) {
        this.r = new SplittableRandom(caseSeed);
        int m = r.nextInt(100);
        this.mode = m < 60 ? Mode.VALID : m < 85 ? Mode.WILD : Mode.HUGE;
    }

    /** The seed of case {@code index} of a run with {@code seed}. */
    static long caseSeed(long seed, int index) {
        return new SplittableRandom(seed).split().nextLong() ^ (index * 0x9E3779B97F4A7C15L) ^ seed;
    }

    /** Case {@code index} of the run with {@code seed}. */
    static Case generate(long seed, int index) {
        long cs = caseSeed(seed, index);
        FuzzCases g = new FuzzCases(cs);
        try {
            return g.build(index, cs);
        } catch (RuntimeException e) {
            // The API failed while the generator described a problem (a derived size, say): that call
            // is the case, and it fails the same way inside the body on every device.
            return new Case(index, "generator", "describing the case threw " + e, env -> {
                throw e;
            }, d -> Map.of(), null);
        }
    }

    private Case build(int index, long caseSeed) {
        int f = r.nextInt(100);
        HostData data = new HostData(caseSeed);
        Case c;
        if (f < 24) {
            c = conv(index);
        } else if (f < 36) {
            c = pool(index);
        } else if (f < 46) {
            c = batchNorm(index);
        } else if (f < 53) {
            c = activation(index);
        } else if (f < 58) {
            c = axpby(index);
        } else if (f < 63) {
            c = dropout(index);
        } else if (f < 67) {
            c = random(index);
        } else if (f < 75) {
            c = softmax(index);
        } else if (f < 82) {
            c = linear(index);
        } else if (f < 88) {
            c = optimizer(index);
        } else if (f < 95) {
            c = memory(index);
        } else {
            c = convQuery(index);
        }
        return new Case(index, c.family(), "[" + mode.name().toLowerCase(Locale.ROOT) + "] " + c.description(),
                c.body(), c.bounds(), c.refusable());
    }

    // ================================================================== random values

    private boolean chance(int percent) {
        return r.nextInt(100) < percent;
    }

    /** A small extent in [lo, hi]. */
    private int small(int lo, int hi) {
        return lo + r.nextInt(hi - lo + 1);
    }

    /** A wild extent: zero, negative, huge or Integer.MAX_VALUE as often as a small one. */
    private int wildInt(int typical) {
        int u = r.nextInt(100);
        if (u < 55) {
            return typical;
        }
        if (u < 65) {
            return 0;
        }
        if (u < 72) {
            return -1;
        }
        if (u < 76) {
            return Integer.MIN_VALUE;
        }
        if (u < 92) {
            return 1 << (16 + r.nextInt(15));
        }
        return Integer.MAX_VALUE;
    }

    /** An extent of the mode: {@code typical} when valid, maybe wild otherwise. */
    private int ext(int typical) {
        return mode == Mode.WILD && chance(20) ? wildInt(typical) : typical;
    }

    /** A huge extent, 2^19 to 2^31 - 1. */
    private int huge() {
        return chance(20) ? Integer.MAX_VALUE : (1 << (19 + r.nextInt(12))) + r.nextInt(1 << 10);
    }

    /** A hyper-parameter of the mode: {@code typical}, or (wild) NaN, an infinity, 0, a negative, beyond float32, tiny. */
    private double hyper(double typical) {
        if (mode != Mode.WILD || !chance(35)) {
            return typical;
        }
        double[] weird = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -typical, -1.0, 1e300,
                1e39, 1e-300, 2.0, Double.MIN_VALUE, Double.MAX_VALUE};
        return weird[r.nextInt(weird.length)];
    }

    /** An argument's plan: mostly OK, defective with the mode's rate. */
    private Arg arg(boolean output) {
        int rate = mode == Mode.VALID ? 7 : 15;
        if (!chance(rate)) {
            return Arg.OK;
        }
        Kind[] kinds = output ? Kind.values() : new Kind[] {Kind.NULL, Kind.CLOSED, Kind.FOREIGN, Kind.WRONG_SHAPE,
                Kind.VIEW};
        Kind k = kinds[r.nextInt(kinds.length)];
        return k == Kind.OK ? Arg.OK : new Arg(k, r.nextInt(1 << 20));
    }

    private void say(String s) {
        text.append(s);
    }

    private String said() {
        String s = text.toString();
        text.setLength(0);
        return s;
    }

    private static String args(Object... nameArg) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < nameArg.length; i += 2) {
            b.append(((Arg) nameArg[i + 1]).describe((String) nameArg[i]));
        }
        return b.toString();
    }

    /** Whether every one of a problem's tensors is small or huge (none of them in between). */
    private static boolean eachSmallOrHuge(long... elements) {
        for (long n : elements) {
            if (n > SMALL && n < HUGE) {
                return false;
            }
        }
        return true;
    }

    /** Whether a valid problem's largest tensor and work are small, or its largest tensor is huge. */
    private static boolean affordable(long largestTensor, long work) {
        if (largestTensor >= HUGE) {
            return true;
        }
        return largestTensor <= SMALL && work <= MAX_WORK;
    }

    // ================================================================== data (see docs/testing.md, "Data")

    private static float[] dyadic(FuzzEnv e, String name, int n) {
        return e.data.dyadic(name, n);
    }

    // ================================================================== convolution

    private static final ConvAlgorithm[] ALGORITHMS = ConvAlgorithm.values();

    /** A convolution's raw extents and flag, and the problem they make (null when they make none). */
    private record ConvRaw(int[] v, boolean transposed, ConvProblem problem) {
        ConvProblem build() {
            return problem != null ? problem : new ConvProblem(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8],
                    v[9], v[10], v[11], v[12], v[13], transposed, v[14], v[15]);
        }

        String describe() {
            return problem != null ? problem.toString()
                    : "raw" + java.util.Arrays.toString(v) + (transposed ? " transposed" : "");
        }
    }

    /**
     * A convolution of the case's mode: valid and affordable (valid mode), with huge extents (huge
     * mode), or with wild extents that may not make a problem at all (wild mode; the body's
     * construction is then refused on every device alike).
     */
    private ConvRaw convProblem() {
        for (int attempt = 0; attempt < 60; attempt++) {
            int g = chance(70) ? 1 : small(2, 4);
            boolean transposed = chance(25);
            int sh = small(1, 3);
            int sw = chance(50) ? sh : small(1, 3);
            int dh = chance(70) ? 1 : small(1, 3);
            int dw = chance(50) ? dh : small(1, 3);
            int kh = small(1, 4);
            int kw = chance(50) ? kh : small(1, 4);
            int[] v = {small(1, 3), g * small(1, 4), small(1, 9), small(1, 9), g * small(1, 4), kh, kw, sh, sw,
                    small(0, 2), small(0, 2), dh, dw, g,
                    transposed ? small(0, Math.max(sh, dh) - 1) : 0, transposed ? small(0, Math.max(sw, dw) - 1) : 0};
            if (chance(10)) {
                v[1] = small(1, 6); // depthwise: one group per image channel, a depth multiplier of 1 or 2
                v[13] = v[1];
                v[4] = v[1] * small(1, 2);
            }
            if (mode == Mode.WILD) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = ext(v[i]);
                }
            } else if (mode == Mode.HUGE) {
                // two of batch, channels, height, width, output channels, kernel extents
                int a = r.nextInt(7);
                int b = r.nextInt(7);
                v[a] = huge();
                v[b] = huge();
                if (a == 1 || a == 4 || b == 1 || b == 4) {
                    v[13] = 1;
                }
                if (a == 5 || b == 5) {
                    v[9] = v[5] / 2; // padding keeps the output non-empty
                }
                if (a == 6 || b == 6) {
                    v[10] = v[6] / 2;
                }
            }
            ConvProblem p;
            long largest;
            long work;
            try {
                p = new ConvProblem(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12],
                        v[13], transposed, v[14], v[15]);
                long x = p.inputShape().elements();
                long y = p.outputShape().elements();
                long w = p.weightShape().elements();
                largest = Math.max(x, Math.max(y, w));
                work = largest >= HUGE ? 0 : p.flops() / 2;
                if (!eachSmallOrHuge(x, y, w)) {
                    largest = SMALL + 1; // a tensor in between: some direction would allocate it without data
                }
            } catch (RuntimeException e) {
                if (mode == Mode.VALID) {
                    continue;
                }
                return new ConvRaw(v, transposed, null); // refused (or failing) again inside the body, on every device
            }
            if (affordable(largest, work)) {
                return new ConvRaw(v, transposed, p);
            }
        }
        return new ConvRaw(null, false, new ConvProblem(1, 2, 5, 5, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, false, 0, 0));
    }

    private Case conv(int index) {
        ConvRaw raw = convProblem();
        ConvProblem p = raw.problem();
        int dir = r.nextInt(5); // forward, forward with bias, backward-data, backward-filter, bias gradient
        ConvAlgorithm requested = chance(45) ? ConvAlgorithm.AUTO
                : chance(4) ? null : ALGORITHMS[r.nextInt(ALGORITHMS.length)];
        boolean into = chance(50);
        Arg a1 = arg(false);
        Arg a2 = arg(false);
        Arg a3 = arg(false);
        Arg ao = arg(true);
        String[] dirs = {"fwd", "fwd+bias", "bwd-data", "bwd-filter", "bwd-bias"};
        String desc = "conv2d " + dirs[dir] + " " + raw.describe() + " algorithm " + requested + (into ? " into" : "")
                + args("in1", a1, "in2", a2, "bias", a3, "out", ao);
        Body body = e -> {
            ConvProblem q = raw.build();
            ConvAlgorithm alg = e.algorithm(requested);
            Device d = e.device;
            Scope s = e.scope;
            switch (dir) {
                case 0, 1 -> {
                    Tensor x = e.in("x", q.inputShape(), a1, n -> dyadic(e, "x", n));
                    Tensor w = e.in("w", q.weightShape(), a2, n -> dyadic(e, "w", n));
                    Tensor b = dir == 1 ? e.in("bias", q.biasShape(), a3, n -> dyadic(e, "bias", n)) : null;
                    Tensor y;
                    if (into) {
                        y = e.out("y", q.outputShape(), ao);
                        d.conv2d(q, alg, x, w, b, y);
                    } else {
                        y = s.track(d.conv2d(q, alg, x, w, b));
                    }
                    return List.of(FuzzEnv.read("y", y));
                }
                case 2 -> {
                    Tensor dy = e.in("dy", q.outputShape(), a1, n -> dyadic(e, "dy", n));
                    Tensor w = e.in("w", q.weightShape(), a2, n -> dyadic(e, "w", n));
                    Tensor dx;
                    if (into) {
                        dx = e.out("dx", q.inputShape(), ao);
                        d.conv2dBackwardData(q, alg, dy, w, dx);
                    } else {
                        dx = s.track(d.conv2dBackwardData(q, alg, dy, w));
                    }
                    return List.of(FuzzEnv.read("dx", dx));
                }
                case 3 -> {
                    Tensor x = e.in("x", q.inputShape(), a1, n -> dyadic(e, "x", n));
                    Tensor dy = e.in("dy", q.outputShape(), a2, n -> dyadic(e, "dy", n));
                    Tensor dw;
                    if (into) {
                        dw = e.out("dw", q.weightShape(), ao);
                        d.conv2dBackwardFilter(q, alg, x, dy, dw);
                    } else {
                        dw = s.track(d.conv2dBackwardFilter(q, alg, x, dy));
                    }
                    return List.of(FuzzEnv.read("dw", dw));
                }
                default -> {
                    Tensor dy = e.in("dy", q.outputShape(), a1, n -> dyadic(e, "dy", n));
                    Tensor db;
                    if (into) {
                        db = e.out("db", q.biasShape(), ao);
                        d.conv2dBackwardBias(q, dy, db);
                    } else {
                        db = s.track(d.conv2dBackwardBias(q, dy));
                    }
                    return List.of(FuzzEnv.read("db", db));
                }
            }
        };
        ConvDirection direction = dir <= 1 ? ConvDirection.FORWARD : dir == 2 ? ConvDirection.BACKWARD_DATA
                : ConvDirection.BACKWARD_FILTER;
        String out = dir <= 1 ? "y" : dir == 2 ? "dx" : dir == 3 ? "dw" : "db";
        Bounds bounds = d -> {
            if (dir == 4) {
                return Map.of(out, ErrorBounds.REDUCTION);
            }
            ConvProblem q = raw.build();
            ConvAlgorithm ran = requested == ConvAlgorithm.AUTO ? d.autoAlgorithm(q, direction) : requested;
            return Map.of(out, ran.errorBound());
        };
        Predicate<Device> refusable = dir == 4 || requested == null || requested == ConvAlgorithm.AUTO ? null
                : d -> d.whyNot(raw.build(), direction, requested).isPresent();
        return new Case(index, "conv", desc, body, bounds, refusable);
    }

    /** whyNot, applicableAlgorithms and autoAlgorithm on random problems, huge ones included: no tensors, no data. */
    private Case convQuery(int index) {
        ConvRaw raw = convProblem();
        ConvDirection direction = ConvDirection.values()[r.nextInt(3)];
        int what = r.nextInt(3);
        ConvAlgorithm a = chance(10) ? null : ALGORITHMS[r.nextInt(ALGORITHMS.length)];
        String desc = (what == 0 ? "whyNot " + a : what == 1 ? "applicableAlgorithms" : "autoAlgorithm") + " "
                + direction + " " + raw.describe();
        Body body = e -> {
            ConvProblem q = raw.build();
            Device d = e.device;
            switch (what) {
                case 0 -> {
                    // answers differ between backends; an answer (or a clear refusal) is what is checked
                    d.whyNot(q, direction, a);
                }
                case 1 -> {
                    for (ConvAlgorithm x : d.applicableAlgorithms(q, direction)) {
                        if (d.whyNot(q, direction, x).isPresent() || !d.algorithms().contains(x)) {
                            throw new AssertionError("applicableAlgorithms lists " + x + ", which whyNot refuses or "
                                    + "algorithms() does not list");
                        }
                    }
                }
                default -> {
                    ConvAlgorithm x = d.autoAlgorithm(q, direction);
                    if (x == null || x == ConvAlgorithm.AUTO || !d.algorithms().contains(x)) {
                        throw new AssertionError("autoAlgorithm returned " + x + ", not one of " + d.algorithms());
                    }
                }
            }
            return List.of();
        };
        return new Case(index, "query", desc, body, d -> Map.of(), null);
    }

    // ================================================================== pooling

    private Case pool(int index) {
        PoolMode mode = PoolMode.values()[r.nextInt(3)];
        int[] v = null;
        PoolProblem p = null;
        boolean ceil = false;
        boolean cip = false;
        for (int attempt = 0; attempt < 60; attempt++) {
            int kh = small(1, 4);
            int kw = chance(50) ? kh : small(1, 4);
            v = new int[] {small(1, 3), small(1, 5), small(1, 12), small(1, 12), kh, kw, small(1, 3), small(1, 3),
                    small(0, kh / 2), small(0, kw / 2), mode == PoolMode.MAX && chance(30) ? 2 : 1, 1,
                    small(1, 6), small(1, 6)};
            v[11] = v[10];
            ceil = chance(30);
            cip = chance(50);
            if (this.mode == Mode.WILD) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = ext(v[i]);
                }
            } else if (this.mode == Mode.HUGE) {
                int a = r.nextInt(4);
                int b = (a + 1 + r.nextInt(3)) % 4;
                v[a] = huge();
                v[b] = huge();
                if (mode == PoolMode.ADAPTIVE_AVG && chance(50)) {
                    v[12] = huge();
                    v[13] = huge();
                }
            }
            long work;
            long largest;
            try {
                p = poolOf(mode, v, ceil, cip);
                largest = Math.max(p.inputShape().elements(), p.outputShape().elements());
                if (!eachSmallOrHuge(p.inputShape().elements(), p.outputShape().elements())) {
                    largest = SMALL + 1;
                }
                long window = mode == PoolMode.ADAPTIVE_AVG ? (long) (p.height() / p.outHeight() + 2)
                        * (p.width() / p.outWidth() + 2) : (long) p.kernelH() * p.kernelW();
                work = Math.multiplyHigh(largest, window) != 0 ? Long.MAX_VALUE : largest * window * 2;
            } catch (RuntimeException e) {
                if (this.mode == Mode.VALID) {
                    continue;
                }
                p = null;
                break; // refused (or failing) again inside the body, on every device
            }
            if (affordable(largest, work)) {
                break;
            }
            p = null;
            v = null;
        }
        if (v == null) {
            p = PoolProblem.max().batch(1).channels(2).size(6, 6).kernel(2, 2).build();
        }
        PoolProblem pp = p;
        int[] raw = v;
        boolean ceilMode = ceil;
        boolean countPad = cip;
        boolean backward = chance(50);
        boolean into = chance(50);
        boolean ties = chance(30);
        Arg ax = arg(false);
        Arg ady = arg(false);
        Arg ao = arg(true);
        String desc = "pool " + (backward ? "bwd " : "fwd ") + (pp != null ? pp.toString() : mode + " raw"
                + java.util.Arrays.toString(raw) + " ceil " + ceilMode + " cip " + countPad) + (into ? " into" : "")
                + (ties ? " ties" : "") + args("x", ax, "dy", ady, "out", ao);
        Body body = e -> {
            PoolProblem q = pp != null ? pp : poolOf(mode, raw, ceilMode, countPad);
            Device d = e.device;
            Tensor x = e.in("x", q.inputShape(), ax, n -> ties ? e.data.quantized("x", n, 4) : dyadic(e, "x", n));
            if (!backward) {
                Tensor y;
                if (into) {
                    y = e.out("y", q.outputShape(), ao);
                    d.pool(q, x, y);
                } else {
                    y = e.scope.track(d.pool(q, x));
                }
                return List.of(FuzzEnv.read("y", y));
            }
            Tensor dy = e.in("dy", q.outputShape(), ady, n -> dyadic(e, "dy", n));
            Tensor dx;
            if (into) {
                dx = e.out("dx", q.inputShape(), ao);
                d.poolBackward(q, x, dy, dx);
            } else {
                dx = e.scope.track(d.poolBackward(q, x, dy));
            }
            return List.of(FuzzEnv.read("dx", dx));
        };
        String out = backward ? "dx" : "y";
        return new Case(index, "pool", desc, body, d -> Map.of(out, ErrorBounds.POOLING), null);
    }

    private static PoolProblem poolOf(PoolMode mode, int[] v, boolean ceil, boolean cip) {
        return new PoolProblem(mode, v[0], v[1], v[2], v[3], mode == PoolMode.ADAPTIVE_AVG ? 0 : v[4],
                mode == PoolMode.ADAPTIVE_AVG ? 0 : v[5], mode == PoolMode.ADAPTIVE_AVG ? 0 : v[6],
                mode == PoolMode.ADAPTIVE_AVG ? 0 : v[7], mode == PoolMode.ADAPTIVE_AVG ? 0 : v[8],
                mode == PoolMode.ADAPTIVE_AVG ? 0 : v[9], mode == PoolMode.ADAPTIVE_AVG ? 0 : v[10],
                mode == PoolMode.ADAPTIVE_AVG ? 0 : v[11], mode != PoolMode.ADAPTIVE_AVG && ceil,
                mode == PoolMode.AVG && cip, mode == PoolMode.ADAPTIVE_AVG ? v[12] : 0,
                mode == PoolMode.ADAPTIVE_AVG ? v[13] : 0);
    }

    // ================================================================== batch norm

    private Case batchNorm(int index) {
        int pass = r.nextInt(4); // train, inference, backward, inference backward
        int[] v = {small(1, 4), small(1, 6), small(1, 6), small(1, 6)};
        if (pass == 2 && (long) v[0] * v[2] * v[3] < 3) {
            v[0] = 3; // three values per channel at least (docs/testing.md, "Data": two cancel in dx)
        }
        if (mode == Mode.WILD) {
            for (int i = 0; i < v.length; i++) {
                v[i] = ext(v[i]);
            }
        } else if (mode == Mode.HUGE) {
            int a = r.nextInt(4);
            v[a] = huge();
            v[(a + 1 + r.nextInt(3)) % 4] = huge();
        }
        double eps = hyper(BatchNormProblem.DEFAULT_EPS);
        double momentum = hyper(chance(20) ? (chance(50) ? 0 : 1) : 0.1);
        BatchNormProblem p0 = null;
        try {
            p0 = new BatchNormProblem(v[0], v[1], v[2], v[3], eps, momentum);
            long largest = p0.inputShape().elements();
            if (!affordable(largest, largest * 4)) {
                v = new int[] {2, 2, 3, 3};
                p0 = new BatchNormProblem(2, 2, 3, 3, eps, momentum);
            }
        } catch (RuntimeException e) {
            p0 = null;
        }
        BatchNormProblem pp = p0;
        int[] raw = v;
        boolean inPlace = pass == 1 && chance(30);
        Arg ax = arg(false);
        Arg ag = arg(false);
        Arg ab = arg(false);
        Arg ast = arg(false);
        Arg ao = arg(true);
        String[] names = {"batchNormTrain", "batchNormInference", "batchNormBackward", "batchNormInferenceBackward"};
        String desc = names[pass] + " " + (pp != null ? pp.toString() : "raw" + java.util.Arrays.toString(raw)
                + " eps=" + eps + " momentum=" + momentum) + (inPlace ? " in place" : "")
                + args("x", ax, "gamma", ag, "beta", ab, "stat", ast, "out", ao);
        Body body = e -> {
            BatchNormProblem q = pp != null ? pp : new BatchNormProblem(raw[0], raw[1], raw[2], raw[3], eps, momentum);
            Device d = e.device;
            HostData data = e.data;
            Shape cs = q.channelShape();
            float[] xs = q.inputShape().elements() <= FuzzEnv.UPLOAD_LIMIT ? bnInput(q, data) : null;
            Tensor x = e.in("x", q.inputShape(), ax, n -> xs);
            Tensor gamma = e.in("gamma", cs, ag, n -> data.nonZero("gamma", n, 0.5, 1.5));
            switch (pass) {
                case 0, 1 -> {
                    Tensor beta = e.in("beta", cs, ab, n -> data.signed("beta", n));
                    Tensor rm = e.in("running_mean", cs, ast, n -> bnRunningMean(q, data));
                    Tensor rv = e.in("running_var", cs, Arg.OK, n -> data.uniform("running_var", n, 0.5, 2));
                    if (pass == 1) {
                        Tensor y = inPlace ? x : e.out("y", q.inputShape(), ao);
                        d.batchNormInference(q, x, gamma, beta, rm, rv, y);
                        return List.of(FuzzEnv.read("y", y));
                    }
                    Tensor y = e.out("y", q.inputShape(), ao);
                    Tensor mean = e.out("save_mean", cs, Arg.OK);
                    Tensor invstd = e.out("save_invstd", cs, Arg.OK);
                    d.batchNormTrain(q, x, gamma, beta, rm, rv, y, mean, invstd);
                    return List.of(FuzzEnv.read("y", y), FuzzEnv.read("save_mean", mean),
                            FuzzEnv.read("save_invstd", invstd), FuzzEnv.read("running_mean", rm),
                            FuzzEnv.read("running_var", rv));
                }
                default -> {
                    float[][] stats = xs == null ? null : bnSaved(q, xs);
                    // host data only for what can be uploaded (a huge problem's tensors are refused first)
                    float[] center = pass == 2 ? (stats == null ? null : stats[0])
                            : q.channels() <= FuzzEnv.UPLOAD_LIMIT ? bnRunningMean(q, data) : null;
                    Tensor dy = e.in("dy", q.inputShape(), ab, n -> bnGradient(q, xs, center, data));
                    Tensor dx = e.out("dx", q.inputShape(), ao);
                    Tensor dgamma = e.out("dgamma", cs, Arg.OK);
                    Tensor dbeta = e.out("dbeta", cs, Arg.OK);
                    if (pass == 2) {
                        Tensor mean = e.in("save_mean", cs, ast, n -> stats[0]);
                        Tensor invstd = e.in("save_invstd", cs, Arg.OK, n -> stats[1]);
                        d.batchNormBackward(q, x, dy, gamma, mean, invstd, dx, dgamma, dbeta);
                    } else {
                        Tensor rm = e.in("running_mean", cs, ast, n -> bnRunningMean(q, data));
                        Tensor rv = e.in("running_var", cs, Arg.OK, n -> data.uniform("running_var", n, 0.5, 2));
                        d.batchNormInferenceBackward(q, x, dy, gamma, rm, rv, dx, dgamma, dbeta);
                    }
                    return List.of(FuzzEnv.read("dx", dx), FuzzEnv.read("dgamma", dgamma),
                            FuzzEnv.read("dbeta", dbeta));
                }
            }
        };
        Bounds bounds = d -> {
            double red = ErrorBounds.REDUCTION;
            return switch (pass) {
                case 0 -> bounds("y", red, "save_mean", red, "save_invstd", red, "running_mean", red, "running_var", red);
                case 1 -> bounds("y", ErrorBounds.ELEMENTWISE);
                case 2 -> bounds("dx", red, "dgamma", red, "dbeta", red);
                default -> bounds("dx", ErrorBounds.ELEMENTWISE, "dgamma", red, "dbeta", red);
            };
        };
        return new Case(index, "batchnorm", desc, body, bounds, null);
    }

    private static Map<String, Double> bounds(Object... nameBound) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < nameBound.length; i += 2) {
            m.put((String) nameBound[i], (Double) nameBound[i + 1]);
        }
        return m;
    }

    /** Per-channel offsets of magnitude 0.5..1.5 plus power-of-two-scaled dyadic values: no channel mean cancels. */
    private static float[] bnOffsets(BatchNormProblem p, HostData data) {
        float[] o = data.dyadic("offset", p.channels());
        for (int c = 0; c < o.length; c++) {
            o[c] = Math.copySign(0.5f + Math.abs(o[c]), o[c] == 0 ? 1 : o[c]);
        }
        return o;
    }

    private static float[] bnInput(BatchNormProblem p, HostData data) {
        float[] x = data.dyadic("x", (int) p.inputShape().elements());
        float[] offset = bnOffsets(p, data);
        int[] scaleLog2 = data.ints("scale", p.channels(), 4);
        long hw = (long) p.height() * p.width();
        for (int i = 0; i < x.length; i++) {
            int c = (int) ((i / hw) % p.channels());
            x[i] = offset[c] + Math.scalb(x[i], scaleLog2[c] - 2);
        }
        return x;
    }

    private static float[] bnRunningMean(BatchNormProblem p, HostData data) {
        float[] rm = data.uniform("running_mean", p.channels(), 0, 1);
        float[] offset = bnOffsets(p, data);
        for (int c = 0; c < rm.length; c++) {
            rm[c] = Math.copySign(rm[c], offset[c]);
        }
        return rm;
    }

    /** The batch statistics the forward pass saves, in double, rounded to float32. */
    private static float[][] bnSaved(BatchNormProblem p, float[] x) {
        long hw = (long) p.height() * p.width();
        double m = p.reductionSize();
        float[] mean = new float[p.channels()];
        float[] invstd = new float[p.channels()];
        for (int c = 0; c < p.channels(); c++) {
            double sum = 0;
            for (int n = 0; n < p.batch(); n++) {
                for (long i = 0; i < hw; i++) {
                    sum += x[(int) ((n * (long) p.channels() + c) * hw + i)];
                }
            }
            double mu = sum / m;
            double sq = 0;
            for (int n = 0; n < p.batch(); n++) {
                for (long i = 0; i < hw; i++) {
                    double dv = x[(int) ((n * (long) p.channels() + c) * hw + i)] - mu;
                    sq += dv * dv;
                }
            }
            mean[c] = (float) mu;
            invstd[c] = (float) (1 / Math.sqrt(sq / m + p.eps()));
        }
        return new float[][] {mean, invstd};
    }

    /** dy with the sign of x minus the channel's center, dyadic magnitudes: no cancelling sums. */
    private static float[] bnGradient(BatchNormProblem p, float[] x, float[] center, HostData data) {
        float[] dy = data.dyadic("dy", (int) p.inputShape().elements());
        long hw = (long) p.height() * p.width();
        for (int i = 0; i < dy.length && x != null && center != null; i++) {
            int c = (int) ((i / hw) % p.channels());
            dy[i] = Math.copySign(dy[i], x[i] - center[c] < 0 ? -1f : 1f);
        }
        return dy;
    }

    // ================================================================== element-wise

    /**
     * A vector length of the mode: small (valid), small or zero or negative (wild: a wild length in
     * between would be a large but allocatable tensor), or huge (huge mode, used with a second huge
     * extent, see {@link #vector}).
     */
    private int length() {
        if (mode == Mode.HUGE) {
            return huge();
        }
        int n = ext(chance(20) ? small(250, 520) : small(1, 64));
        return n > SMALL ? small(1, 64) : n;
    }

    /** The second extent of an element-wise tensor: 1, or huge in huge mode (n x n2 >= 2^38 elements). */
    private int second() {
        return mode == Mode.HUGE ? huge() : 1;
    }

    /** The shape of an element-wise tensor: (n) or, in huge mode, (n, n2). */
    private Shape vector(int n, int n2) {
        return mode == Mode.HUGE ? Shape.of(n, n2) : Shape.of(n);
    }

    /** The number of elements of {@code dims}, saturating at Long.MAX_VALUE; -1 when an extent is not positive. */
    private static long elements(int... dims) {
        long n = 1;
        for (int d : dims) {
            if (d <= 0) {
                return -1;
            }
            n = Math.multiplyHigh(n, d) != 0 || n * d < 0 ? Long.MAX_VALUE : n * d;
        }
        return n;
    }

    /** Whether a tensor of these extents is refused (an extent not positive), small, or huge. */
    private static boolean affordableDims(int... dims) {
        long n = elements(dims);
        return n < 0 || n <= SMALL || n >= HUGE;
    }

    private Case activation(int index) {
        Activation.Kind kind = Activation.Kind.values()[r.nextInt(5)];
        double alpha = hyper(kind == Activation.Kind.LEAKY_RELU ? (chance(50) ? 0.01 : -0.5) : 1.0);
        int n = length();
        int n2 = second();
        boolean backward = chance(50);
        int alias = r.nextInt(3); // forward: y fresh or y = x; backward: dx fresh, dx = x, dx = dy
        boolean quantized = chance(50);
        Arg ax = arg(false);
        Arg ady = arg(false);
        Arg ao = arg(true);
        String desc = "activation" + (backward ? "Backward " : " ") + kind + " alpha=" + alpha + " n=" + n
                + (mode == Mode.HUGE ? "x" + n2 : "") + " alias=" + alias + args("x", ax, "dy", ady, "out", ao);
        Body body = e -> {
            Activation a = new Activation(kind, alpha);
            Shape s = vector(n, n2);
            Device d = e.device;
            Tensor x = e.in("x", s, ax, k -> quantized ? e.data.quantized("x", k, 24) : e.data.uniform("x", k, -6, 6));
            if (!backward) {
                Tensor y = alias == 1 ? x : e.out("y", s, ao);
                d.activation(a, x, y);
                return List.of(FuzzEnv.read("y", y));
            }
            Tensor dy = e.in("dy", s, ady, k -> e.data.signed("dy", k));
            Tensor dx = alias == 1 ? x : alias == 2 ? dy : e.out("dx", s, ao);
            d.activationBackward(a, x, dy, dx);
            return List.of(FuzzEnv.read("dx", dx));
        };
        String out = backward ? "dx" : "y";
        return new Case(index, "activation", desc, body, d -> Map.of(out, ErrorBounds.ELEMENTWISE), null);
    }

    private Case axpby(int index) {
        double alpha = hyper(r.nextInt(-8, 9) / 4.0);
        double beta = hyper(r.nextInt(-8, 9) / 4.0);
        int n = length();
        int n2 = second();
        int alias = r.nextInt(3); // out fresh, out = a, out = b
        boolean same = chance(15); // a and b one tensor
        Arg aa = arg(false);
        Arg ab = arg(false);
        Arg ao = arg(true);
        String desc = "axpby alpha=" + alpha + " beta=" + beta + " n=" + n + " alias=" + alias + (same ? " a=b" : "")
                + args("a", aa, "b", ab, "out", ao);
        Body body = e -> {
            Shape s = vector(n, n2);
            Tensor a = e.in("a", s, aa, k -> dyadic(e, "a", k));
            Tensor b = same ? a : e.in("b", s, ab, k -> dyadic(e, "b", k));
            Tensor out = alias == 1 ? a : alias == 2 ? b : e.out("out", s, ao);
            e.device.axpby(alpha, a, beta, b, out);
            return List.of(FuzzEnv.read("out", out));
        };
        return new Case(index, "axpby", desc, body, d -> Map.of("out", ErrorBounds.ELEMENTWISE), null);
    }

    private Case dropout(int index) {
        double[] ps = {0, 0.5, 0.25, 1, 1e-9, 1 - 1e-9, 0.9};
        double p = hyper(ps[r.nextInt(ps.length)]);
        long seed = r.nextLong();
        long offset = chance(30) ? (1L << 32) - 2 : chance(20) ? Long.MAX_VALUE - 1 : r.nextLong(1 << 20);
        int n = length();
        int n2 = second();
        boolean backward = chance(50);
        boolean inPlace = chance(30);
        Arg ain = arg(false);
        Arg ao = arg(true);
        String desc = "dropout" + (backward ? "Backward" : "") + " p=" + p + " seed=" + seed + " offset=" + offset
                + " n=" + n + (inPlace ? " in place" : "") + args("in", ain, "out", ao);
        Body body = e -> {
            Shape s = vector(n, n2);
            Tensor in = e.in("in", s, ain, k -> e.data.signed("in", k));
            Tensor out = inPlace ? in : e.out("out", s, ao);
            if (backward) {
                e.device.dropoutBackward(p, seed, offset, in, out);
            } else {
                e.device.dropout(p, seed, offset, in, out);
            }
            return List.of(FuzzEnv.read("out", out));
        };
        return new Case(index, "dropout", desc, body, d -> Map.of("out", ErrorBounds.ELEMENTWISE), null);
    }

    private Case random(int index) {
        boolean normal = chance(50);
        double a = hyper(normal ? r.nextInt(-4, 5) / 2.0 : -1);
        double b = hyper(normal ? 0.5 + r.nextInt(4) : 1 + r.nextInt(3));
        long seed = r.nextLong();
        long offset = chance(30) ? (1L << 32) - 1 : r.nextLong(1 << 20);
        int n = length();
        int n2 = second();
        Arg at = arg(false);
        String desc = (normal ? "randomNormal mean=" + a + " std=" + b : "randomUniform lo=" + a + " hi=" + b)
                + " seed=" + seed + " offset=" + offset + " n=" + n + args("t", at);
        Body body = e -> {
            Tensor t = e.out("t", vector(n, n2), at);
            if (normal) {
                e.device.randomNormal(t, a, b, seed, offset);
            } else {
                e.device.randomUniform(t, a, b, seed, offset);
            }
            return List.of(FuzzEnv.read("t", t));
        };
        return new Case(index, "random", desc, body, d -> Map.of("t", ErrorBounds.RANDOM), null);
    }

    // ================================================================== softmax, cross-entropy

    private Case softmax(int index) {
        int pass = r.nextInt(3); // forward, backward, cross-entropy
        int rows0 = mode == Mode.HUGE ? huge() : ext(small(1, 9));
        int cols0 = mode == Mode.HUGE ? huge() : ext(chance(20) ? small(250, 300) : small(1, 12));
        boolean tame = !affordableDims(rows0, cols0);
        int rows = tame ? small(1, 9) : rows0;
        int cols = tame ? small(1, 12) : cols0;
        boolean cube = chance(5);
        double smoothing = hyper(chance(30) ? 0 : r.nextInt(0, 5) / 4.0);
        int labelDefect = mode == Mode.VALID ? (chance(5) ? r.nextInt(1, 5) : 0) : (chance(20) ? r.nextInt(1, 5) : 0);
        Arg ax = arg(false);
        Arg ady = arg(false);
        Arg ao = arg(true);
        Arg al = arg(true);
        String[] names = {"softmax", "softmaxBackward", "softmaxCrossEntropy"};
        String desc = names[pass] + " rows=" + rows + " cols=" + cols + (cube ? " (3-D)" : "")
                + (pass == 2 ? " smoothing=" + smoothing + " labelDefect=" + labelDefect : "")
                + args("x", ax, "dy", ady, "out", ao, "loss", al);
        Body body = e -> {
            Shape s = cube ? Shape.of(rows, cols, 1) : Shape.of(rows, cols);
            Device d = e.device;
            HostData data = e.data;
            if (pass == 0) {
                Tensor x = e.in("x", s, ax, k -> data.uniform("x", k, -4, 4));
                Tensor y = e.out("y", s, ao);
                d.softmax(x, y);
                return List.of(FuzzEnv.read("y", y));
            }
            if (pass == 1) {
                Tensor y = e.in("y", s, ax, k -> hostSoftmax(rows, cols, data.uniform("logits", k, -1, 1)));
                Tensor dy = e.in("dy", s, ady, k -> alternating(rows, cols, data));
                Tensor dx = e.out("dx", s, ao);
                d.softmaxBackward(y, dy, dx);
                return List.of(FuzzEnv.read("dx", dx));
            }
            Tensor logits = e.in("logits", s, ax, k -> data.uniform("logits", k, -4, 4));
            int[] labels = rows > 0 && (long) rows <= FuzzEnv.UPLOAD_LIMIT && cols > 0
                    ? data.ints("labels", rows, cols) : new int[0];
            switch (labelDefect) {
                case 1 -> labels = null;
                case 2 -> labels = java.util.Arrays.copyOf(labels, Math.max(0, labels.length - 1));
                case 3 -> {
                    if (labels.length > 0) {
                        labels[labels.length - 1] = -1;
                    }
                }
                case 4 -> {
                    if (labels.length > 0) {
                        labels[0] = cols;
                    }
                }
                default -> {
                }
            }
            Tensor loss = e.out("loss", Shape.of(1), al);
            Tensor dlogits = e.out("dlogits", s, ao);
            d.softmaxCrossEntropy(logits, labels, smoothing, loss, dlogits);
            return List.of(FuzzEnv.read("loss", loss), FuzzEnv.read("dlogits", dlogits));
        };
        Bounds bounds = d -> pass == 0 ? Map.of("y", ErrorBounds.SOFTMAX) : pass == 1 ? Map.of("dx", ErrorBounds.SOFTMAX)
                : bounds("loss", ErrorBounds.SOFTMAX, "dlogits", ErrorBounds.SOFTMAX);
        return new Case(index, "softmax", desc, body, bounds, null);
    }

    /**
     * The row softmax of x's first rows; a tensor of the wrong shape (the wild cases) holds other than
     * rows*cols values: the whole rows it holds are normalized, the rest left as they are (that call
     * must be refused anyway).
     */
    private static float[] hostSoftmax(int rows, int cols, float[] x) {
        float[] y = x.clone();
        int whole = cols <= 0 ? 0 : Math.min(rows, x.length / cols);
        for (int i = 0; i < whole; i++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                m = Math.max(m, x[i * cols + j]);
            }
            double s = 0;
            for (int j = 0; j < cols; j++) {
                s += Math.exp(x[i * cols + j] - m);
            }
            for (int j = 0; j < cols; j++) {
                y[i * cols + j] = (float) (Math.exp(x[i * cols + j] - m) / s);
            }
        }
        return y;
    }

    /** dy of magnitudes 0.5..1 whose sign alternates along each row (no cancelling rows, see docs/testing.md). */
    private static float[] alternating(int rows, int cols, HostData data) {
        float[] m = data.uniform("dy", rows * cols, 0.5, 1);
        for (int i = 0; i < m.length; i++) {
            if ((i % cols) % 2 == 1) {
                m[i] = -m[i];
            }
        }
        return m;
    }

    // ================================================================== linear

    private Case linear(int index) {
        int[] v = {small(1, 6), small(1, 40), small(1, 12)};
        if (mode == Mode.WILD) {
            for (int i = 0; i < v.length; i++) {
                v[i] = ext(v[i]);
            }
        } else if (mode == Mode.HUGE) {
            int a = r.nextInt(3);
            v[a] = huge();
            v[(a + 1 + r.nextInt(2)) % 3] = huge();
        }
        if (!affordableDims(v[0], v[1]) || !affordableDims(v[2], v[1]) || !affordableDims(v[0], v[2])
                || (elements(v) > 0 && elements(v) < HUGE && elements(v) > MAX_WORK)) {
            v = new int[] {small(1, 6), small(1, 40), small(1, 12)};
        }
        int pass = r.nextInt(5); // forward, forward with bias, backward data, backward weight, backward bias
        Arg a1 = arg(false);
        Arg a2 = arg(false);
        Arg a3 = arg(false);
        Arg ao = arg(true);
        String[] names = {"linear", "linear+bias", "linearBackwardData", "linearBackwardWeight", "linearBackwardBias"};
        String desc = names[pass] + " mb" + v[0] + "ic" + v[1] + "oc" + v[2]
                + args("in1", a1, "in2", a2, "bias", a3, "out", ao);
        int[] raw = v;
        Body body = e -> {
            LinearProblem p = new LinearProblem(raw[0], raw[1], raw[2]);
            Device d = e.device;
            switch (pass) {
                case 0, 1 -> {
                    Tensor x = e.in("x", p.inputShape(), a1, k -> dyadic(e, "x", k));
                    Tensor w = e.in("w", p.weightShape(), a2, k -> dyadic(e, "w", k));
                    Tensor b = pass == 1 ? e.in("bias", p.biasShape(), a3, k -> dyadic(e, "bias", k)) : null;
                    Tensor y = e.out("y", p.outputShape(), ao);
                    d.linear(p, x, w, b, y);
                    return List.of(FuzzEnv.read("y", y));
                }
                case 2 -> {
                    Tensor dy = e.in("dy", p.outputShape(), a1, k -> dyadic(e, "dy", k));
                    Tensor w = e.in("w", p.weightShape(), a2, k -> dyadic(e, "w", k));
                    Tensor dx = e.out("dx", p.inputShape(), ao);
                    d.linearBackwardData(p, dy, w, dx);
                    return List.of(FuzzEnv.read("dx", dx));
                }
                case 3 -> {
                    Tensor x = e.in("x", p.inputShape(), a1, k -> dyadic(e, "x", k));
                    Tensor dy = e.in("dy", p.outputShape(), a2, k -> dyadic(e, "dy", k));
                    Tensor dw = e.out("dw", p.weightShape(), ao);
                    d.linearBackwardWeight(p, x, dy, dw);
                    return List.of(FuzzEnv.read("dw", dw));
                }
                default -> {
                    Tensor dy = e.in("dy", p.outputShape(), a1, k -> dyadic(e, "dy", k));
                    Tensor db = e.out("db", p.biasShape(), ao);
                    d.linearBackwardBias(p, dy, db);
                    return List.of(FuzzEnv.read("db", db));
                }
            }
        };
        String out = pass <= 1 ? "y" : pass == 2 ? "dx" : pass == 3 ? "dw" : "db";
        double bound = pass == 4 ? ErrorBounds.REDUCTION : ErrorBounds.GEMM;
        return new Case(index, "linear", desc, body, d -> Map.of(out, bound), null);
    }

    // ================================================================== optimizers

    private Case optimizer(int index) {
        int kind = r.nextInt(6);
        double lr = hyper(1e-3);
        double a = hyper(0.9);
        double b = hyper(0.999);
        double eps = hyper(1e-8);
        double wd = hyper(chance(50) ? 0 : 1e-2);
        boolean flag = chance(50);
        int n0 = mode == Mode.HUGE ? huge() : ext(small(1, 300));
        int n = n0 > SMALL && mode != Mode.HUGE ? small(1, 300) : n0;
        int n2 = second();
        int steps = small(1, 3);
        Arg ap = arg(false);
        Arg ag = arg(false);
        String[] names = {"sgd", "adagrad", "rmsprop", "adam", "adamw", "adadelta"};
        String desc = "step " + names[kind] + " lr=" + lr + " a=" + a + " b=" + b + " eps=" + eps + " wd=" + wd
                + " flag=" + flag + " n=" + n + (mode == Mode.HUGE ? "x" + n2 : "") + " steps=" + steps
                + args("param", ap, "grad", ag);
        Body body = e -> {
            Optimizer rule = switch (kind) {
                case 0 -> new Sgd(lr, flag ? a : 0, 0, flag, wd);
                case 1 -> new AdaGrad(lr, 0, wd, 0.1, eps > 0 && eps < 1e-9 ? 1e-10 : eps);
                // centered only with a smoothing constant of at least 1/2: with alpha near 0 the centered
                // variance of the first step is 0 in exact arithmetic and a rounding residue in float32,
                // and lr * g / (sqrt(residue) + eps) differs from lr * g / eps by orders of magnitude
                case 2 -> new RmsProp(lr, a == 0.9 ? 0.99 : a, eps, wd, flag ? 0.5 : 0,
                        flag && (a == 0.9 || (a >= 0.5 && a < 1)));
                case 3 -> new Adam(lr, a, b, eps, wd, flag);
                case 4 -> new AdamW(lr, a, b, eps, wd, flag);
                default -> new AdaDelta(lr == 1e-3 ? 1.0 : lr, a, eps == 1e-8 ? 1e-6 : eps, wd);
            };
            Shape s = vector(n, n2);
            Device d = e.device;
            HostData data = e.data;
            // one sign per element in the parameter and all its gradients, magnitudes 0.5..1 (docs/testing.md)
            float[] p0 = s.elements() <= FuzzEnv.UPLOAD_LIMIT ? data.nonZero("param", (int) s.elements(), 0.5, 1)
                    : new float[0];
            Tensor param = e.in("param", s, ap, k -> p0);
            Tensor grad = e.in("grad", s, ag, k -> {
                float[] g = data.uniform("grad", k, 0.1, 1);
                for (int i = 0; i < k && p0.length > 0; i++) {
                    g[i] = Math.copySign(g[i], p0[i % p0.length]);
                }
                return g;
            });
            OptimizerState st = e.scope.track(d.optimizerState(rule, s));
            for (int i = 0; i < steps; i++) {
                d.step(rule, st, param, grad);
            }
            List<Output> out = new ArrayList<>();
            out.add(FuzzEnv.read("param", param));
            for (String name : st.stateNames()) {
                out.add(FuzzEnv.read(name, st.get(name)));
            }
            return out;
        };
        Bounds bounds = d -> {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("param", ErrorBounds.OPTIMIZER);
            return m; // state tensors are intermediate values of the same formulas; the parameter is the result
        };
        return new Case(index, "optimizer", desc, body, bounds, null);
    }

    // ================================================================== memory and transfers

    private Case memory(int index) {
        int what = r.nextInt(8);
        int[] dims = new int[mode == Mode.HUGE ? small(2, 4) : small(1, 4)];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = mode == Mode.VALID ? small(1, 9) : mode == Mode.HUGE ? (chance(60) ? huge() : small(1, 9))
                    : wildInt(small(1, 9));
        }
        if (mode == Mode.HUGE) {
            dims[0] = huge();
            dims[1] = huge();
        }
        if (!affordableDims(dims)) {
            for (int i = 0; i < dims.length; i++) {
                dims[i] = small(1, 9);
            }
        }
        boolean badView = chance(30);
        long[] offsets = {0, 1, -1, 3, Long.MAX_VALUE, Long.MAX_VALUE - 2, Long.MIN_VALUE, 1L << 31, (1L << 32) + 1};
        long offset = mode == Mode.VALID && chance(80) ? small(0, 3) : offsets[r.nextInt(offsets.length)];
        int[] lengths = {0, 1, 2, 5, -1, Integer.MAX_VALUE, Integer.MIN_VALUE};
        int length = mode == Mode.VALID && chance(80) ? small(0, 4) : lengths[r.nextInt(lengths.length)];
        int arrayOffset = mode == Mode.VALID && chance(80) ? small(0, 2) : lengths[r.nextInt(lengths.length)];
        int arrayLength = small(0, 8);
        float value = mode == Mode.VALID ? r.nextInt(-8, 9) / 4f : (float) hyper(r.nextInt(-8, 9) / 4.0);
        Arg at0 = arg(false);
        // read, write, view and item are Tensor methods: a null receiver is not an API call
        Arg at = at0.kind() == Kind.NULL && what != 5 ? Arg.OK : at0;
        Arg ao = arg(true);
        String[] names = {"allocate", "full", "upload", "read", "write", "copy", "view", "item/copyTo/copyFrom"};
        String desc = names[what] + " dims=" + java.util.Arrays.toString(dims) + " offset=" + offset + " length="
                + length + " arrayOffset=" + arrayOffset + " array=" + arrayLength + " value=" + value
                + args("t", at, "dst", ao);
        Body body = e -> {
            Device d = e.device;
            Shape s = Shape.of(dims);
            switch (what) {
                case 0 -> {
                    Tensor t = e.scope.track(d.allocate(s));
                    return List.of(Output.of("elements", Shape.of(1), new double[] {t.elements()}));
                }
                case 1 -> {
                    Tensor t = e.scope.track(d.full(s, value));
                    d.fill(t, value);
                    return List.of(FuzzEnv.read("t", t));
                }
                case 2 -> {
                    long n = s.elements();
                    float[] src = n <= FuzzEnv.UPLOAD_LIMIT ? e.data.signed("src", (int) n + (at.kind() == Kind.WRONG_SHAPE
                            ? 1 : 0)) : new float[arrayLength];
                    Tensor t = e.scope.track(d.upload(s, at.kind() == Kind.NULL ? null : src));
                    return List.of(FuzzEnv.read("t", t));
                }
                case 3 -> {
                    Tensor t = e.in("t", s, at, k -> e.data.signed("t", k));
                    float[] dst = new float[arrayLength];
                    t.read(offset, dst, arrayOffset, length);
                    return List.of(Output.of("dst", Shape.of(Math.max(1, dst.length)), widen(dst)));
                }
                case 4 -> {
                    Tensor t = e.in("t", s, at, k -> e.data.signed("t", k));
                    t.write(offset, e.data.signed("src", arrayLength), arrayOffset, length);
                    return List.of(FuzzEnv.read("t", t));
                }
                case 5 -> {
                    Tensor src = e.in("src", s, at, k -> e.data.signed("src", k));
                    Tensor dst = e.out("dst", s, ao);
                    d.copy(src, dst);
                    return List.of(FuzzEnv.read("dst", dst));
                }
                case 6 -> {
                    Tensor t = e.in("t", s, at, k -> e.data.signed("t", k));
                    Shape vs = badView ? Shape.of(arrayLength + 1) : Shape.of(reverse(dims));
                    Tensor v = e.scope.track(t.view(vs));
                    d.fill(v, value);
                    return List.of(FuzzEnv.read("t", t));
                }
                default -> {
                    Tensor t = e.in("t", s, at, k -> e.data.signed("t", k));
                    float[] a = new float[arrayLength];
                    t.copyFrom(a);
                    t.copyTo(a);
                    double item = t.item();
                    return List.of(Output.of("item", Shape.of(1), new double[] {item}));
                }
            }
        };
        return new Case(index, "memory", desc, body, d -> Map.of("t", 0.0, "dst", 0.0, "elements", 0.0,
                "item", 0.0), null);
    }

    private static int[] reverse(int[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[a.length - 1 - i];
        }
        return b;
    }

    private static double[] widen(float[] a) {
        double[] d = new double[Math.max(1, a.length)];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
