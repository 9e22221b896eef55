package io.jdnn.tests.reliability;

import io.jdnn.ConvAlgorithm;
import io.jdnn.Device;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.tests.support.HostData;
import io.jdnn.tests.support.Output;
import io.jdnn.tests.support.Scope;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Where one fuzz case runs: the device, the {@link Scope} that closes every tensor the case made,
 * a second device for "foreign" tensors (another reference instance: a tensor of another device
 * must be refused, whatever the device under test is), and the case's data. A case's body builds
 * its tensors through {@link #in} and {@link #out}, which apply the argument's planned defect
 * ({@link Arg}); the same body runs on the reference and on every device under test.
 */
final class FuzzEnv {
    /** Tensors up to this many elements get data from the host; larger ones are allocated only (they are refused). */
    static final long UPLOAD_LIMIT = 1L << 24;

    /** What a case does to one tensor argument. */
    enum Kind {
        /** A tensor of the expected shape on the device. */
        OK,
        /** null. */
        NULL,
        /** A tensor of the expected shape, closed before the call. */
        CLOSED,
        /** A tensor of the expected shape on another device. */
        FOREIGN,
        /** A tensor of another shape (one extent off by one, an extent of 1 added or dropped, or two swapped). */
        WRONG_SHAPE,
        /** A view of the expected shape on a flat tensor (valid). */
        VIEW,
        /** An output that is one of the inputs (valid where the op allows it in place, refused elsewhere). */
        ALIAS
    }

    /** One argument's plan; {@code salt} picks how a wrong shape is wrong. */
    record Arg(Kind kind, int salt) {
        static final Arg OK = new Arg(Kind.OK, 0);

        String describe(String name) {
            return kind == Kind.OK ? "" : " " + name + "=" + kind.name().toLowerCase(java.util.Locale.ROOT)
                    + (kind == Kind.WRONG_SHAPE ? "#" + salt : "");
        }
    }

    final Device device;
    final Scope scope;
    final Device foreign;
    final Scope foreignScope;
    final HostData data;
    /** True on the reference's run, whose convolutions run DIRECT whatever the case requests (see {@link #algorithm}). */
    final boolean oracle;
    private final List<Tensor> inputs = new ArrayList<>();

    FuzzEnv(Device device, Scope scope, Device foreign, Scope foreignScope, HostData data, boolean oracle) {
        this.device = device;
        this.scope = scope;
        this.foreign = foreign;
        this.foreignScope = foreignScope;
        this.data = data;
        this.oracle = oracle;
    }

    /**
     * The algorithm to request: the case's, except on the reference, which implements DIRECT only
     * and computes the expected result with it (a device that cannot run the requested algorithm
     * must refuse it with AlgorithmNotSupportedException, which the test checks against whyNot).
     */
    ConvAlgorithm algorithm(ConvAlgorithm requested) {
        if (!oracle || requested == null || requested == ConvAlgorithm.AUTO) {
            return requested;
        }
        return ConvAlgorithm.DIRECT;
    }

    /** An input tensor of {@code shape} holding {@code fill}'s values, with {@code arg}'s defect. */
    Tensor in(String name, Shape shape, Arg arg, IntFunction<float[]> fill) {
        Tensor t = make(name, shape, arg, fill);
        if (t != null) {
            inputs.add(t);
        }
        return t;
    }

    /** An output tensor of {@code shape} filled with NaN (poisoned), with {@code arg}'s defect. */
    Tensor out(String name, Shape shape, Arg arg) {
        if (arg.kind() == Kind.ALIAS) {
            return inputs.isEmpty() ? null : inputs.get(Math.floorMod(arg.salt(), inputs.size()));
        }
        return make(name, shape, arg, null);
    }

    /** Reads {@code t} back as the output {@code name}. */
    static Output read(String name, Tensor t) {
        return Output.of(name, t);
    }

    private Tensor make(String name, Shape shape, Arg arg, IntFunction<float[]> fill) {
        switch (arg.kind()) {
            case NULL:
                return null;
            case CLOSED: {
                Tensor t = create(device, scope, shape, fill);
                t.close();
                return t;
            }
            case FOREIGN:
                return create(foreign, foreignScope, shape, fill);
            case WRONG_SHAPE:
                return create(device, scope, wrong(shape, arg.salt()), fill);
            case VIEW: {
                // a base of more elements than one extent holds keeps the tensor's own shape, so that
                // its allocation is refused exactly as the plain tensor's would be (a base clipped to
                // 2^31 - 1 elements fit on PoCL, and the view of the wrong size was refused instead)
                Shape base = shape.elements() > Integer.MAX_VALUE ? shape : Shape.of(checkedInt(shape.elements()));
                Tensor flat = create(device, scope, base, fill);
                return scope.track(flat.view(shape));
            }
            default:
                return create(device, scope, shape, fill);
        }
    }

    private static int checkedInt(long n) {
        // a huge view is refused when its flat base is allocated; keep the base's extent positive
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    private static Tensor create(Device d, Scope s, Shape shape, IntFunction<float[]> fill) {
        long n = shape.elements();
        if (n > UPLOAD_LIMIT) {
            return s.track(d.allocate(shape));
        }
        if (fill == null) {
            return s.poisoned(shape);
        }
        return s.upload(shape, fill.apply((int) n));
    }

    /** Another shape than {@code s}: the salt picks how. */
    static Shape wrong(Shape s, int salt) {
        int[] d = s.dims();
        int how = Math.floorMod(salt, 4);
        int at = Math.floorMod(salt >>> 2, d.length);
        // merging two extents must not overflow an int: a wrapped product is a large but allocatable
        // tensor (case 1073 of seed -2036865908050599408 asked the reference for 4.8 GB of doubles,
        // which the heap held and the test JVM then died of), which the generator never means to draw
        boolean mergeOverflows = how == 2 && d.length > 1
                && (long) d[at == 0 ? 1 : 0] * d[at] > Integer.MAX_VALUE;
        if (how == 0 || mergeOverflows || (how == 2 && d.length == 1)
                || (how == 3 && (d.length == 1 || d[at] == d[(at + 1) % d.length]))) {
            d[at] = d[at] > 1 && (salt & 64) != 0 ? d[at] - 1 : d[at] + 1;
            return Shape.of(d);
        }
        if (how == 1) {
            int[] e = java.util.Arrays.copyOf(d, d.length + 1);
            e[d.length] = 1;
            return Shape.of(e);
        }
        if (how == 2) {
            int[] e = new int[d.length - 1];
            for (int i = 0, j = 0; i < d.length; i++) {
                if (i != at) {
                    e[j++] = d[i];
                }
            }
            e[0] *= d[at];
            return Shape.of(e);
        }
        int b = (at + 1) % d.length;
        int tmp = d[at];
        d[at] = d[b];
        d[b] = tmp;
        return Shape.of(d);
    }
}
