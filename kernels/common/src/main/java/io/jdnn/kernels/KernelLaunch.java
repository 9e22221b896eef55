package io.jdnn.kernels;

import io.jdnn.Activation;
import io.jdnn.DirectConv;
import io.jdnn.spi.Buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * One kernel launch being set up: named arguments in the kernel's parameter order, then a launch
 * shape. Made by {@link KernelDevice#launch}; each backend implements the argument setters and
 * {@link #enqueue} (OpenCL: clSetKernelArg and clEnqueueNDRangeKernel; CUDA: a kernelParams array
 * and cuLaunchKernel with grid = global / local).
 *
 * <pre>
 *   device.launch("poolForward", p.toString(), "pool.cl", "pool_max_forward")
 *         .arg("total", total).arg("H", h).arg("W", w) ... .arg("x", x).arg("y", y)
 *         .elements(total);            // 1-D grid-stride launch
 * </pre>
 *
 * <p>Every argument is named as the kernel's parameter is. Before anything runs, the names, kinds
 * and order of the arguments are checked against the kernel's parameter list as the source
 * declares it ({@link KernelSources#parameters}): a launch whose arguments do not match (one
 * missing, one too many, one of another kind, or two swapped) throws {@link IllegalStateException}
 * naming both lists, on every backend. The shape of a convolution, which every conv kernel takes
 * first ({@code CONV_SHAPE_PARAMS} of {@code jdnn_portable.h}), is set by {@link #convShape}.
 */
public abstract class KernelLaunch {
    private final KernelDevice device;
    private final String source;
    private final String name;
    private final String op;
    private final String problem;
    private final List<KernelSources.Param> params = new ArrayList<>(24);

    /**
     * @param source  the kernel source file (for the signature check and messages)
     * @param name    the kernel's name
     * @param op      the op that launches it, for messages
     * @param problem the problem string, for messages (may be null)
     */
    protected KernelLaunch(KernelDevice device, String source, String name, String op, String problem) {
        this.device = device;
        this.source = source;
        this.name = name;
        this.op = op;
        this.problem = problem;
    }

    /** The {@code int} (or {@code u32}) parameter {@code param}. */
    public final KernelLaunch arg(String param, int v) {
        setInt(params.size(), v);
        params.add(new KernelSources.Param(param, KernelSources.ArgKind.INT));
        return this;
    }

    /** The {@code i64} parameter {@code param}. */
    public final KernelLaunch arg(String param, long v) {
        setLong(params.size(), v);
        params.add(new KernelSources.Param(param, KernelSources.ArgKind.LONG));
        return this;
    }

    /** The {@code float} parameter {@code param}. */
    public final KernelLaunch arg(String param, float v) {
        setFloat(params.size(), v);
        params.add(new KernelSources.Param(param, KernelSources.ArgKind.FLOAT));
        return this;
    }

    /** A flag passed as the int parameter {@code param} (1 or 0). */
    public final KernelLaunch arg(String param, boolean v) {
        return arg(param, v ? 1 : 0);
    }

    /**
     * The buffer parameter {@code param}. Never null: pass {@link KernelDevice#orPlaceholder} with
     * a flag argument for an optional buffer.
     */
    public final KernelLaunch arg(String param, Buffer b) {
        if (b == null) {
            throw new IllegalArgumentException(op + ": argument " + params.size() + " (" + param + ") of kernel " + name
                    + " is a null buffer; pass device.orPlaceholder(buffer) with a flag for an absent one");
        }
        setBuffer(params.size(), b);
        params.add(new KernelSources.Param(param, KernelSources.ArgKind.BUFFER));
        return this;
    }

    /**
     * The fused epilogue's arguments of a forward convolution kernel that takes one
     * (conv_direct_forward, igemm_forward, conv_tc_tf32_forward): act_kind -1 where {@code a} is
     * null (none), else its code in jdnn_portable.h's EW_ numbering, with its alpha and threshold.
     */
    public final KernelLaunch epilogue(Activation a) {
        return arg("act_kind", a == null ? -1 : Elementwise.activationCode(a.kind()))
                .arg("act_alpha", a == null ? 0f : (float) a.alpha())
                .arg("act_threshold", a == null ? 0f : (float) a.threshold());
    }

    /**
     * The shape of convolution {@code c}, the parameters {@code CONV_SHAPE_PARAMS} of
     * {@code jdnn_portable.h} that every convolution kernel starts with: N, C, H, W, K, P, Q, R, S,
     * sh, sw, ph, pw, dh, dw, G. The one place the host fills them.
     */
    public final KernelLaunch convShape(DirectConv c) {
        return arg("N", c.n()).arg("C", c.c()).arg("H", c.h()).arg("W", c.w()).arg("K", c.k())
                .arg("P", c.p()).arg("Q", c.q()).arg("R", c.r()).arg("S", c.s())
                .arg("sh", c.strideH()).arg("sw", c.strideW()).arg("ph", c.padH()).arg("pw", c.padW())
                .arg("dh", c.dilationH()).arg("dw", c.dilationW()).arg("G", c.groups());
    }

    /**
     * Launches a kernel that walks [0, n) with GRID_STRIDE_LOOP: 1-D, the device's element-wise
     * local size, as many groups as n needs up to the device's cap. Nothing runs when n is 0.
     */
    public final void elements(long n) {
        if (n <= 0) {
            return;
        }
        long local = Math.min(device.elementwiseLocalSize(), maxLocalSize());
        long groups = Math.min((n + local - 1) / local, device.maxGridStrideGroups());
        run(new long[] {groups * local}, new long[] {local});
    }

    /** Launches exactly {@code groups} 1-D work-groups of {@code local} work-items. */
    public final void groups(long groups, long local) {
        if (groups <= 0) {
            return;
        }
        run(new long[] {groups * local}, new long[] {local});
    }

    /**
     * Launches with explicit global and local sizes (global a multiple of local in each
     * dimension; 1 to 3 dimensions). Nothing runs when a global extent is 0.
     */
    public final void run(long[] global, long[] local) {
        for (long g : global) {
            if (g == 0) {
                return;
            }
        }
        checkSignature();
        enqueue(global, local);
    }

    /** The kernel's name. */
    public final String kernelName() {
        return name;
    }

    /** The kernel's source file. */
    public final String source() {
        return source;
    }

    /** The op that launches it. */
    public final String op() {
        return op;
    }

    /** The problem string (may be null). */
    public final String problem() {
        return problem;
    }

    /** The argument kinds set so far, in order. */
    public final List<KernelSources.ArgKind> argumentKinds() {
        return params.stream().map(KernelSources.Param::kind).toList();
    }

    /** The largest work-group (block) this kernel can be launched with on this device. */
    public abstract long maxLocalSize();

    /** Sets parameter {@code index} to an int. */
    protected abstract void setInt(int index, int v);

    /** Sets parameter {@code index} to a 64-bit integer. */
    protected abstract void setLong(int index, long v);

    /** Sets parameter {@code index} to a float. */
    protected abstract void setFloat(int index, float v);

    /** Sets parameter {@code index} to a buffer of this device. */
    protected abstract void setBuffer(int index, Buffer b);

    /** Issues the kernel on the device's queue (stream) with every argument set and checked. */
    protected abstract void enqueue(long[] global, long[] local);

    private void checkSignature() {
        List<KernelSources.Param> want = KernelSources.parameters(source, name);
        if (!want.equals(params)) {
            throw new IllegalStateException(op + ": the launch of kernel " + source + ":" + name + " passes "
                    + params.size() + " arguments " + params + " but the kernel takes " + want.size() + " " + want
                    + (problem == null ? "" : " (problem " + problem + ")"));
        }
    }
}
