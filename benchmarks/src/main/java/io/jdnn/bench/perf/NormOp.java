package io.jdnn.bench.perf;

import io.jdnn.Device;
import io.jdnn.ErrorBounds;
import io.jdnn.GroupNormProblem;
import io.jdnn.LrnProblem;
import io.jdnn.Precision;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.bench.perf.BenchProblem.Pass;

import java.util.List;
import java.util.Map;

/**
 * The normalization family's bench ops: group norm (instance and layer norm are group norm on the
 * backends) and local response norm, forward and backward. Memory-bound: rows report GB/s from the
 * problem records' minimal bytes, no flop rate.
 */
final class NormOp {
    private NormOp() {
    }

    /** Group norm forward (y and the saved statistics) or backward (dx, dweight, dbias). */
    static final class GroupNormOp extends Op {
        private final GroupNormProblem p;

        GroupNormOp(BenchProblem.GroupNorm g, Pass pass) {
            super(g, pass);
            this.p = g.problem();
        }

        @Override
        public List<TensorSpec> tensors() {
            Shape x = p.inputShape();
            Shape c = p.channelShape();
            Shape s = p.statsShape();
            return pass == Pass.FWD
                    ? List.of(in("x", x), in("weight", c), in("bias", c), out("y", x), out("saveMean", s),
                    out("saveInvStd", s))
                    : List.of(in("x", x), in("dy", x), in("weight", c), in("saveMean", s),
                    new TensorSpec("saveInvStd", s, Fill.POSITIVE, false), out("dx", x), out("dweight", c),
                    out("dbias", c));
        }

        @Override
        public long flops() {
            return -1;
        }

        @Override
        public long bytes() {
            return pass == Pass.FWD ? p.forwardBytes() : p.backwardBytes();
        }

        @Override
        public double errorBound(Precision precision, String algorithm) {
            return ErrorBounds.forPrecision(precision, ErrorBounds.REDUCTION);
        }

        @Override
        public Instance instantiate(Device device, String algorithm, Filler filler) {
            return allocate(device, filler, t -> run(device, t));
        }

        private void run(Device d, Map<String, Tensor> t) {
            if (pass == Pass.FWD) {
                d.groupNorm(p, t.get("x"), t.get("weight"), t.get("bias"), t.get("y"), t.get("saveMean"),
                        t.get("saveInvStd"));
            } else {
                d.groupNormBackward(p, t.get("x"), t.get("dy"), t.get("weight"), t.get("saveMean"), t.get("saveInvStd"),
                        t.get("dx"), t.get("dweight"), t.get("dbias"));
            }
        }
    }

    /** Local response norm forward (y) or backward (dx). */
    static final class LrnOp extends Op {
        private final LrnProblem p;

        LrnOp(BenchProblem.Lrn l, Pass pass) {
            super(l, pass);
            this.p = l.problem();
        }

        @Override
        public List<TensorSpec> tensors() {
            Shape x = p.inputShape();
            return pass == Pass.FWD ? List.of(in("x", x), out("y", x)) : List.of(in("x", x), in("dy", x), out("dx", x));
        }

        @Override
        public long flops() {
            return -1;
        }

        @Override
        public long bytes() {
            return pass == Pass.FWD ? p.forwardBytes() : p.backwardBytes();
        }

        @Override
        public double errorBound(Precision precision, String algorithm) {
            return ErrorBounds.forPrecision(precision, ErrorBounds.LRN);
        }

        @Override
        public Instance instantiate(Device device, String algorithm, Filler filler) {
            return allocate(device, filler, t -> run(device, t));
        }

        private void run(Device d, Map<String, Tensor> t) {
            if (pass == Pass.FWD) {
                d.localResponseNorm(p, t.get("x"), t.get("y"));
            } else {
                d.localResponseNormBackward(p, t.get("x"), t.get("dy"), t.get("dx"));
            }
        }
    }
}
