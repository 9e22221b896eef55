package io.jdnn.bench.perf;

import io.jdnn.ConvProblem;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SuitesTest {

    @Test
    void everyEntryParsesAndItsCommandLineReadsBack() {
        for (Suites.Suite s : Suites.all()) {
            Set<String> names = new HashSet<>();
            assertFalse(s.entries().isEmpty(), s.name());
            for (Suites.Entry e : s.entries()) {
                assertTrue(names.add(e.name()), "duplicate name " + e.name() + " in " + s.name());
                BenchProblem p = e.parse();
                String line = p.commandLine();
                String text = line.split(" ")[1];
                long params = line.contains("--params") ? Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)) : 0;
                BenchProblem q = BenchProblem.parse(text, params);
                if (p instanceof BenchProblem.Step step) {
                    assertEquals(step.rule(), ((BenchProblem.Step) q).rule(), s.name() + "/" + e.name());
                    assertEquals(step.parameters(), ((BenchProblem.Step) q).parameters());
                } else {
                    assertEquals(p, q, s.name() + "/" + e.name());
                    assertEquals(p.canonical(), q.canonical());
                }
            }
        }
    }

    @Test
    void publishedBatchesAndShapes() {
        assertEquals(32, ((BenchProblem.Conv) Suites.resolve("resnet50").get(0).entries().get(0).parse()).problem().batch());
        ConvProblem stem = ((BenchProblem.Conv) Suites.resolve("resnet50").get(0).entries().get(0).parse()).problem();
        assertEquals(112, stem.outHeight());
        for (Suites.Entry e : Suites.resolve("dcgan").get(0).entries()) {
            ConvProblem p = ((BenchProblem.Conv) e.parse()).problem();
            assertTrue(p.transposed());
            assertEquals(2 * p.height(), p.outHeight(), e.name());
        }
        for (Suites.Entry e : Suites.resolve("deeplab").get(0).entries()) {
            ConvProblem p = ((BenchProblem.Conv) e.parse()).problem();
            assertEquals(p.height(), p.outHeight(), "atrous layers keep the size: " + e.name());
        }
        for (Suites.Entry e : Suites.resolve("resnext").get(0).entries()) {
            assertEquals(32, ((BenchProblem.Conv) e.parse()).problem().groups());
        }
        long depthwise = Suites.resolve("mobilenet_v2").get(0).entries().stream()
                .filter(e -> ((BenchProblem.Conv) e.parse()).problem().isDepthwise()).count();
        assertEquals(10, depthwise);
        assertEquals(12, Suites.resolve("optimizers").get(0).entries().size());
    }

    @Test
    void allIsEverySuiteButTheDefault() {
        assertFalse(Suites.resolve("all").stream().anyMatch(s -> s.name().equals(Suites.DEFAULT)));
        assertEquals(Suites.all().size() - 1, Suites.resolve("all").size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Suites.resolve("resnet"));
        assertTrue(e.getMessage().contains("resnet50"), e.getMessage());
    }

    /** docs/bench.md holds the output of jdnn bench --list: regenerate it when a suite changes. */
    @Test
    void docsHoldTheCurrentSuiteTable() throws IOException {
        Path doc = Path.of("..", "docs", "bench.md");
        assertTrue(Files.exists(doc), doc.toAbsolutePath().toString());
        assertTrue(Files.readString(doc).contains(BenchCommand.listMarkdown()),
                "docs/bench.md is out of date: paste the output of ./jdnn bench --list into its suite section");
    }
}
