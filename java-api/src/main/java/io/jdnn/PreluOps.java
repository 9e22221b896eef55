package io.jdnn;

import io.jdnn.spi.Buffer;

import static io.jdnn.DeviceCore.distinct;
import static io.jdnn.DeviceCore.shapeOf;

/**
 * The PReLU op of a {@link Device} (PyTorch's F.prelu): x (N, C, ...) with a weight of C slopes
 * (one per channel, dimension 1) or of 1 slope shared by every element. The backend sees x as
 * (outer, channels, inner): a shared slope arrives as channels = 1 over inner = C * (the rest).
 */
final class PreluOps extends OpFamily {
    PreluOps(DeviceCore core) {
        super(core);
    }

    /** x as (outer, channels, inner) for the backend, once the weight's shape is checked against x. */
    private record View(int outer, int channels, long inner) {
    }

    private static View view(String op, Tensor x, Tensor weight) {
        Shape xs = x.shape();
        int channels = xs.rank() >= 2 ? xs.dim(1) : 1;
        Shape ws = weight.shape();
        boolean shared = ws.equals(Shape.of(1));
        if (!shared && !ws.equals(Shape.of(channels))) {
            throw new IllegalArgumentException(op + ": argument 'weight': expected shape " + Shape.of(channels)
                    + " (one slope per channel, dimension 1 of x " + xs + ") or " + Shape.of(1)
                    + " (one shared slope), got " + ws);
        }
        int outer = xs.rank() >= 2 ? xs.dim(0) : 1;
        long inner = xs.elements() / outer / channels;
        return shared ? new View(outer, 1, inner * channels) : new View(outer, channels, inner);
    }

    Tensor prelu(Tensor x, Tensor weight) {
        return core.produce(shapeOf("prelu", "x", x), y -> prelu(x, weight, y));
    }

    void prelu(Tensor x, Tensor weight, Tensor y) {
        String op = "prelu";
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x);
            Buffer bw = core.use(op, "weight", weight);
            View v = view(op, x, weight);
            Buffer by = core.use(op, "y", y, x.shape());
            distinct(op, "y", y, weight);
            impl.preluForward(v.outer(), v.channels(), v.inner(), bx, bw, by);
        });
    }

    void preluBackward(Tensor x, Tensor weight, Tensor dy, Tensor dx, Tensor dweight) {
        String op = "preluBackward";
        core.run(op, () -> {
            Buffer bx = core.use(op, "x", x);
            Buffer bw = core.use(op, "weight", weight);
            View v = view(op, x, weight);
            Buffer bdy = core.use(op, "dy", dy, x.shape());
            Buffer bdx = core.use(op, "dx", dx, x.shape());
            Buffer bdw = core.use(op, "dweight", dweight, weight.shape());
            distinct(op, "dx", dx, weight, dweight);
            distinct(op, "dweight", dweight, x, weight, dy);
            impl.preluBackward(v.outer(), v.channels(), v.inner(), bx, bw, bdy, bdx, bdw);
        });
    }
}
