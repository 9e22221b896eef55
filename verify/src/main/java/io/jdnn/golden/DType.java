package io.jdnn.golden;

import java.util.Locale;

/** Element types of golden tensors: little-endian IEEE float32 and float64, and int64. */
public enum DType {
    /** IEEE float32, 4 bytes. */
    F32(4),
    /** IEEE float64, 8 bytes. */
    F64(8),
    /** Two's-complement int64, 8 bytes (labels, indices). */
    I64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The token of the file format: {@code f32}, {@code f64}, {@code i64}. */
    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads a token; null when it is none of the three. */
    static DType ofToken(String token) {
        for (DType d : values()) {
            if (d.token().equals(token)) {
                return d;
            }
        }
        return null;
    }
}
