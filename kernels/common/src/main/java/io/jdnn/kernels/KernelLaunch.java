package io.jdnn.kernels;

import io.jdnn.spi.Buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * One kernel launch being set up: arguments in the kernel's parameter order, then a launch
 * shape. Made by {@link KernelDevice#launch}; each backend implements the argument setters and
 * {@link #enqueue} (OpenCL: clSetKernelArg and clEnqueueNDRangeKernel; CUDA: a kernelParams array
 * and cuLaunchKernel with grid = global / local).
 *
 * <pre>
 *   device.launch("poolForward", p.toString(), "pool.cl", "pool_max_forward")
 *         .arg(total).arg(h).arg(w) ... .arg(x).arg(y)
 *         .elements(total);            // 1-D grid-stride launch
 * </pre>
 *
 * <p>Before anything runs, the argument kinds are checked against the kernel's parameter list as
 * the source declares it ({@link KernelSources#signature}): a launch whose arguments do not match
 * throws {@link IllegalStateException} naming both lists, on every backend.
 */
public abstract class KernelLaunch {
    private final KernelDevice device;
    private final String source;
    private final String name;
    private final String op;
    private final String problem;
    private final List<KernelSources.ArgKind> kinds = new ArrayList<>(24);

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

    /** An {@code int} (or {@code u32}) parameter. */
    public final KernelLaunch arg(int v) {
        setInt(kinds.size(), v);
        kinds.add(KernelSources.ArgKind.INT);
        return this;
    }

    /** An {@code i64} parameter. */
    public final KernelLaunch arg(long v) {
        setLong(kinds.size(), v);
        kinds.add(KernelSources.ArgKind.LONG);
        return this;
    }

    /** A {@code float} parameter. */
    public final KernelLaunch arg(float v) {
        setFloat(kinds.size(), v);
        kinds.add(KernelSources.ArgKind.FLOAT);
        return this;
    }

    /** A flag passed as an int parameter (1 or 0). */
    public final KernelLaunch arg(boolean v) {
        return arg(v ? 1 : 0);
    }

    /**
     * A buffer parameter. Never null: pass {@link KernelDevice#orPlaceholder} with a flag
     * argument for an optional buffer.
     */
    public final KernelLaunch arg(Buffer b) {
        if (b == null) {
            throw new IllegalArgumentException(op + ": argument " + kinds.size() + " of kernel " + name
                    + " is a null buffer; pass device.orPlaceholder(buffer) with a flag for an absent one");
        }
        setBuffer(kinds.size(), b);
        kinds.add(KernelSources.ArgKind.BUFFER);
        return this;
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
        return List.copyOf(kinds);
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
        List<KernelSources.ArgKind> want = KernelSources.signature(source, name);
        if (!want.equals(kinds)) {
            throw new IllegalStateException(op + ": the launch of kernel " + source + ":" + name + " passes " + kinds.size()
                    + " arguments " + kinds + " but the kernel takes " + want.size() + " " + want
                    + (problem == null ? "" : " (problem " + problem + ")"));
        }
    }
}
