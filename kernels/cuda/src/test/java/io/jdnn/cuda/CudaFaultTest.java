package io.jdnn.cuda;

import io.jdnn.kernels.KernelTestSupport;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A kernel fault (an illegal address) surfaces as a DeviceException naming the sticky CUDA
 * status, the device reports itself broken and refuses further work, and close() still releases
 * everything. Runs {@link FaultProbe} in a child JVM (a fault poisons the process's primary
 * context). Needs a GPU.
 */
class CudaFaultTest {

    private static List<String> probe(boolean syncLaunches) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
        if (syncLaunches) {
            cmd.add("-Djdnn.cuda.syncLaunches=true");
        }
        cmd.add(FaultProbe.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the probe finished");
        assertEquals(0, p.exitValue(), "the probe's output:\n" + out);
        return out.lines().toList();
    }

    private static boolean isFaultStatus(String s) {
        return s.equals("CUDA_ERROR_ILLEGAL_ADDRESS") || s.equals("CUDA_ERROR_LAUNCH_FAILED");
    }

    @Test
    void aFaultSurfacesAtTheNextSynchronizationAndBreaksTheDevice() throws Exception {
        KernelTestSupport.requireBackend("cuda");
        List<String> lines = probe(false);
        String fault = lines.stream().filter(l -> l.startsWith("FAULT ")).findFirst().orElse("none: " + lines);
        String[] f = fault.split(" ");
        assertTrue(f.length >= 3 && isFaultStatus(f[1]) && f[2].equals("synchronize"), fault);
        assertTrue(lines.contains("BROKEN true"), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("REFUSED ") && isFaultStatus(l.substring(8))), lines.toString());
        assertTrue(lines.contains("CLOSED"), lines.toString());
    }

    @Test
    void withSynchronousLaunchesTheFaultNamesItsKernel() throws Exception {
        KernelTestSupport.requireBackend("cuda");
        List<String> lines = probe(true);
        String fault = lines.stream().filter(l -> l.startsWith("FAULT ")).findFirst().orElse("none: " + lines);
        assertTrue(fault.matches("FAULT CUDA_ERROR_(ILLEGAL_ADDRESS|LAUNCH_FAILED) faultProbe elementwise.cl:ew_fill"),
                fault);
        assertTrue(lines.contains("BROKEN true"), lines.toString());
        assertTrue(lines.contains("CLOSED"), lines.toString());
    }
}
