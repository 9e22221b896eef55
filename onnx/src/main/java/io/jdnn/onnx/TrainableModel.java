package io.jdnn.onnx;

import io.jdnn.Device;
import io.jdnn.Tensor;
import io.jdnn.nn.Module;
import io.jdnn.nn.Parameter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX model compiled for training on one device by {@link OnnxModel#compileTrainable}: an
 * {@code nn} {@link Module} whose float initializers are {@link Parameter}s (named after the
 * initializers, {@link #parameter(String)}), whose nodes run as the {@code nn} layers of their ops
 * (a Conv as {@link io.jdnn.nn.Conv2d}, a BatchNormalization as {@link io.jdnn.nn.BatchNorm2d} with
 * the model's running statistics and batch statistics in training mode, never folded), and whose
 * backward pass runs the Device backward op of every node in reverse, summing the gradients of a
 * value read by several nodes. Any jdnn optimizer steps it ({@link io.jdnn.nn.OptimizerDriver}),
 * {@link io.jdnn.nn.GradCheck} checks it. One input, one output; a module's ownership rules apply
 * (the output stays valid until the next forward pass).
 */
public final class TrainableModel implements Module {
    private final Device device;
    private final String input;
    private final String output;
    private final List<TrainStep> steps;
    private final Map<String, String> aliases;
    private final Map<String, Parameter> parameters;
    private final List<Module> modules = new ArrayList<>();
    private final List<Tensor> sums = new ArrayList<>();
    private Map<String, Tensor> values = Map.of();

    TrainableModel(Device device, String input, String output, List<TrainStep> steps, Map<String, String> aliases,
                   Map<String, Parameter> parameters) {
        this.device = device;
        this.input = input;
        this.output = output;
        this.steps = List.copyOf(steps);
        this.aliases = Map.copyOf(aliases);
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        for (TrainStep s : steps) {
            if (s.module() != null) {
                modules.add(s.module());
            }
        }
    }

    /** The device the model's parameters and activations live on. */
    public Device device() {
        return device;
    }

    /** The parameter made from initializer {@code name}. */
    public Parameter parameter(String name) {
        Parameter p = parameters.get(name);
        if (p == null) {
            throw new IllegalArgumentException("parameter: the model has no trainable initializer '" + name
                    + "' (it has " + parameters.keySet() + ")");
        }
        return p;
    }

    /** The trainable initializers' names, in the model's order of use. */
    public List<String> parameterNames() {
        return List.copyOf(parameters.keySet());
    }

    /** The op types the model runs, one per node, in order (Identity and Dropout are left out). */
    public List<String> ops() {
        return steps.stream().map(s -> s.node.opType()).toList();
    }

    @Override
    public List<Module> children() {
        return Collections.unmodifiableList(modules);
    }

    @Override
    public List<Parameter> parameters() {
        return List.copyOf(parameters.values());
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x == null || x.device() != device) {
            throw new IllegalArgumentException("TrainableModel.forward: argument 'x': expected a tensor of "
                    + device.spec() + ", got " + (x == null ? "null" : "one of " + x.device().spec()));
        }
        Map<String, Tensor> v = new HashMap<>();
        v.put(input, x);
        for (TrainStep s : steps) {
            List<Tensor> xs = new ArrayList<>();
            for (String in : s.inputs) {
                xs.add(v.get(resolve(in)));
            }
            v.put(s.node.output(0), s.forward(xs));
        }
        values = v;
        return v.get(resolve(output));
    }

    @Override
    public Tensor backward(Tensor dy) {
        if (values.isEmpty()) {
            throw new IllegalStateException("TrainableModel.backward: no forward pass to differentiate (call forward "
                    + "first; release() forgets it)");
        }
        closeSums();
        Map<String, Tensor> grads = new HashMap<>();
        grads.put(resolve(output), dy);
        for (int i = steps.size() - 1; i >= 0; i--) {
            TrainStep s = steps.get(i);
            Tensor g = grads.get(s.node.output(0));
            if (g == null) {
                continue;
            }
            List<Tensor> dxs = s.backward(g);
            for (int k = 0; k < s.inputs.size(); k++) {
                String in = resolve(s.inputs.get(k));
                Tensor before = grads.get(in);
                if (before == null) {
                    grads.put(in, dxs.get(k));
                } else {
                    Tensor sum = device.allocate(before.shape());
                    device.add(before, dxs.get(k), sum);
                    sums.add(sum);
                    grads.put(in, sum);
                }
            }
        }
        Tensor dx = grads.get(input);
        if (dx == null) {
            throw new IllegalStateException("TrainableModel.backward: the output does not depend on the input");
        }
        return dx;
    }

    private String resolve(String name) {
        String n = name;
        while (aliases.containsKey(n)) {
            n = aliases.get(n);
        }
        return n;
    }

    private void closeSums() {
        sums.forEach(Tensor::close);
        sums.clear();
    }

    @Override
    public void release() {
        closeSums();
        for (TrainStep s : steps) {
            s.release();
        }
        values = Map.of();
    }

    @Override
    public void close() {
        release();
        for (Module m : modules) {
            m.close();
        }
    }

    @Override
    public String toString() {
        return "onnx" + ops();
    }
}
