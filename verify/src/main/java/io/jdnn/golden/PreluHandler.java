package io.jdnn.golden;

import io.jdnn.ErrorBounds;
import io.jdnn.Shape;
import io.jdnn.Tensor;

import java.util.List;

/** Golden op prelu [F.prelu]: x (N, C, ...), weight (C or 1); outputs y, dx, dweight. */
final class PreluHandler {
    private PreluHandler() {
    }

    /** Runs a prelu case: prelu, then preluBackward when dx or dweight is wanted. */
    static void run(CaseRun r) {
        r.declare(List.of(), List.of(), List.of("x", "weight"), List.of("dy"), List.of("y", "dx", "dweight"));
        r.requireIfAny("dy", "dx", "dweight");
        int[] dims = r.tensor("x").shape();
        Tensor x = r.upload("x");
        Tensor w = r.upload("weight");
        if (r.wants("y")) {
            r.compare("y", r.keep(r.device().prelu(x, w)), dims, ErrorBounds.ELEMENTWISE, "elementwise");
        }
        if (r.wants("dx") || r.wants("dweight")) {
            Tensor dy = r.upload("dy");
            Tensor dx = r.allocate(Shape.of(dims));
            Tensor dw = r.allocate(w.shape());
            r.device().preluBackward(x, w, dy, dx, dw);
            if (r.wants("dx")) {
                r.compare("dx", dx, dims, ErrorBounds.ELEMENTWISE, "elementwise");
            }
            if (r.wants("dweight")) {
                r.compare("dweight", dw, w.shape(), ErrorBounds.REDUCTION, "channel reduction");
            }
        }
    }
}
