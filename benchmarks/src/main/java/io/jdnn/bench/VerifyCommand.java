package io.jdnn.bench;

import io.jdnn.BackendUnavailableException;
import io.jdnn.ConvAlgorithm;
import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.ErrorBounds;
import io.jdnn.golden.CaseResult;
import io.jdnn.golden.GoldenCase;
import io.jdnn.golden.GoldenFile;
import io.jdnn.golden.GoldenFormatException;
import io.jdnn.golden.GoldenRunner;
import io.jdnn.golden.OutputResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code jdnn verify --golden FILE [--device D] [--algo A]}: runs every case of a
 * {@code jdnn-golden/1} file on one device and compares each output with the file's expected
 * values. One line per case, then {@code N passed, N failed}. Exit status 0 when every case
 * passed, 1 when one failed (an unknown op or a parameter the runner cannot honour is a failure),
 * 2 on a usage error (including a file that cannot be read or is not {@code jdnn-golden/1}).
 */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the cases of a golden file (jdnn-golden/1, computed by PyTorch in float64) on a device "
                + "and compares every output with max|out - expected| / max|expected|.",
                "Bounds: ErrorBounds for the op family, or the convolution algorithm's errorBound(); "
                        + "the float64 reference is held to ErrorBounds.FLOAT64 = 1e-9.",
                "Exit status: 0 all passed, 1 a case failed, 2 a usage error."})
public final class VerifyCommand implements Callable<Integer> {

    @Option(names = {"-g", "--golden"}, required = true, paramLabel = "FILE",
            description = "A jdnn-golden/1 file, e.g. tests/src/test/resources/golden/public.json.")
    Path golden;

    @Option(names = {"-d", "--device"}, defaultValue = "auto", paramLabel = "D",
            description = "Device spec: auto, reference, cpu, opencl[:N|:NAME], cuda[:N] (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = {"-a", "--algo"}, defaultValue = "AUTO", paramLabel = "A", converter = AlgorithmConverter.class,
            description = "Convolution algorithm: AUTO (the device's choice per problem and direction) or one of "
                    + "DIRECT, IM2COL_GEMM, IMPLICIT_GEMM, WINOGRAD, DEPTHWISE, TENSOR_CORE_TF32, GROUPED, TENSOR_CORE_BF16; a case it cannot "
                    + "run fails with the reason (default: ${DEFAULT-VALUE}).")
    ConvAlgorithm algorithm;

    @Option(names = {"-v", "--verbose"}, description = "Also print every output's error, bound and algorithm.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        GoldenFile file;
        try {
            file = GoldenFile.read(golden);
        } catch (IOException e) {
            err.println("jdnn verify: error: --golden " + golden + ": cannot read the file: " + e);
            return CommandLine.ExitCode.USAGE;
        } catch (GoldenFormatException e) {
            err.println("jdnn verify: error: --golden " + golden + ": not a valid " + GoldenFile.FORMAT + " file: " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        Device d;
        try {
            d = Devices.open(device);
        } catch (BackendUnavailableException e) {
            err.println("jdnn verify: error: --device " + device + ": " + e.getMessage());
            return CommandLine.ExitCode.SOFTWARE;
        } catch (IllegalArgumentException e) {
            err.println("jdnn verify: error: --device " + device + ": " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        try (d) {
            return verify(file, d, out);
        }
    }

    private int verify(GoldenFile file, Device d, PrintWriter out) {
        out.printf(Locale.ROOT, "golden: %s, %d cases%s%n", file.source(), file.cases().size(),
                file.generator().isEmpty() ? "" : " (" + file.generator() + ")");
        out.printf(Locale.ROOT, "device: %s, %s, %s%s%n", d.spec(), d.info().name(), d.info().precision(),
                d.info().precision() == io.jdnn.Precision.FLOAT64
                        ? ", every bound is ErrorBounds.FLOAT64 = " + fmt(ErrorBounds.FLOAT64) : "");
        out.printf(Locale.ROOT, "convolution algorithm: %s%n", algorithm == ConvAlgorithm.AUTO
                ? "AUTO (the device's choice per problem and direction)" : algorithm);
        if (file.cases().isEmpty()) {
            out.println("0 passed, 0 failed");
            out.println("jdnn verify: error: the file holds no cases, so nothing was verified");
            out.flush();
            return CommandLine.ExitCode.SOFTWARE;
        }
        int width = 4;
        for (GoldenCase c : file.cases()) {
            width = Math.max(width, c.name().length());
        }
        out.printf(Locale.ROOT, "%-" + width + "s  %10s  %10s  %s%n", "case", "max error", "bound", "result");
        GoldenRunner runner = new GoldenRunner(d, algorithm);
        int passed = 0;
        int failed = 0;
        for (GoldenCase c : file.cases()) {
            CaseResult r = runner.run(c);
            OutputResult w = r.worst();
            String verdict = r.passed() ? "PASS" : "FAIL";
            String detail;
            if (r.failure() != null) {
                detail = r.failure();
            } else if (w == null) {
                detail = "no output compared";
            } else {
                detail = w.name() + ", " + w.algorithm();
            }
            out.printf(Locale.ROOT, "%-" + width + "s  %10s  %10s  %s  %s%n", r.name(),
                    w == null ? "-" : fmt(w.error()), w == null ? "-" : fmt(w.bound()), verdict, detail);
            if (verbose) {
                for (OutputResult o : r.outputs()) {
                    out.printf(Locale.ROOT, "%-" + width + "s  %10s  %10s  %s  %s%n", "    " + o.name(), fmt(o.error()),
                            fmt(o.bound()), o.passed() ? "ok" : "over", o.algorithm());
                }
            }
            out.flush();
            if (r.passed()) {
                passed++;
            } else {
                failed++;
            }
        }
        out.println(passed + " passed, " + failed + " failed");
        out.flush();
        return failed == 0 ? CommandLine.ExitCode.OK : CommandLine.ExitCode.SOFTWARE;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2e", v);
    }

    /** Reads --algo with {@link ConvAlgorithm#parse}; a bad name is a usage error. */
    static final class AlgorithmConverter implements CommandLine.ITypeConverter<ConvAlgorithm> {
        @Override
        public ConvAlgorithm convert(String value) {
            try {
                return ConvAlgorithm.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("expected one of " + Arrays.toString(ConvAlgorithm.values())
                        + ", got '" + value + "'");
            }
        }
    }
}
