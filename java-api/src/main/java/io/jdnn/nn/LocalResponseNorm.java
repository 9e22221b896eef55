package io.jdnn.nn;

import io.jdnn.LrnProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;

/**
 * Local response normalization across channels, PyTorch's {@code nn.LocalResponseNorm(size, alpha,
 * beta, k)} on (N, C, ...) input: y = x / (k + alpha / size * sum of x^2 over the window of
 * {@code size} neighbouring channels)^beta. No parameters. Forward
 * {@link io.jdnn.Device#localResponseNorm}, backward {@code localResponseNormBackward} from the
 * saved input; inputs of rank other than 4 run as the (N, C, product of the rest, 1) view. Made by
 * {@link Layers#localResponseNorm}.
 */
public final class LocalResponseNorm extends Layer {
    private final int size;
    private final double alpha;
    private final double beta;
    private final double k;
    private LrnProblem problem;

    LocalResponseNorm(Layers layers, int size, double alpha, double beta, double k) {
        super(layers.device());
        new LrnProblem(1, 1, 1, 1, size, alpha, beta, k);
        this.size = size;
        this.alpha = alpha;
        this.beta = beta;
        this.k = k;
    }

    /** The number of channels in each window. */
    public int size() {
        return size;
    }

    /** The scale of the windowed sum of squares (divided by {@link #size()}). */
    public double alpha() {
        return alpha;
    }

    /** The exponent of the denominator. */
    public double beta() {
        return beta;
    }

    /** The constant added to the scaled sum of squares. */
    public double k() {
        return k;
    }

    @Override
    public Tensor forward(Tensor x) {
        Shape s = x.shape();
        if (s.rank() < 2) {
            throw new IllegalArgumentException(this + ".forward: argument 'x': expected shape (batch, channels, ...), got " + s);
        }
        Shape v = AffineNorm.nchw(s, toString(), s.dim(1));
        LrnProblem p = problem != null && problem.inputShape().equals(v) ? problem
                : new LrnProblem(v.dim(0), v.dim(1), v.dim(2), v.dim(3), size, alpha, beta, k);
        beginForward(x);
        problem = p;
        Tensor y = setOutput(device.allocate(s));
        AffineNorm.viewed(v, new Tensor[] {x, y}, t -> device.localResponseNorm(p, t[0], t[1]));
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        beginBackward(dy);
        LrnProblem p = problem;
        Tensor dx = setInputGrad(device.allocate(input.shape()));
        AffineNorm.viewed(p.inputShape(), new Tensor[] {input, dy, dx},
                t -> device.localResponseNormBackward(p, t[0], t[1], t[2]));
        return dx;
    }

    @Override
    public String toString() {
        return "localResponseNorm(" + size + ")";
    }
}
