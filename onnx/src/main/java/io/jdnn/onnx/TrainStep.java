package io.jdnn.onnx;

import io.jdnn.Device;
import io.jdnn.Shape;
import io.jdnn.Tensor;
import io.jdnn.nn.Module;

import java.util.ArrayList;
import java.util.List;

/**
 * One node of a {@link TrainableModel}: its forward pass on the tensors of its variable inputs and
 * its backward pass to their gradients. A step owns the tensors it returns until its next pass or
 * {@link #release()}, as a {@link Module} does.
 */
abstract class TrainStep {
    /** The node the step runs (for messages and launch lists). */
    final Node node;
    /** The names of the values the step reads, in the order its passes take and return them. */
    final List<String> inputs;

    TrainStep(Node node, List<String> inputs) {
        this.node = node;
        this.inputs = List.copyOf(inputs);
    }

    /** The output from the inputs' tensors. */
    abstract Tensor forward(List<Tensor> xs);

    /** The gradient of each input, in order, from the output's gradient. */
    abstract List<Tensor> backward(Tensor dy);

    /** The nn module the step runs, or null for the steps that are device calls of their own. */
    Module module() {
        return null;
    }

    /** Frees what the passes hold. */
    abstract void release();

    /** A step that runs an nn layer on its one input. */
    static final class Layer extends TrainStep {
        private final Module module;

        Layer(Node node, String input, Module module) {
            super(node, List.of(input));
            this.module = module;
        }

        @Override
        Tensor forward(List<Tensor> xs) {
            return module.forward(xs.get(0));
        }

        @Override
        List<Tensor> backward(Tensor dy) {
            return List.of(module.backward(dy));
        }

        @Override
        Module module() {
            return module;
        }

        @Override
        void release() {
            module.release();
        }
    }

    /** Add of two values of one shape: dy flows to both. */
    static final class Add extends TrainStep {
        private final Device device;
        private Tensor output;

        Add(Node node, Device device) {
            super(node, node.inputs());
            this.device = device;
        }

        @Override
        Tensor forward(List<Tensor> xs) {
            release();
            output = device.allocate(xs.get(0).shape());
            device.add(xs.get(0), xs.get(1), output);
            return output;
        }

        @Override
        List<Tensor> backward(Tensor dy) {
            return List.of(dy, dy);
        }

        @Override
        void release() {
            if (output != null) {
                output.close();
                output = null;
            }
        }
    }

    /** Concat along the channels: forward {@link Device#cat}, backward {@link Device#split}. */
    static final class Concat extends TrainStep {
        private final Device device;
        private int[] channels;
        private Tensor output;
        private List<Tensor> parts = List.of();

        Concat(Node node, Device device) {
            super(node, node.inputs());
            this.device = device;
        }

        @Override
        Tensor forward(List<Tensor> xs) {
            closeOutput();
            channels = new int[xs.size()];
            for (int i = 0; i < xs.size(); i++) {
                channels[i] = xs.get(i).shape().dim(1);
            }
            output = device.cat(xs, 1);
            return output;
        }

        @Override
        List<Tensor> backward(Tensor dy) {
            closeParts();
            parts = device.split(dy, 1, channels);
            return parts;
        }

        private void closeOutput() {
            if (output != null) {
                output.close();
                output = null;
            }
        }

        private void closeParts() {
            parts.forEach(Tensor::close);
            parts = List.of();
        }

        @Override
        void release() {
            closeOutput();
            closeParts();
        }
    }

    /** Reshape (or Flatten at another axis): a view forward, the gradient viewed back. */
    static final class Reshape extends TrainStep {
        private final Shape shape;
        private final List<Tensor> views = new ArrayList<>();
        private Shape in;

        Reshape(Node node, String input, Shape shape) {
            super(node, List.of(input));
            this.shape = shape;
        }

        @Override
        Tensor forward(List<Tensor> xs) {
            release();
            in = xs.get(0).shape();
            return keep(xs.get(0).view(shape));
        }

        @Override
        List<Tensor> backward(Tensor dy) {
            return List.of(keep(dy.view(in)));
        }

        private Tensor keep(Tensor t) {
            views.add(t);
            return t;
        }

        @Override
        void release() {
            views.forEach(Tensor::close);
            views.clear();
        }
    }
}
