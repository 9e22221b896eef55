package io.jdnn;

import io.jdnn.spi.Buffer;

import static io.jdnn.DeviceCore.distinct;
import static io.jdnn.DeviceCore.op;

/**
 * The resampling-and-padding family of a {@link Device}: interpolate (nearest, bilinear), pixel shuffle and unshuffle,
 * pad (constant, reflect, replicate), each with its backward pass. Outputs
 * never share storage with inputs.
 */
final class ResampleOps extends OpFamily {
    ResampleOps(DeviceCore core) {
        super(core);
    }

    // ---------------------------------------------------------------- interpolate

    Tensor interpolate(InterpolateProblem p, Tensor x) {
        return core.produce(p.outputShape(), y -> interpolate(p, x, y));
    }

    void interpolate(InterpolateProblem p, Tensor x, Tensor y) {
        String op = op("interpolate", p);
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x, p.inputShape());
            Buffer by = core.use(op, "y", y, p.outputShape());
            distinct(op, "y", y, x);
            impl.interpolate(p, bx, by);
        });
    }

    Tensor interpolateBackward(InterpolateProblem p, Tensor dy) {
        return core.produce(p.inputShape(), dx -> interpolateBackward(p, dy, dx));
    }

    void interpolateBackward(InterpolateProblem p, Tensor dy, Tensor dx) {
        String op = op("interpolateBackward", p);
        core.run(op, () -> {
            Buffer bdy = core.use(op, "dy", dy, p.outputShape());
            Buffer bdx = core.use(op, "dx", dx, p.inputShape());
            distinct(op, "dx", dx, dy);
            impl.interpolateBackward(p, bdy, bdx);
        });
    }

    // ---------------------------------------------------------------- pixel shuffle and unshuffle

    Tensor pixelShuffle(PixelShuffleProblem p, Tensor x) {
        return core.produce(p.outputShape(), y -> pixelShuffle(p, x, y));
    }

    void pixelShuffle(PixelShuffleProblem p, Tensor x, Tensor y) {
        String op = op(p.unshuffle() ? "pixelUnshuffle" : "pixelShuffle", p);
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x, p.inputShape());
            Buffer by = core.use(op, "y", y, p.outputShape());
            distinct(op, "y", y, x);
            impl.pixelShuffle(p, bx, by);
        });
    }

    // ---------------------------------------------------------------- pad

    Tensor pad(PadProblem p, Tensor x) {
        return core.produce(p.outputShape(), y -> pad(p, x, y));
    }

    void pad(PadProblem p, Tensor x, Tensor y) {
        String op = op("pad", p);
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x, p.inputShape());
            Buffer by = core.use(op, "y", y, p.outputShape());
            distinct(op, "y", y, x);
            impl.pad(p, bx, by);
        });
    }

    Tensor padBackward(PadProblem p, Tensor dy) {
        return core.produce(p.inputShape(), dx -> padBackward(p, dy, dx));
    }

    void padBackward(PadProblem p, Tensor dy, Tensor dx) {
        String op = op("padBackward", p);
        core.run(op, () -> {
            Buffer bdy = core.use(op, "dy", dy, p.outputShape());
            Buffer bdx = core.use(op, "dx", dx, p.inputShape());
            distinct(op, "dx", dx, dy);
            impl.padBackward(p, bdy, bdx);
        });
    }
}
