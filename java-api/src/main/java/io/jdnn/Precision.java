package io.jdnn;

/** What a device stores a tensor element as. */
public enum Precision {
    /** IEEE binary32: every backend but the reference. */
    FLOAT32,
    /** IEEE binary64: the reference backend, so that it can be checked against float64 results. */
    FLOAT64
}
