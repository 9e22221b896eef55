package io.jdnn.cuda;

import io.jdnn.kernels.KernelLaunch;
import io.jdnn.spi.Buffer;
import jcuda.Pointer;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link KernelLaunch} on a CUDA device: each argument becomes one entry of the kernelParams
 * array (a pointer to an int, a long long, a float or a CUdeviceptr, in parameter order; the
 * arguments' names, kinds and order were checked against the kernel's declaration before the
 * launch), and the launch is one cuLaunchKernel on the device's stream with grid = global / local.
 */
final class CudaLaunch extends KernelLaunch {
    private final CudaDevice device;
    private final CudaDevice.Function function;
    private final List<Pointer> params = new ArrayList<>(24);

    /** {@code name}: the kernel as its source declares it; {@code function}: its copy for the launch's define set. */
    CudaLaunch(CudaDevice device, CudaDevice.Function function, String source, String name, String op,
               String problem) {
        super(device, source, name, op, problem);
        this.device = device;
        this.function = function;
    }

    /** CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK of this kernel on this device (registers and shared memory allowing). */
    @Override
    public long maxLocalSize() {
        return function.maxThreadsPerBlock();
    }

    @Override
    protected void setInt(int index, int v) {
        put(index, Pointer.to(new int[] {v}));
    }

    @Override
    protected void setLong(int index, long v) {
        put(index, Pointer.to(new long[] {v}));
    }

    @Override
    protected void setFloat(int index, float v) {
        put(index, Pointer.to(new float[] {v}));
    }

    @Override
    protected void setBuffer(int index, Buffer b) {
        put(index, Pointer.to(((CudaBuffer) b).ptr()));
    }

    @Override
    protected void enqueue(long[] global, long[] local) {
        device.enqueue(function, source(), global, local, params.toArray(new Pointer[0]), op(), problem());
    }

    private void put(int index, Pointer p) {
        if (index != params.size()) {
            throw new IllegalStateException(op() + ": kernel " + function.name() + ": argument " + index
                    + " set out of order (" + params.size() + " set so far)");
        }
        params.add(p);
    }
}
