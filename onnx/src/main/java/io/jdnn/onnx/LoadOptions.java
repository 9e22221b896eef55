package io.jdnn.onnx;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How {@link OnnxModel#load(java.nio.file.Path, LoadOptions)} resolves symbolic extents and how far
 * it trusts a model file. Symbolic extents: a graph input's first extent, when symbolic or unset,
 * is the batch ({@link Builder#batch}, 1 by default) unless its name is given by
 * {@link Builder#dim}; every other symbolic extent must be given by {@link Builder#dim}, or load
 * refuses the model naming the input, the axis and the symbol. Limits (each refusal names the limit
 * and the value): the model file's size, nesting depth of its messages, node count, elements of one
 * tensor and bytes of all constant tensors together. Immutable; {@link #defaults()} are safe for
 * files from anywhere.
 */
public final class LoadOptions {
    private static final LoadOptions DEFAULTS = builder().build();

    private final int batch;
    private final Map<String, Long> dims;
    private final Map<String, ConstantTensor> constantInputs;
    private final long maxFileBytes;
    private final int maxNesting;
    private final int maxNodes;
    private final long maxTensorElements;
    private final long maxTotalBytes;

    private LoadOptions(Builder b) {
        this.batch = b.batch;
        this.dims = Collections.unmodifiableMap(new LinkedHashMap<>(b.dims));
        this.constantInputs = Collections.unmodifiableMap(new LinkedHashMap<>(b.constantInputs));
        this.maxFileBytes = b.maxFileBytes;
        this.maxNesting = b.maxNesting;
        this.maxNodes = b.maxNodes;
        this.maxTensorElements = b.maxTensorElements;
        this.maxTotalBytes = b.maxTotalBytes;
    }

    /** Batch 1, no named extents, the default limits (see {@link Builder}). */
    public static LoadOptions defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The extent given to an input's symbolic or unset first extent. */
    public int batch() {
        return batch;
    }

    /** Extents given to symbolic names ({@code dim_param}), by name. */
    public Map<String, Long> dims() {
        return dims;
    }

    /** Graph inputs bound to known elements at load (they become initializers), by input name. */
    public Map<String, ConstantTensor> constantInputs() {
        return constantInputs;
    }

    /** Largest model file (and largest external-data file) read, in bytes. */
    public long maxFileBytes() {
        return maxFileBytes;
    }

    /** Deepest nesting of protobuf messages parsed. */
    public int maxNesting() {
        return maxNesting;
    }

    /** Most nodes a graph may have. */
    public int maxNodes() {
        return maxNodes;
    }

    /** Most elements one tensor (constant or inferred value) may have. */
    public long maxTensorElements() {
        return maxTensorElements;
    }

    /** Most bytes all constant tensors together may take once read (4 per float, 8 per integer). */
    public long maxTotalBytes() {
        return maxTotalBytes;
    }

    /** Builder of {@link LoadOptions}. */
    public static final class Builder {
        private int batch = 1;
        private final Map<String, Long> dims = new LinkedHashMap<>();
        private final Map<String, ConstantTensor> constantInputs = new LinkedHashMap<>();
        private long maxFileBytes = Integer.MAX_VALUE;
        private int maxNesting = 64;
        private int maxNodes = 100_000;
        private long maxTensorElements = Integer.MAX_VALUE - 8;
        private long maxTotalBytes = 4L << 30;

        private Builder() {
        }

        /** The extent of every input's symbolic or unset first extent (default 1). */
        public Builder batch(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("batch: expected a positive value, got " + n);
            }
            this.batch = n;
            return this;
        }

        /** The extent of the symbolic extent named {@code name} wherever it appears. */
        public Builder dim(String name, long extent) {
            if (extent < 0) {
                throw new IllegalArgumentException("dim '" + name + "': expected a value >= 0, got " + extent);
            }
            dims.put(name, extent);
            return this;
        }

        /**
         * Binds the graph input named like {@code value} to its elements: load treats it as an
         * initializer (its type and extents must match the input's), so that ops needing known
         * arguments (a Reshape's shape, a Slice's starts) can take it, and it folds where it can.
         */
        public Builder constantInput(ConstantTensor value) {
            constantInputs.put(value.name(), value);
            return this;
        }

        /** Largest model or external-data file read (default and at most 2^31 - 1 bytes, protobuf's limit). */
        public Builder maxFileBytes(long bytes) {
            this.maxFileBytes = positive("maxFileBytes", bytes);
            return this;
        }

        /** Deepest message nesting parsed (default 64). */
        public Builder maxNesting(int depth) {
            this.maxNesting = (int) positive("maxNesting", depth);
            return this;
        }

        /** Most nodes in the graph (default 100000). */
        public Builder maxNodes(int n) {
            this.maxNodes = (int) positive("maxNodes", n);
            return this;
        }

        /** Most elements of one tensor (default 2^31 - 9, Java's largest array). */
        public Builder maxTensorElements(long n) {
            this.maxTensorElements = Math.min(positive("maxTensorElements", n), Integer.MAX_VALUE - 8);
            return this;
        }

        /** Most bytes of all constant tensors together once read (default 4 GiB). */
        public Builder maxTotalBytes(long bytes) {
            this.maxTotalBytes = positive("maxTotalBytes", bytes);
            return this;
        }

        /** The options. */
        public LoadOptions build() {
            return new LoadOptions(this);
        }

        private static long positive(String name, long v) {
            if (v < 1) {
                throw new IllegalArgumentException(name + ": expected a positive value, got " + v);
            }
            return name.equals("maxFileBytes") ? Math.min(v, Integer.MAX_VALUE) : v;
        }
    }
}
