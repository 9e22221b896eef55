package io.jdnn.bench;

import io.jdnn.golden.DType;
import io.jdnn.golden.GoldenCase;
import io.jdnn.golden.GoldenFile;
import io.jdnn.golden.GoldenTensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The jdnn command line, run in-process through {@link Main#run}. */
class MainTest {
    /** The golden file of the test suite (module jdnn-tests); Maven runs tests from the module directory. */
    static final Path PUBLIC = Path.of("..", "tests", "src", "test", "resources", "golden", "public.json");

    static GoldenFile golden;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() throws IOException {
        assertTrue(Files.isRegularFile(PUBLIC), PUBLIC.toAbsolutePath() + " is missing");
        golden = GoldenFile.read(PUBLIC);
    }

    /** Exit status, stdout and stderr of one command line. */
    record Run(int status, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        String last() {
            List<String> l = lines();
            return l.isEmpty() ? "" : l.get(l.size() - 1);
        }

        /** The result line of case {@code name}. */
        String lineOf(String name) {
            return lines().stream().filter(l -> l.startsWith(name + " ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no line for case " + name + " in:\n" + out));
        }
    }

    static Run jdnn(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Main.run(o, e, args);
        }
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Path write(GoldenFile f) throws IOException {
        Path p = tmp.resolve("golden.json");
        Files.writeString(p, f.toJsonText(), StandardCharsets.UTF_8);
        return p;
    }

    /** Every case of the shared file passes on the float64 reference at 1e-9, each line says PASS. */
    @Test
    void verifyPublicCasesOnTheReference() throws IOException {
        Run r = jdnn("verify", "--golden", PUBLIC.toString(), "--device", "reference");
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals(golden.cases().size() + " passed, 0 failed", r.last());
        for (GoldenCase c : golden.cases()) {
            assertTrue(r.lineOf(c.name()).contains(" PASS "), r.lineOf(c.name()));
        }
    }

    /** A few cases of the public file, by name. */
    static GoldenFile subset(String... names) {
        List<GoldenCase> cases = new ArrayList<>();
        for (String n : names) {
            cases.add(golden.find(n));
        }
        return golden.withCases(cases);
    }

    @Test
    void oneCorruptedExpectedValueFailsThatCase() throws IOException {
        GoldenFile small = subset("conv2d_1x1", "conv2d_3x3_same", "max_pool2d_resnet", "linear_rand0", "adam_rand3");
        GoldenCase c = small.find("conv2d_3x3_same");
        double[] y = c.tensor("y").toDoubleArray();
        y[17] += 1e-3 * Math.max(1, Math.abs(y[17]));
        GoldenCase bad = c.withTensor(GoldenTensor.ofReals("y", c.tensor("y").shape(), DType.F64, y));
        List<GoldenCase> cases = new ArrayList<>(small.cases());
        cases.set(cases.indexOf(c), bad);
        Run r = jdnn("verify", "--golden", write(small.withCases(cases)).toString(), "--device", "reference");
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.lineOf("conv2d_3x3_same").contains(" FAIL "), r.lineOf("conv2d_3x3_same"));
        assertTrue(r.lineOf("conv2d_3x3_same").contains("y, "), "the worst output is named: " + r.lineOf("conv2d_3x3_same"));
        assertTrue(r.lineOf("conv2d_1x1").contains(" PASS "), "the other cases still run");
        assertTrue(r.lineOf("adam_rand3").contains(" PASS "), "the cases after it still run");
        assertEquals("4 passed, 1 failed", r.last());
    }

    @Test
    void anUnknownOpFails() throws IOException {
        GoldenCase c = golden.find("conv2d_1x1").withOp("conv3d");
        Run r = jdnn("verify", "--golden", write(golden.withCases(List.of(c, golden.find("relu_rand0")))).toString(),
                "--device", "reference");
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.lineOf("conv2d_1x1").contains(" FAIL "), r.lineOf("conv2d_1x1"));
        assertTrue(r.lineOf("conv2d_1x1").contains("unknown op 'conv3d'"), r.lineOf("conv2d_1x1"));
        assertTrue(r.lineOf("relu_rand0").contains(" PASS "), r.lineOf("relu_rand0"));
        assertEquals("1 passed, 1 failed", r.last());
    }

    @Test
    void aReductionOtherThanMeanFails() throws IOException {
        GoldenCase c = golden.find("softmax_cross_entropy_rand0").withParam("reduction", "sum");
        Run r = jdnn("verify", "--golden", write(golden.withCases(List.of(c))).toString(), "--device", "reference");
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.lineOf(c.name()).contains("FAIL") && r.lineOf(c.name()).contains("\"sum\""), r.lineOf(c.name()));
        assertEquals("0 passed, 1 failed", r.last());
    }

    @Test
    void usageErrorsExitWithTwo() throws IOException {
        Run missing = jdnn("verify", "--device", "reference");
        assertEquals(CommandLine.ExitCode.USAGE, missing.status());
        assertTrue(missing.err().contains("--golden"), missing.err());
        assertEquals(2, jdnn("verify", "--golden", PUBLIC.toString(), "--algo", "fastest").status());
        assertEquals(2, jdnn("verify", "--golden", PUBLIC.toString(), "--no-such-option").status());
        assertEquals(2, jdnn("frobnicate").status());
        assertEquals(2, jdnn().status(), "no command");
        Run noFile = jdnn("verify", "--golden", tmp.resolve("absent.json").toString(), "--device", "reference");
        assertEquals(2, noFile.status());
        assertTrue(noFile.err().contains("cannot read the file"), noFile.err());
        Path garbage = tmp.resolve("garbage.json");
        Files.writeString(garbage, "{\"format\": \"jdnn-golden/1\", \"cases\": [}");
        Run bad = jdnn("verify", "--golden", garbage.toString(), "--device", "reference");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("not a valid jdnn-golden/1 file") && bad.err().contains("line 1"), bad.err());
        Run device = jdnn("verify", "--golden", PUBLIC.toString(), "--device", "abacus");
        assertEquals(2, device.status());
        assertTrue(device.err().contains("--device abacus"), device.err());
    }

    @Test
    void everyCommandHasHelp() {
        Run top = jdnn("--help");
        assertEquals(0, top.status());
        assertTrue(top.out().contains("Usage: jdnn"), top.out());
        CommandLine cl = Main.commandLine(System.out, System.err);
        assertTrue(cl.getSubcommands().keySet().containsAll(List.of("devices", "verify", "bench", "train", "onnx")), cl.getSubcommands().keySet().toString());
        for (String name : cl.getSubcommands().keySet()) {
            Run r = jdnn(name, "--help");
            assertEquals(0, r.status(), name + " --help: " + r.err());
            assertTrue(r.out().contains("Usage: jdnn " + name), name + " --help printed:\n" + r.out());
        }
        Run version = jdnn("--version");
        assertEquals(0, version.status());
        assertTrue(version.out().startsWith("jdnn 0."), version.out());
    }

    @Test
    void devicesListsTheReferenceAsAvailable() {
        Run r = jdnn("devices");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.lines().stream().anyMatch(l -> l.startsWith("reference ") && l.contains("available")
                && !l.contains("unavailable")), r.out());
        assertTrue(r.out().contains("  reference:0  "), r.out());
        assertTrue(r.out().contains("precision      FLOAT64"), r.out());
    }

    @Test
    void devicesNamesTheJavaRuntimeAndTheVectorApi() {
        Run r = jdnn("devices");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.lines().get(0).startsWith("java       " + Runtime.version() + ", "), r.out());
        boolean vector = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        assertTrue(r.lines().get(1).startsWith("vector API jdk.incubator.vector " + (vector ? "present" : "absent")),
                r.out());
    }

    @Test
    void verboseListsEveryOutput() throws IOException {
        GoldenFile both = golden.withCases(List.of(golden.find("batch_norm_train_rand1"), golden.find("sgd_rand6")));
        Run r = jdnn("verify", "--golden", write(both).toString(), "--device", "reference", "--verbose");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("    save_invstd "), "batch norm's saved statistics are compared");
        assertTrue(r.out().contains("    p3 "), "the third optimizer step is compared");
        assertEquals("2 passed, 0 failed", r.last());
    }
}
