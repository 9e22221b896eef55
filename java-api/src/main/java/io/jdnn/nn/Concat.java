package io.jdnn.nn;

import io.jdnn.Device;
import io.jdnn.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Branches run on the same input and concatenated along the channels (dimension 1), as an Inception
 * block or a DenseNet layer does: y = cat(branch_1(x), ..., branch_k(x)) by {@link Device#cat}. The
 * branches' outputs must agree in every dimension but the channels. Backward splits dy along the
 * channels ({@link Device#split}), runs each branch's backward on its part and sums the branches'
 * input gradients with {@link Device#add}. Made by {@link Layers#concat}.
 */
public final class Concat implements Module {
    private final Device device;
    private final List<Module> branches;
    private int[] channels;
    private Tensor output;
    private List<Tensor> gradParts = List.of();
    private Tensor inputGrad;

    /** The branches in concatenation order; at least one, none null. */
    public Concat(Device device, List<? extends Module> branches) {
        if (device == null || branches == null || branches.isEmpty()) {
            throw new IllegalArgumentException("concat: expected a device and at least one branch, got " + device + ", "
                    + branches);
        }
        for (int i = 0; i < branches.size(); i++) {
            if (branches.get(i) == null) {
                throw new IllegalArgumentException("branches[" + i + "]: expected a module, got null");
            }
        }
        this.device = device;
        this.branches = List.copyOf(branches);
    }

    /** Branch {@code i} in concatenation order. */
    public Module branch(int i) {
        return branches.get(i);
    }

    @Override
    public List<Module> children() {
        return branches;
    }

    @Override
    public Tensor forward(Tensor x) {
        closeOutput();
        List<Tensor> outs = new ArrayList<>();
        int[] c = new int[branches.size()];
        for (int i = 0; i < branches.size(); i++) {
            Tensor y = branches.get(i).forward(x);
            if (y.shape().rank() < 2) {
                throw new IllegalArgumentException(this + ": branch " + i + " gives " + y.shape()
                        + ", expected (batch, channels, ...)");
            }
            outs.add(y);
            c[i] = y.shape().dim(1);
        }
        channels = c;
        output = device.cat(outs, 1);
        return output;
    }

    @Override
    public Tensor backward(Tensor dy) {
        if (channels == null) {
            throw new IllegalStateException("Concat.backward: no forward pass to differentiate (call forward first; "
                    + "release() forgets it)");
        }
        closeGrads();
        gradParts = device.split(dy, 1, channels);
        for (int i = 0; i < branches.size(); i++) {
            Tensor dx = branches.get(i).backward(gradParts.get(i));
            if (i == 0) {
                inputGrad = device.allocate(dx.shape());
                device.copy(dx, inputGrad);
            } else {
                device.add(inputGrad, dx, inputGrad);
            }
        }
        return inputGrad;
    }

    private void closeOutput() {
        if (output != null) {
            output.close();
            output = null;
        }
    }

    // The parts of dy stay open until the next backward pass: a branch may return a view of its dy (Flatten does).
    private void closeGrads() {
        if (inputGrad != null) {
            inputGrad.close();
            inputGrad = null;
        }
        for (Tensor t : gradParts) {
            t.close();
        }
        gradParts = List.of();
    }

    @Override
    public void release() {
        closeOutput();
        closeGrads();
        channels = null;
        Module.super.release();
    }

    @Override
    public void close() {
        release();
        for (Module m : branches) {
            m.close();
        }
    }

    @Override
    public String toString() {
        return "concat" + Arrays.toString(branches.toArray());
    }
}
