package io.jdnn.nn;

import io.jdnn.BatchNormProblem;
import io.jdnn.Shape;
import io.jdnn.Tensor;

/**
 * Spatial batch normalization, PyTorch's {@code nn.BatchNorm2d}: gamma (init 1) and beta (init 0)
 * per channel are parameters; the running mean (init 0) and variance (init 1) are buffers, updated in
 * training mode with {@code momentum}. Training mode normalizes with the batch statistics
 * ({@link io.jdnn.Device#batchNormTrain}, backward {@code batchNormBackward}); evaluation mode with the
 * running ones ({@code batchNormInference}, backward {@code batchNormInferenceBackward}).
 * Made by {@link Layers#batchNorm2d}.
 */
public final class BatchNorm2d extends Layer {
    private final int channels;
    private final double eps;
    private final double momentum;
    private final Parameter gamma;
    private final Parameter beta;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private BatchNormProblem problem;
    private boolean trainedPass;
    private Tensor saveMean;
    private Tensor saveInvStd;

    BatchNorm2d(Layers layers, int channels, double eps, double momentum) {
        super(layers.device());
        // Validates channels, eps and momentum with the problem record's rules.
        new BatchNormProblem(1, channels, 1, 1, eps, momentum);
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        String name = "batchNorm2d(" + channels + ")";
        Shape cs = Shape.of(channels);
        this.gamma = addParameter(new Parameter(name + ".weight", device.full(cs, 1f)));
        this.beta = addParameter(new Parameter(name + ".bias", device.zeros(cs)));
        this.runningMean = addBuffer(device.zeros(cs));
        this.runningVar = addBuffer(device.full(cs, 1f));
    }

    /** The per-channel scale, shape (channels), initialized to 1. */
    public Parameter gamma() {
        return gamma;
    }

    /** The per-channel shift, shape (channels), initialized to 0. */
    public Parameter beta() {
        return beta;
    }

    /** The number of channels normalized. */
    public int channels() {
        return channels;
    }

    /** The epsilon added to the variance before its square root. */
    public double eps() {
        return eps;
    }

    /** The weight of the newest batch in the running statistics' update. */
    public double momentum() {
        return momentum;
    }

    /** The running mean, shape (channels): updated by training passes, used by evaluation passes. */
    public Tensor runningMean() {
        return runningMean;
    }

    /** The running (unbiased) variance, shape (channels): updated by training passes, used by evaluation passes. */
    public Tensor runningVar() {
        return runningVar;
    }

    @Override
    public Tensor forward(Tensor x) {
        Shape s = x.shape();
        if (s.rank() != 4 || s.dim(1) != channels) {
            throw new IllegalArgumentException(this + ".forward: argument 'x': expected shape (batch, " + channels
                    + ", height, width), got " + s);
        }
        BatchNormProblem p = problem != null && problem.inputShape().equals(s) ? problem
                : new BatchNormProblem(s.dim(0), channels, s.dim(2), s.dim(3), eps, momentum);
        beginForward(x);
        problem = p;
        trainedPass = isTraining();
        Tensor y = device.allocate(s);
        setOutput(y);
        if (trainedPass) {
            saveMean = device.allocate(p.channelShape());
            saveInvStd = device.allocate(p.channelShape());
            device.batchNormTrain(p, x, gamma.value(), beta.value(), runningMean, runningVar, y, saveMean, saveInvStd);
        } else {
            device.batchNormInference(p, x, gamma.value(), beta.value(), runningMean, runningVar, y);
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        beginBackward(dy);
        BatchNormProblem p = problem;
        Tensor dx = setInputGrad(device.allocate(p.inputShape()));
        Parameter.accumulate(new Parameter[] {gamma, beta}, g -> {
            if (trainedPass) {
                device.batchNormBackward(p, input, dy, gamma.value(), saveMean, saveInvStd, dx, g[0], g[1]);
            } else {
                device.batchNormInferenceBackward(p, input, dy, gamma.value(), runningMean, runningVar, dx, g[0], g[1]);
            }
        });
        return dx;
    }

    @Override
    protected void releaseSaved() {
        if (saveMean != null) {
            saveMean.close();
            saveInvStd.close();
        }
        saveMean = null;
        saveInvStd = null;
    }

    @Override
    public String toString() {
        return "batchNorm2d(" + channels + ")";
    }
}
