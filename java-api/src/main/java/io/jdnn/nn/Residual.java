package io.jdnn.nn;

import io.jdnn.Device;
import io.jdnn.Tensor;

import java.util.List;

/**
 * A residual connection: y = main(x) + shortcut(x), with the identity as the shortcut when none is
 * given (ResNet's basic block is {@code residual(conv-bn-relu-conv-bn, identity or 1x1 conv-bn)}
 * followed by a ReLU). Backward: dx = main.backward(dy) + shortcut.backward(dy), both added with
 * {@link Device#add}. Made by {@link Layers#residual}.
 */
public final class Residual implements Module {
    private final Device device;
    private final Module main;
    private final Module shortcut;
    private Tensor output;
    private Tensor inputGrad;

    /** {@code shortcut} may be null for the identity. */
    public Residual(Device device, Module main, Module shortcut) {
        if (device == null || main == null) {
            throw new IllegalArgumentException("residual: expected a device and a main branch, got " + device + ", " + main);
        }
        this.device = device;
        this.main = main;
        this.shortcut = shortcut;
    }

    /** The main branch. */
    public Module main() {
        return main;
    }

    /** The shortcut branch, or null for the identity. */
    public Module shortcut() {
        return shortcut;
    }

    @Override
    public List<Module> children() {
        return shortcut == null ? List.of(main) : List.of(main, shortcut);
    }

    @Override
    public Tensor forward(Tensor x) {
        closeOutput();
        Tensor a = main.forward(x);
        Tensor s = shortcut == null ? x : shortcut.forward(x);
        if (!a.shape().equals(s.shape())) {
            throw new IllegalArgumentException("residual: main branch gives " + a.shape() + " but the shortcut gives "
                    + s.shape() + " for input " + x.shape() + " (give the shortcut a projection)");
        }
        output = device.allocate(a.shape());
        device.add(a, s, output);
        return output;
    }

    @Override
    public Tensor backward(Tensor dy) {
        closeInputGrad();
        Tensor dm = main.backward(dy);
        Tensor ds = shortcut == null ? dy : shortcut.backward(dy);
        inputGrad = device.allocate(dm.shape());
        device.add(dm, ds, inputGrad);
        return inputGrad;
    }

    private void closeOutput() {
        if (output != null) {
            output.close();
            output = null;
        }
    }

    private void closeInputGrad() {
        if (inputGrad != null) {
            inputGrad.close();
            inputGrad = null;
        }
    }

    @Override
    public void release() {
        closeOutput();
        closeInputGrad();
        Module.super.release();
    }

    @Override
    public void close() {
        release();
        main.close();
        if (shortcut != null) {
            shortcut.close();
        }
    }

    @Override
    public String toString() {
        return "residual(" + main + ", " + (shortcut == null ? "identity" : shortcut) + ")";
    }
}
