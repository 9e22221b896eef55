package io.jdnn.nn;

import io.jdnn.Device;
import io.jdnn.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Base of the single layers: the device, the training flag, the parameters, and the bookkeeping of
 * the tensors a layer owns (its forward output and saved state, its backward output), which are
 * closed when replaced by the next pass or by {@link #release()}. Subclasses implement
 * {@link #forward} and {@link #backward}.
 */
public abstract class Layer implements Module {
    /** The device the layer's parameters, buffers and outputs live on. */
    protected final Device device;
    private final List<Parameter> params = new ArrayList<>();
    private final List<Tensor> buffers = new ArrayList<>();
    private boolean training = true;
    /** The forward pass's input, saved for backward (owned by the caller). */
    protected Tensor input;
    /** The forward pass's output (owned here), or null. */
    protected Tensor output;
    /** The backward pass's output (owned here), or null. */
    protected Tensor inputGrad;

    /** A layer on {@code device} (not null), in training mode. */
    protected Layer(Device device) {
        if (device == null) {
            throw new IllegalArgumentException("device: expected a Device, got null");
        }
        this.device = device;
    }

    /** The device the layer's parameters, buffers and outputs live on. */
    public Device device() {
        return device;
    }

    /** Registers a parameter (closed with the layer). */
    protected final Parameter addParameter(Parameter p) {
        params.add(p);
        return p;
    }

    /** Registers a buffer (closed with the layer). */
    protected final Tensor addBuffer(Tensor t) {
        buffers.add(t);
        return t;
    }

    @Override
    public List<Parameter> parameters() {
        return List.copyOf(params);
    }

    @Override
    public List<Tensor> buffers() {
        return List.copyOf(buffers);
    }

    /** True in training mode (the default), false in evaluation mode. */
    public boolean isTraining() {
        return training;
    }

    @Override
    public void train(boolean t) {
        training = t;
    }

    /** Closes the previous forward output (and anything {@link #releaseSaved()} frees) before a new forward pass. */
    protected final void beginForward(Tensor x) {
        if (x == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".forward: argument 'x': expected a tensor, got null");
        }
        if (x.device() != device) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".forward: argument 'x': expected a tensor of "
                    + device.spec() + ", got one of " + x.device().spec());
        }
        if (x == output && output != input) {
            throw new IllegalArgumentException(this + ".forward: argument 'x' is this layer's own previous output, which the "
                    + "new pass replaces; a module instance runs at one place in a network (make one per use)");
        }
        closeOutput();
        releaseSaved();
        input = x;
    }

    /** Checks that a forward pass ran and closes the previous backward output. */
    protected final void beginBackward(Tensor dy) {
        if (input == null) {
            throw new IllegalStateException(getClass().getSimpleName() + ".backward: no forward pass to differentiate "
                    + "(call forward first; release() forgets it)");
        }
        if (dy == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".backward: argument 'dy': expected a tensor, got null");
        }
        closeInputGrad();
    }

    /** Keeps {@code y} as this pass's output and returns it. */
    protected final Tensor setOutput(Tensor y) {
        output = y;
        return y;
    }

    /** Keeps {@code dx} as this pass's input gradient and returns it. */
    protected final Tensor setInputGrad(Tensor dx) {
        inputGrad = dx;
        return dx;
    }

    private void closeOutput() {
        if (output != null && output != input) {
            output.close();
        }
        output = null;
    }

    private void closeInputGrad() {
        if (inputGrad != null) {
            inputGrad.close();
        }
        inputGrad = null;
    }

    /** Frees per-pass state a subclass keeps besides input, output and input gradient (saved statistics). */
    protected void releaseSaved() {
    }

    @Override
    public void release() {
        closeOutput();
        closeInputGrad();
        releaseSaved();
        input = null;
    }

    @Override
    public void close() {
        release();
        for (Parameter p : params) {
            p.close();
        }
        for (Tensor t : buffers) {
            t.close();
        }
    }
}
