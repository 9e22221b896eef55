package io.jdnn.bench.perf.jmh;

import io.jdnn.Device;
import io.jdnn.ProblemString;
import io.jdnn.bench.perf.BenchProblem;
import io.jdnn.bench.perf.Inputs;
import io.jdnn.bench.perf.Op;

import java.util.Optional;
import java.util.Set;

/** The JMH benchmarks' way to set up an op: the same problem strings, ops and inputs as {@code jdnn bench}. */
final class JmhOps {
    private JmhOps() {
    }

    private static final Set<String> OPTIMIZERS = Set.of("sgd", "adagrad", "rmsprop", "adam", "adamw", "adadelta");

    /** The op for a problem string and a pass label; {@code parameters} applies to optimizer rules only. */
    static Op op(String problem, String pass, long parameters) {
        long n = OPTIMIZERS.contains(ProblemString.parse(problem).kind()) ? parameters : 0;
        BenchProblem p = BenchProblem.parse(problem, n);
        for (BenchProblem.Pass candidate : p.passes()) {
            if (candidate.label().equals(pass)) {
                return Op.of(p, candidate);
            }
        }
        throw new IllegalArgumentException("pass '" + pass + "' of " + problem + ": expected one of " + p.passes());
    }

    /** Tensors filled with random data on the device; throws (JMH reports it) when the algorithm does not apply. */
    static Op.Instance instantiate(Device device, Op op, String algorithm) {
        String a = op.algorithms(device).contains("-") ? "-" : algorithm;
        Optional<String> why = op.whyNot(device, a);
        if (why.isPresent()) {
            throw new IllegalArgumentException(a + " does not run " + op + " on " + device.spec() + ": " + why.get());
        }
        return op.instantiate(device, a, new Inputs.OnDevice(1));
    }
}
