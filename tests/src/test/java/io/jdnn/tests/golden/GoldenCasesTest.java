package io.jdnn.tests.golden;

import io.jdnn.ErrorBounds;
import io.jdnn.golden.CaseResult;
import io.jdnn.golden.GoldenCase;
import io.jdnn.golden.GoldenFile;
import io.jdnn.golden.GoldenRunner;
import io.jdnn.golden.OutputResult;
import io.jdnn.tests.support.Backends;
import io.jdnn.tests.support.DevicesUnderTest;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The golden cases (computed by PyTorch in float64) on every device: one dynamic test per case,
 * named after it, for each file of {@link #FILES}. The reference must match each output to
 * {@link ErrorBounds#FLOAT64}; every other device to the bound {@link GoldenRunner} applies for its
 * precision and the algorithm that ran. A backend that is absent is one skipped test with the
 * reason (a failure when {@code -Djdnn.test.require} names it).
 *
 * <p>{@code public.json} is the shared file, byte for byte (every op once or more; its batch-norm
 * cases regenerated from the stored float32 inputs, see {@code golden/README.md}).
 * Every other {@code .json} file of the golden resources runs too; {@code generated-seed2.json} comes from {@code tools/golden/generate.py} and adds the branches the
 * shared file leaves out: SGD momentum and Nesterov, AMSGrad, centered RMSprop with momentum,
 * AdaGrad's learning-rate decay, label smoothing.
 */
class GoldenCasesTest {
    static final String PUBLIC = "/golden/public.json";
    /** {@link #PUBLIC} first, then every other {@code .json} file of the golden resources, in name order. */
    static final List<GoldenFile> FILES = files();

    static List<GoldenFile> files() {
        List<GoldenFile> out = new ArrayList<>();
        out.add(load(PUBLIC));
        try (Stream<Path> s = Files.list(Path.of(GoldenCasesTest.class.getResource(PUBLIC).toURI()).getParent())) {
            s.map(p -> "/golden/" + p.getFileName()).filter(r -> r.endsWith(".json") && !r.equals(PUBLIC)).sorted()
                    .forEach(r -> out.add(load(r)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return List.copyOf(out);
    }

    static GoldenFile load(String resource) {
        try (InputStream in = GoldenCasesTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the test class path");
            }
            return GoldenFile.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theFilesCoverEveryOpTheRunnerMaps() {
        assertEquals(114, FILES.get(0).cases().size(), "cases in " + PUBLIC);
        Set<String> ops = new TreeSet<>();
        for (GoldenFile f : FILES) {
            for (GoldenCase c : f.cases()) {
                ops.add(c.op());
            }
        }
        assertEquals(new TreeSet<>(GoldenRunner.OPS), ops, "ops of the golden files " + FILES.stream().map(GoldenCasesTest::name).toList());
    }

    @TestFactory
    Stream<DynamicNode> reference() {
        GoldenRunner runner = new GoldenRunner(DevicesUnderTest.reference());
        return FILES.stream().map(f -> DynamicContainer.dynamicContainer(name(f), f.cases().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
                    CaseResult r = runner.run(c);
                    check(r);
                    for (OutputResult o : r.outputs()) {
                        // The reference computes in float64 like PyTorch did: only summation order differs.
                        assertTrue(o.error() <= ErrorBounds.FLOAT64, c.name() + "." + o.name() + ": error " + o.error()
                                + " above ErrorBounds.FLOAT64");
                    }
                }))));
    }

    @TestFactory
    Stream<DynamicNode> otherDevices() {
        List<DynamicNode> nodes = new ArrayList<>();
        for (DevicesUnderTest.Target t : DevicesUnderTest.targets()) {
            if (!t.available()) {
                nodes.add(DynamicTest.dynamicTest(t.spec() + " unavailable", () -> Backends.skipOrFail(t)));
                continue;
            }
            GoldenRunner runner = new GoldenRunner(Backends.device(t));
            nodes.add(DynamicContainer.dynamicContainer(t.describe(), FILES.stream()
                    .map(f -> DynamicContainer.dynamicContainer(name(f), f.cases().stream()
                            .map(c -> DynamicTest.dynamicTest(c.name(), () -> check(runner.run(c))))))));
        }
        return nodes.stream();
    }

    static String name(GoldenFile f) {
        return f.source().substring(f.source().lastIndexOf('/') + 1);
    }

    /** Fails with every output's error, bound and algorithm, or the reason the case did not run. */
    static void check(CaseResult r) {
        if (r.passed()) {
            return;
        }
        StringBuilder b = new StringBuilder(r.name() + " (" + r.op() + ") failed");
        if (r.failure() != null) {
            b.append(": ").append(r.failure());
        }
        for (OutputResult o : r.outputs()) {
            b.append(String.format(Locale.ROOT, "%n  %-16s error %.3e  bound %.1e  %s  %s", o.name(), o.error(), o.bound(),
                    o.passed() ? "ok" : "OVER", o.algorithm()));
        }
        fail(b.toString());
    }
}
