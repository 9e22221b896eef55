package io.jdnn.onnx;

/** Host-side helpers for constants at compile. */
final class Folds {
    private Folds() {
    }

    /** {@code c}'s elements under another name and extents (same count). */
    static ConstantTensor reshape(ConstantTensor c, String name, int[] dims) {
        TensorInfo info = new TensorInfo(name, c.type(), Value.longs(dims));
        if (c.isFloat()) {
            return ConstantTensor.ofFloats(info, c.floats());
        }
        if (c.isInteger()) {
            return ConstantTensor.ofLongs(info, c.longs());
        }
        return ConstantTensor.ofBools(info, c.bools());
    }
}
