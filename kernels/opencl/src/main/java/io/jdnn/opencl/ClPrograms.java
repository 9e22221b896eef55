package io.jdnn.opencl;

import io.jdnn.DeviceException;
import io.jdnn.kernels.KernelSources;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The compiled programs and kernel objects of one device (one context): a program is built from
 * {@code jdnn_portable.h} followed by one kernel source of {@code kernels/src}, with a set of
 * {@code -D} defines, once per (source, defines) on this device, and kept until {@link #close()}.
 * Kernel objects are created once per (program, kernel name) and shared: their arguments are set
 * right before each launch, which {@link io.jdnn.Device}'s serialization makes safe.
 */
final class ClPrograms implements AutoCloseable {

    /** The dialect header every program starts with. */
    static final String HEADER = KernelSources.HEADER;

    /** Options every program is built with: the dialect is OpenCL C 1.2; no fast-math. */
    static final String BASE_OPTIONS = "-cl-std=CL1.2";

    /** A kernel ready to launch: its object, name and the largest work-group it can run with on this device. */
    record Kernel(cl_kernel kernel, String name, String source, long maxWorkGroupSize) {
    }

    private record ProgramKey(String source, SortedMap<String, String> defines) {
    }

    private record KernelKey(ProgramKey program, String name) {
    }

    private final cl_context context;
    private final cl_device_id device;
    private final Map<ProgramKey, cl_program> programs = new LinkedHashMap<>();
    private final Map<KernelKey, Kernel> kernels = new HashMap<>();
    private long buildNanos;

    ClPrograms(cl_context context, cl_device_id device) {
        this.context = context;
        this.device = device;
    }

    /**
     * The kernel {@code name} of source file {@code source} built with {@code defines} (values
     * printed with toString), building the program on first use. A failed build throws a
     * DeviceException whose detail is the compiler's log; {@code op} and {@code problem} name
     * what needed the kernel.
     */
    Kernel kernel(String source, Map<String, ?> defines, String name, String op, String problem) {
        SortedMap<String, String> d = new TreeMap<>();
        defines.forEach((k, v) -> d.put(k, String.valueOf(v)));
        ProgramKey pk = new ProgramKey(source, d);
        KernelKey kk = new KernelKey(pk, name);
        Kernel k = kernels.get(kk);
        if (k != null) {
            return k;
        }
        cl_program program = program(pk, op, name, problem);
        cl_kernel kernel;
        long[] wg = new long[1];
        try {
            kernel = CL.clCreateKernel(program, name, null);
            CL.clGetKernelWorkGroupInfo(kernel, device, CL.CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(wg),
                    null);
        } catch (CLException e) {
            throw ClErrors.wrap(e, op, source + ":" + name, problem);
        }
        k = new Kernel(kernel, name, source, wg[0]);
        kernels.put(kk, k);
        return k;
    }

    /** Builds (or finds) the program of {@code source} with {@code defines} without creating a kernel. */
    void build(String source, Map<String, ?> defines, String op) {
        SortedMap<String, String> d = new TreeMap<>();
        defines.forEach((k, v) -> d.put(k, String.valueOf(v)));
        program(new ProgramKey(source, d), op, "(program)", null);
    }

    /** Programs built so far (for tests and diagnostics). */
    int programCount() {
        return programs.size();
    }

    /** Wall time spent building programs on this device, in milliseconds. */
    double buildMillis() {
        return buildNanos / 1e6;
    }

    /** The build options for a define set: the base options then {@code -D NAME=VALUE} in name order. */
    static String options(SortedMap<String, String> defines) {
        StringBuilder b = new StringBuilder(BASE_OPTIONS);
        defines.forEach((k, v) -> b.append(" -D ").append(k).append('=').append(v));
        return b.toString();
    }

    /** The text the OpenCL compiler sees for {@code source}: the dialect header, then the source. */
    static String programText(String source) {
        return "#define JDNN_OPENCL 1\n" + sourceText(HEADER) + "\n#line 1\n" + sourceText(source);
    }

    /** A kernel source or the header, from the class path (module jdnn-kernels packages kernels/src). */
    static String sourceText(String file) {
        return KernelSources.text(file);
    }

    private cl_program program(ProgramKey key, String op, String kernelName, String problem) {
        cl_program p = programs.get(key);
        if (p != null) {
            return p;
        }
        String text = programText(key.source());
        String options = options(key.defines());
        long t0 = System.nanoTime();
        try {
            p = CL.clCreateProgramWithSource(context, 1, new String[] {text}, null, null);
        } catch (CLException e) {
            throw ClErrors.wrap(e, op, key.source() + ":" + kernelName, problem);
        }
        try {
            CL.clBuildProgram(p, 1, new cl_device_id[] {device}, options, null, null);
        } catch (CLException e) {
            String log = buildLog(p);
            release(p);
            throw new DeviceException(ClErrors.statusName(e.getStatus()), op, key.source() + ":" + kernelName, problem,
                    "building " + key.source() + " with options '" + options + "' failed; build log:\n" + log, e);
        } finally {
            buildNanos += System.nanoTime() - t0;
        }
        programs.put(key, p);
        return p;
    }

    private String buildLog(cl_program p) {
        try {
            long[] size = new long[1];
            CL.clGetProgramBuildInfo(p, device, CL.CL_PROGRAM_BUILD_LOG, 0, null, size);
            byte[] buf = new byte[(int) size[0]];
            CL.clGetProgramBuildInfo(p, device, CL.CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
            int n = 0;
            while (n < buf.length && buf[n] != 0) {
                n++;
            }
            return new String(buf, 0, n, StandardCharsets.UTF_8).trim();
        } catch (CLException e) {
            return "(the build log could not be read: " + ClErrors.statusName(e.getStatus()) + ")";
        }
    }

    private static void release(cl_program p) {
        try {
            CL.clReleaseProgram(p);
        } catch (CLException ignored) {
            // releasing after a failed build: nothing more to report than the build failure itself
        }
    }

    /** Releases every kernel object and program; the first failure is rethrown after the rest are released. */
    @Override
    public void close() {
        List<CLException> failures = new ArrayList<>();
        for (Kernel k : kernels.values()) {
            try {
                CL.clReleaseKernel(k.kernel());
            } catch (CLException e) {
                failures.add(e);
            }
        }
        kernels.clear();
        for (cl_program p : programs.values()) {
            try {
                CL.clReleaseProgram(p);
            } catch (CLException e) {
                failures.add(e);
            }
        }
        programs.clear();
        if (!failures.isEmpty()) {
            throw ClErrors.wrap(failures.get(0), "close", null, null);
        }
    }
}
