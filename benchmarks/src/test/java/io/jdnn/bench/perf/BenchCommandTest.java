package io.jdnn.bench.perf;

import io.jdnn.ConvProblem;
import io.jdnn.bench.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest {

    record Run(int status, String out, String err) {
    }

    static Run jdnn(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8), args);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void listPrintsEverySuite() {
        Run r = jdnn("bench", "--list");
        assertEquals(0, r.status, r.err);
        for (String name : Suites.names()) {
            assertTrue(r.out.contains("`" + name + "`"), name);
        }
    }

    @Test
    void printProblemsListsTheSelectedProblemsAndPassesAsJson() {
        Run r = jdnn("bench", "--suite", "pooling,optimizers", "--batch", "2", "--dir", "bwd-data,step", "--print-problems");
        assertEquals(0, r.status, r.err);
        assertTrue(r.out.startsWith("{"), r.out);
        assertTrue(r.out.contains("\"tool\": \"jdnn bench --print-problems\""), r.out);
        assertTrue(r.out.contains("\"name\": \"resnet50_maxpool\""), r.out);
        // the canonical string with --batch applied, as the rows of --json carry it
        assertTrue(r.out.contains("\"problem\": \"maxpool_mb2ic64ih112iw112kh3kw3sh2sw2ph1pw1dh1dw1ceil0\""), r.out);
        assertTrue(r.out.contains("\"parameters\": " + Suites.VGG16_PARAMETERS), r.out);
        assertTrue(r.out.contains("\"bwd\""), r.out);
        assertTrue(r.out.contains("\"step\""), r.out);
        assertTrue(!r.out.contains("\"fwd\""), r.out);
        int entries = Suites.resolve("pooling").get(0).entries().size() + Suites.resolve("optimizers").get(0).entries().size();
        assertEquals(entries, r.out.split("\"kind\": ").length - 1, r.out);
    }

    @Test
    void fewerThanTwentyRunsIsAUsageError() {
        Run r = jdnn("bench", "--runs", "5", "--problem", "conv_mb1ic1ih3oc1kh1");
        assertEquals(2, r.status);
        assertTrue(r.err.contains("--runs"), r.err);
    }

    @Test
    void verifyTakesAutoFullOrSample() {
        Run r = jdnn("bench", "--verify", "some", "--problem", "conv_mb1ic1ih3oc1kh1");
        assertEquals(2, r.status);
        assertTrue(r.err.contains("--verify: expected auto, full or sample, got 'some'"), r.err);
        BenchCommand c = new BenchCommand();
        new CommandLine(c).parseArgs();
        assertEquals(BenchConfig.VERIFY_AUTO, c.config().verifyMode());
        new CommandLine(c).parseArgs("--verify", "SAMPLE");
        assertEquals(BenchConfig.VERIFY_SAMPLE, c.config().verifyMode());
    }

    @Test
    void sampledRowsSayTheyWereSampled() {
        // y has 8192 outputs (sampled), dw 288 (fewer than a sample: all of them)
        Run r = jdnn("bench", "--device", "reference", "--problem", "conv_mb1ic4ih32oc8kh3ph1", "--dir", "fwd,bwd-filter",
                "--verify", "sample", "--no-progress");
        assertEquals(0, r.status, r.out + r.err);
        assertTrue(r.out.contains("verified: sample of " + ConvSample.SIZE), r.out);
        assertTrue(r.out.contains("verified: full"), r.out);
        assertTrue(r.out.contains("--verify sample: every convolution on a sample of " + ConvSample.SIZE), r.out);
        assertTrue(r.out.contains("time: "), r.out);
    }

    @Test
    void optimizerNeedsItsParameterCount() {
        Run r = jdnn("bench", "--problem", "adam_lr=0.001", "--device", "reference");
        assertEquals(2, r.status);
        assertTrue(r.err.contains("--params"), r.err);
    }

    @Test
    void convolutionFlagsReadLikeTheProblemString() {
        BenchCommand c = new BenchCommand();
        new CommandLine(c).parseArgs("--mb", "2", "--ic", "3", "--ih", "8", "--oc", "4", "--kh", "3", "--ph", "1", "--g", "1");
        List<BenchRunner.Job> jobs = c.jobs();
        assertEquals(1, jobs.size());
        assertEquals(ConvProblem.parse("conv_mb2ic3ih8oc4kh3ph1"), ((BenchProblem.Conv) jobs.get(0).problem()).problem());
        BenchCommand d = new BenchCommand();
        new CommandLine(d).parseArgs("--deconv", "--ic", "4", "--ih", "5", "--oc", "2", "--kh", "4", "--sh", "2", "--ph", "1",
                "--batch", "3");
        ConvProblem p = ((BenchProblem.Conv) d.jobs().get(0).problem()).problem();
        assertTrue(p.transposed());
        assertEquals(3, p.batch());
        assertEquals(10, p.outHeight());
    }

    @Test
    void defaultIsTheQuickSuite() {
        BenchCommand c = new BenchCommand();
        new CommandLine(c).parseArgs();
        assertEquals(Suites.resolve(Suites.DEFAULT).get(0).entries().size(), c.jobs().size());
    }

    @Test
    void runWritesTableCsvJsonHtml(@TempDir Path dir) throws Exception {
        Run r = jdnn("bench", "--device", "reference", "--problem", "maxpool_mb1ic2ih6kh2", "--no-progress", "--repro",
                "--csv", dir.resolve("a.csv").toString(), "--json", dir.resolve("a.json").toString(),
                "--html", dir.resolve("a.html").toString());
        assertEquals(0, r.status, r.out + r.err);
        assertTrue(r.out.contains("PASSED"), r.out);
        assertTrue(r.out.contains("$ ./jdnn bench --device reference:0 --problem maxpool_mb1ic2ih6iw6kh2kw2sh2sw2ph0pw0dh1dw1ceil0 --dir fwd"),
                r.out);
        assertTrue(Files.readString(dir.resolve("a.csv")).lines().count() == 3);
        assertTrue(Files.readString(dir.resolve("a.json")).contains("\"pass\": \"bwd\""));
        assertTrue(Files.readString(dir.resolve("a.html")).contains("</html>"));
    }
}
