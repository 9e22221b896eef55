package io.jdnn;

/** Kinds of 2-D pooling. */
public enum PoolMode {
    /** Maximum over the window (with dilation, padding that never wins, ceil mode). */
    MAX("maxpool"),
    /** Mean over the window, with or without the padded positions in the divisor. */
    AVG("avgpool"),
    /** Mean over PyTorch's adaptive windows [floor(i*H/OH), ceil((i+1)*H/OH)); global pooling is 1x1. */
    ADAPTIVE_AVG("adaptiveavgpool");

    private final String kind;

    PoolMode(String kind) {
        this.kind = kind;
    }

    /** The kind token of the canonical problem string. */
    public String kind() {
        return kind;
    }
}
