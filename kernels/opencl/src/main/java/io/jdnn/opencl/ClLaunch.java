package io.jdnn.opencl;

import io.jdnn.kernels.KernelLaunch;
import io.jdnn.spi.Buffer;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;

/**
 * A {@link KernelLaunch} on an OpenCL device: each argument is set with clSetKernelArg as it
 * comes, the launch is a clEnqueueNDRangeKernel on the device's queue. Made by
 * {@link OpenClDevice#launch}; every failure becomes a DeviceException naming the op, the kernel
 * and the problem.
 */
final class ClLaunch extends KernelLaunch {
    private final OpenClDevice device;
    private final ClPrograms.Kernel kernel;

    ClLaunch(OpenClDevice device, ClPrograms.Kernel kernel, String op, String problem) {
        super(device, kernel.source(), kernel.name(), op, problem);
        this.device = device;
        this.kernel = kernel;
    }

    /** CL_KERNEL_WORK_GROUP_SIZE of this kernel on this device. */
    @Override
    public long maxLocalSize() {
        return kernel.maxWorkGroupSize();
    }

    @Override
    protected void setInt(int index, int v) {
        set(index, Sizeof.cl_int, Pointer.to(new int[] {v}));
    }

    @Override
    protected void setLong(int index, long v) {
        set(index, Sizeof.cl_long, Pointer.to(new long[] {v}));
    }

    @Override
    protected void setFloat(int index, float v) {
        set(index, Sizeof.cl_float, Pointer.to(new float[] {v}));
    }

    @Override
    protected void setBuffer(int index, Buffer b) {
        set(index, Sizeof.cl_mem, Pointer.to(((ClBuffer) b).mem()));
    }

    @Override
    protected void enqueue(long[] global, long[] local) {
        device.enqueue(kernel, global, local, op(), problem());
    }

    private void set(int index, long size, Pointer value) {
        try {
            CL.clSetKernelArg(kernel.kernel(), index, size, value);
        } catch (CLException e) {
            throw ClErrors.wrap(e, op(), kernel.name() + " (argument " + index + ")", problem());
        }
    }
}
