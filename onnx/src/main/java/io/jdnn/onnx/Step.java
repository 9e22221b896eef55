package io.jdnn.onnx;

import java.util.List;

/**
 * One launch of a compiled model: the Device call in {@code action}, the values it reads and
 * writes (for the buffer plan's liveness), and an input whose storage the output may take over
 * when that input dies here ({@code inPlace}, null when the call cannot run in place).
 *
 * @param label   what the call is, for {@link CompiledModel#launches()}
 * @param reads   values read
 * @param writes  values written
 * @param inPlace an input of the output's shape that the call may overwrite, or null
 * @param action  the Device call, resolving each value's tensor when it runs
 */
record Step(String label, List<Value> reads, List<Value> writes, Value inPlace, Runnable action) {
}
