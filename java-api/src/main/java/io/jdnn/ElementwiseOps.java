package io.jdnn;

import io.jdnn.spi.Buffer;

import static io.jdnn.DeviceCore.shapeOf;

/**
 * The element-wise family of a {@link Device}: activations and their gradients, axpby, dropout
 * and the random fills (both from {@link Philox} streams). Outputs may alias their inputs.
 */
final class ElementwiseOps extends OpFamily {
    ElementwiseOps(DeviceCore core) {
        super(core);
    }

    Tensor activation(Activation a, Tensor x) {
        return core.produce(shapeOf("activation", "x", x), y -> activation(a, x, y));
    }

    void activation(Activation a, Tensor x, Tensor y) {
        String op = "activation(" + a + ")";
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x);
            impl.activationForward(a, x.elements(), bx, core.use(op, "y", y, x.shape()));
        });
    }

    Tensor activationBackward(Activation a, Tensor x, Tensor dy) {
        return core.produce(shapeOf("activationBackward", "x", x), dx -> activationBackward(a, x, dy, dx));
    }

    void activationBackward(Activation a, Tensor x, Tensor dy, Tensor dx) {
        String op = "activationBackward(" + a + ")";
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x);
            impl.activationBackward(a, x.elements(), bx, core.use(op, "dy", dy, x.shape()),
                    core.use(op, "dx", dx, x.shape()));
        });
    }

    void axpby(double alpha, Tensor a, double beta, Tensor b, Tensor out) {
        core.run("axpby", () -> {
            Check.finite("alpha", alpha);
            Check.finite("beta", beta);
            Buffer ba = core.use("axpby", "a", a);
            impl.axpby(a.elements(), alpha, ba, beta, core.use("axpby", "b", b, a.shape()),
                    core.use("axpby", "out", out, a.shape()));
        });
    }

    void dropout(double p, long seed, long offset, Tensor x, Tensor y) {
        core.run("dropout", () -> {
            Check.inClosedRange("p", p, 0, 1);
            Buffer bx = core.use("dropout", "x", x);
            impl.dropoutForward(x.elements(), p, seed, offset, bx, core.use("dropout", "y", y, x.shape()));
        });
    }

    void dropoutBackward(double p, long seed, long offset, Tensor dy, Tensor dx) {
        core.run("dropoutBackward", () -> {
            Check.inClosedRange("p", p, 0, 1);
            Buffer bdy = core.use("dropoutBackward", "dy", dy);
            impl.dropoutBackward(dy.elements(), p, seed, offset, bdy, core.use("dropoutBackward", "dx", dx, dy.shape()));
        });
    }

    void randomUniform(Tensor t, double lo, double hi, long seed, long offset) {
        core.run("randomUniform", () -> {
            Check.finite("lo", lo);
            Check.finite("hi", hi);
            Check.that(lo <= hi, "hi", "a value >= lo=" + lo, hi);
            impl.randomUniform(t == null ? 0 : t.elements(), lo, hi, seed, offset, core.use("randomUniform", "t", t));
        });
    }

    void randomNormal(Tensor t, double mean, double std, long seed, long offset) {
        core.run("randomNormal", () -> {
            Check.finite("mean", mean);
            Check.nonNegative("std", std);
            impl.randomNormal(t == null ? 0 : t.elements(), mean, std, seed, offset, core.use("randomNormal", "t", t));
        });
    }
}
