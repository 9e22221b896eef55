package io.jdnn.onnx;

import io.jdnn.Device;
import io.jdnn.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX model compiled for one {@link Device} by {@link OnnxModel#compile}: its constants
 * (folded weights included) resident on the device, every convolution's algorithm chosen, its
 * temporaries in buffers planned by liveness, and its launches listed ({@link #launches()}).
 * {@link #run} binds the inputs and issues the launches: Device calls only, no host work beyond
 * argument checks. Owns its device tensors: close it (or its device) to free them. Runs are
 * serialized; a model is used from one thread at a time or waits its turn.
 */
public final class CompiledModel implements AutoCloseable {
    /**
     * What the compiled model holds on its device, in bytes at the device's storage precision.
     *
     * @param plannedActivationBytes the planned buffers of the temporaries plus the outputs of one run
     * @param activationBytes        every temporary and output counted in full (a plan without sharing)
     * @param constantBytes          weights and other constants resident on the device
     * @param buffers                number of shared temporary buffers
     */
    public record Memory(long plannedActivationBytes, long activationBytes, long constantBytes, int buffers) {
        /** Planned peak of a run: the planned activations plus the constants (backend workspaces and the caller's inputs excluded). */
        public long plannedPeakBytes() {
            return plannedActivationBytes + constantBytes;
        }
    }

    private final Device device;
    private final Graph graph;
    private final Map<String, Value> inputs;
    private final Map<String, Value> outputs;
    private final List<Step> steps;
    private final List<Tensor> owned;
    private final Memory memory;
    private boolean closed;

    CompiledModel(Device device, Graph graph, Map<String, Value> inputs, Map<String, Value> outputs, List<Step> steps,
                  List<Tensor> owned, Memory memory) {
        this.device = device;
        this.graph = graph;
        this.inputs = inputs;
        this.outputs = outputs;
        this.steps = List.copyOf(steps);
        this.owned = new ArrayList<>(owned);
        this.memory = memory;
    }

    /** The device the model runs on. */
    public Device device() {
        return device;
    }

    /** The graph as compiled (after a batch change, with the new extents). */
    public Graph graph() {
        return graph;
    }

    /** The inputs a run takes, in the model's order, with their extents. */
    public List<TensorInfo> inputs() {
        return graph.inputs();
    }

    /** The outputs a run returns, in the model's order, with their extents. */
    public List<TensorInfo> outputs() {
        List<TensorInfo> out = new ArrayList<>();
        for (Map.Entry<String, Value> e : outputs.entrySet()) {
            out.add(new TensorInfo(e.getKey(), DataType.FLOAT, Value.longs(e.getValue().dims)));
        }
        return out;
    }

    /** What the model holds on its device. */
    public Memory memory() {
        return memory;
    }

    /** One line per launch of a run, in order: the node, the Device call and its problem. */
    public List<String> launches() {
        return steps.stream().map(Step::label).toList();
    }

    /**
     * Runs the model on {@code feeds} (every input by name, of this device and the input's shape)
     * and returns each output by name in a new tensor that the caller owns and closes.
     *
     * @throws IllegalArgumentException naming the input that is missing, unknown or of the wrong shape or device
     * @throws IllegalStateException    when the model was closed
     */
    public synchronized Map<String, Tensor> run(Map<String, Tensor> feeds) {
        return run(feeds, null);
    }

    /**
     * Runs the model like {@link #run} and adds each launch's time to {@code millis}: the device is
     * synchronized around every launch and its device time ({@link Device#timeMillis}) added at the
     * launch's index ({@link #launches()} order). Slower than {@link #run} (one synchronization per
     * launch); for profiling only.
     *
     * @param millis one element per launch, added to
     * @throws IllegalArgumentException as {@link #run}, or when {@code millis} does not have one element per launch
     */
    public synchronized Map<String, Tensor> profile(Map<String, Tensor> feeds, double[] millis) {
        if (millis.length != steps.size()) {
            throw new IllegalArgumentException("profile: " + millis.length + " times for " + steps.size() + " launches");
        }
        return run(feeds, millis);
    }

    private Map<String, Tensor> run(Map<String, Tensor> feeds, double[] millis) {
        if (closed) {
            throw new IllegalStateException("run: the compiled model is closed");
        }
        for (String name : feeds.keySet()) {
            if (!inputs.containsKey(name)) {
                throw new IllegalArgumentException("run: the model has no input '" + name + "' (inputs: "
                        + inputs.keySet() + ")");
            }
        }
        for (Value in : inputs.values()) {
            Tensor t = feeds.get(in.name);
            if (t == null) {
                throw new IllegalArgumentException("run: input '" + in.name + "' is missing");
            }
            if (t.device() != device) {
                throw new IllegalArgumentException("run: input '" + in.name + "': expected a tensor of device "
                        + device.spec() + ", got one of " + t.device().spec());
            }
            if (!t.shape().equals(in.shape())) {
                throw new IllegalArgumentException("run: input '" + in.name + "': expected shape " + in.shape()
                        + ", got " + t.shape());
            }
            in.tensor = t;
        }
        List<Tensor> fresh = new ArrayList<>();
        try {
            for (Value out : outputs.values()) {
                out.tensor = device.allocate(out.shape());
                fresh.add(out.tensor);
            }
            if (millis == null) {
                for (Step s : steps) {
                    s.action().run();
                }
            } else {
                for (int i = 0; i < steps.size(); i++) {
                    millis[i] += device.timeMillis(steps.get(i).action());
                }
            }
            Map<String, Tensor> result = new LinkedHashMap<>();
            for (Map.Entry<String, Value> e : outputs.entrySet()) {
                result.put(e.getKey(), e.getValue().tensor);
            }
            return Collections.unmodifiableMap(result);
        } catch (RuntimeException e) {
            fresh.forEach(Tensor::close);
            throw e;
        } finally {
            for (Value v : inputs.values()) {
                v.tensor = null;
            }
            for (Value v : outputs.values()) {
                v.tensor = null;
            }
        }
    }

    /** Frees the model's device tensors. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            owned.forEach(Tensor::close);
        }
    }
}
