package io.jdnn.onnx;

import io.jdnn.Device;
import io.jdnn.Shape;
import io.jdnn.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The device buffers of a compiled model's temporaries, planned by liveness: each temporary (with
 * the views of it) lives from the step that writes it to the last step that reads it; a buffer
 * whose temporary died is handed to the next one that is written (the smallest free buffer that
 * holds it, else the largest free one, grown), and a step that may run in place hands its dying
 * input's buffer to its output. Each temporary is then a {@link Tensor#prefixView} of its buffer.
 */
final class BufferPlan {
    private final List<Long> capacities = new ArrayList<>();
    private final Map<Value, Integer> slotOf = new IdentityHashMap<>();
    private final long activationElements;
    private final long outputElements;

    BufferPlan(List<Step> steps) {
        Map<Value, Integer> last = new IdentityHashMap<>();
        long activations = 0;
        long outputs = 0;
        for (int i = 0; i < steps.size(); i++) {
            for (Value v : steps.get(i).reads()) {
                last.put(v.root(), i);
            }
        }
        List<Boolean> free = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            Map<Integer, Boolean> inherited = new HashMap<>();
            for (Value w : s.writes()) {
                Value r = w.root();
                if (slotOf.containsKey(r) || r.kind != Value.Kind.TEMP) {
                    if (r.kind == Value.Kind.OUTPUT && !slotOf.containsKey(r)) {
                        outputs += r.elements();
                        slotOf.put(r, -1);
                    }
                    continue;
                }
                activations += r.elements();
                Value in = s.inPlace() == null ? null : s.inPlace().root();
                Integer inSlot = in == null ? null : slotOf.get(in);
                if (inSlot != null && inSlot >= 0 && in.kind == Value.Kind.TEMP && last.getOrDefault(in, -1) == i
                        && in.elements() == r.elements() && !inherited.containsKey(inSlot)) {
                    slotOf.put(r, inSlot);
                    inherited.put(inSlot, true);
                } else {
                    slotOf.put(r, take(free, r.elements()));
                }
            }
            for (Value v : s.reads()) {
                Value r = v.root();
                Integer slot = slotOf.get(r);
                if (slot != null && slot >= 0 && r.kind == Value.Kind.TEMP && last.get(r) == i
                        && !inherited.containsKey(slot)) {
                    free.set(slot, true);
                }
            }
            for (Value w : s.writes()) { // written, never read: dead at once
                Value r = w.root();
                Integer slot = slotOf.get(r);
                if (slot != null && slot >= 0 && !last.containsKey(r)) {
                    free.set(slot, true);
                }
            }
        }
        this.activationElements = activations + outputs;
        this.outputElements = outputs;
    }

    private int take(List<Boolean> free, long need) {
        int best = -1;
        int largest = -1;
        for (int k = 0; k < free.size(); k++) {
            if (!free.get(k)) {
                continue;
            }
            long c = capacities.get(k);
            if (c >= need && (best < 0 || c < capacities.get(best))) {
                best = k;
            }
            if (largest < 0 || c > capacities.get(largest)) {
                largest = k;
            }
        }
        int k = best >= 0 ? best : largest;
        if (k < 0) {
            capacities.add(need);
            free.add(false);
            return capacities.size() - 1;
        }
        capacities.set(k, Math.max(capacities.get(k), need));
        free.set(k, false);
        return k;
    }

    /** Allocates the buffers and gives every planned temporary its prefix view; returns the buffers. */
    List<Tensor> allocate(Device device) {
        List<Tensor> buffers = new ArrayList<>();
        try {
            for (long c : capacities) {
                buffers.add(device.allocate(Shape.of(Math.toIntExact(c))));
            }
        } catch (RuntimeException e) {
            buffers.forEach(Tensor::close);
            throw e;
        }
        for (Map.Entry<Value, Integer> e : slotOf.entrySet()) {
            if (e.getValue() >= 0) {
                e.getKey().tensor = buffers.get(e.getValue()).prefixView(e.getKey().shape());
            }
        }
        return buffers;
    }

    /** Elements of the shared buffers plus the outputs: what the plan holds during a run. */
    long plannedElements() {
        long n = outputElements;
        for (long c : capacities) {
            n += c;
        }
        return n;
    }

    /** Elements of every temporary and output, each counted in full: what a plan without sharing would hold. */
    long activationElements() {
        return activationElements;
    }

    /** Number of shared buffers. */
    int buffers() {
        return capacities.size();
    }
}
