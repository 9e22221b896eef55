package io.jdnn.bench.perf.vendor;

import io.jdnn.ConvDirection;
import io.jdnn.ConvProblem;
import io.jdnn.Device;
import io.jdnn.Devices;
import io.jdnn.DirectConv;
import io.jdnn.ErrorBounds;
import io.jdnn.LinearProblem;
import io.jdnn.bench.perf.BenchProblem;
import io.jdnn.bench.perf.BenchProblem.Pass;
import io.jdnn.bench.perf.Inputs;
import io.jdnn.bench.perf.Op;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vendor mappings checked on the reference, without a GPU: the column-major SGEMM that
 * {@link GemmMapping} describes, computed here in plain Java, and the direct convolution pass that
 * {@link ConvMapping} names, computed by the reference, must give what jdnn's pass gives.
 */
class MappingTest {
    static Device ref;

    @BeforeAll
    static void open() {
        ref = Devices.open("reference");
    }

    @AfterAll
    static void close() {
        ref.close();
    }

    /** jdnn's outputs of one op on the reference from the host inputs. */
    static Map<String, double[]> run(Op op, Inputs.Host host) {
        try (Op.Instance inst = op.instantiate(ref, op.algorithms(ref).get(0), host)) {
            inst.run();
            Map<String, double[]> out = new java.util.LinkedHashMap<>();
            for (String name : inst.compared()) {
                out.put(name, inst.tensor(name).toDoubleArray());
            }
            return out;
        }
    }

    @Test
    void gemmMappingIsTheLinearLayer() {
        LinearProblem p = new LinearProblem(3, 5, 4);
        for (Pass pass : new Pass[] {Pass.FWD, Pass.BWD_DATA, Pass.BWD_FILTER}) {
            Op op = Op.of(new BenchProblem.Linear(p), pass);
            Inputs.Host host = new Inputs.Host(7);
            Map<String, double[]> expected = run(op, host);
            GemmMapping g = GemmMapping.of(p, pass);
            float[] a = array(op, host, g.a());
            float[] b = array(op, host, g.b());
            double[] c = new double[g.ldc() * g.n()];
            // column-major: C(i, j) = sum_l op(A)(i, l) op(B)(l, j), element (r, s) of X at X[r + s * ld]
            for (int i = 0; i < g.m(); i++) {
                for (int j = 0; j < g.n(); j++) {
                    double s = 0;
                    for (int l = 0; l < g.k(); l++) {
                        double av = g.transA() ? a[l + i * g.lda()] : a[i + l * g.lda()];
                        double bv = g.transB() ? b[j + l * g.ldb()] : b[l + j * g.ldb()];
                        s += av * bv;
                    }
                    c[i + j * g.ldc()] = s;
                }
            }
            double[] want = expected.get(g.c());
            assertEquals(want.length, c.length, pass.label());
            assertTrue(ErrorBounds.maxNormalizedError(c, want) < 1e-12, pass.label());
        }
    }

    static float[] array(Op op, Inputs.Host host, String name) {
        for (Op.TensorSpec s : op.tensors()) {
            if (s.name().equals(name)) {
                return host.array(s);
            }
        }
        throw new AssertionError("no tensor " + name + " in " + op);
    }

    @Test
    void convMappingIsTheDirectPass() {
        String[] problems = {"conv_mb2ic4ih7oc6kh3sh2ph1g2", "deconv_mb2ic4ih5oc6kh4sh2ph1g2", "deconv_mb1ic3ih4oc2kh3sh2ph1oph1",
                "conv_mb1ic4ih9oc4kh3ph2dh2g4"};
        ConvDirection[] dirs = ConvDirection.values();
        Pass[] passes = {Pass.FWD, Pass.BWD_DATA, Pass.BWD_FILTER};
        for (String text : problems) {
            ConvProblem p = ConvProblem.parse(text);
            for (int i = 0; i < 3; i++) {
                Op op = Op.of(new BenchProblem.Conv(p), passes[i]);
                Inputs.Host host = new Inputs.Host(11);
                Map<String, double[]> expected = run(op, host);
                ConvMapping m = ConvMapping.of(p, dirs[i]);
                DirectConv d = m.conv();
                ConvProblem direct = ConvProblem.builder().batch(d.n()).inChannels(d.c()).size(d.h(), d.w())
                        .outChannels(d.k()).kernel(d.r(), d.s()).stride(d.strideH(), d.strideW())
                        .padding(d.padH(), d.padW()).dilation(d.dilationH(), d.dilationW()).groups(d.groups()).build();
                assertEquals(d.p(), direct.outHeight(), text);
                Pass call = passes[m.call().ordinal()];
                Op directOp = Op.of(new BenchProblem.Conv(direct), call);
                // direct tensor names to cuDNN's roles, to the jdnn tensor the mapping binds there
                Map<String, String> role = Map.of("x", m.image(), "dx", m.image(), "w", m.filter(), "dw", m.filter(),
                        "y", m.response(), "dy", m.response());
                Map<String, double[]> got;
                try (Op.Instance inst = directOp.instantiate(ref, "DIRECT", (dev, spec, t) -> {
                    for (Op.TensorSpec s : op.tensors()) {
                        if (s.name().equals(role.get(spec.name()))) {
                            t.copyFrom(host.array(s));
                            return;
                        }
                    }
                    throw new AssertionError(spec.name() + " maps to no tensor of " + op);
                })) {
                    inst.run();
                    String out = inst.compared().get(0);
                    got = Map.of(role.get(out), inst.tensor(out).toDoubleArray());
                }
                for (Map.Entry<String, double[]> e : got.entrySet()) {
                    assertTrue(expected.containsKey(e.getKey()), text + " " + passes[i].label() + ": " + e.getKey());
                    assertTrue(ErrorBounds.maxNormalizedError(e.getValue(), expected.get(e.getKey())) < 1e-12,
                            text + " " + passes[i].label());
                }
            }
        }
    }
}
