package io.jdnn.onnx;

/**
 * ONNX's tensor element types, with ONNX's numbering ({@code TensorProto.DataType}). jdnn computes
 * in float32; {@link #isFloat()} types are read as float32, {@link #isInteger()} types as
 * {@code long}, {@link #BOOL} as {@code boolean}; the others are refused at load.
 */
public enum DataType {
    /** Not set; never valid in a model. */
    UNDEFINED(0, 0),
    /** IEEE float32. */
    FLOAT(1, 4),
    /** Unsigned 8-bit integer. */
    UINT8(2, 1),
    /** Signed 8-bit integer. */
    INT8(3, 1),
    /** Unsigned 16-bit integer. */
    UINT16(4, 2),
    /** Signed 16-bit integer. */
    INT16(5, 2),
    /** Signed 32-bit integer. */
    INT32(6, 4),
    /** Signed 64-bit integer. */
    INT64(7, 8),
    /** UTF-8 string (refused). */
    STRING(8, 0),
    /** Boolean, one byte an element. */
    BOOL(9, 1),
    /** IEEE float16, converted to float32 when read. */
    FLOAT16(10, 2),
    /** IEEE float64, rounded to float32 when read. */
    DOUBLE(11, 8),
    /** Unsigned 32-bit integer. */
    UINT32(12, 4),
    /** Unsigned 64-bit integer (values above 2^63 - 1 are refused). */
    UINT64(13, 8),
    /** Complex of two float32 (refused). */
    COMPLEX64(14, 8),
    /** Complex of two float64 (refused). */
    COMPLEX128(15, 16),
    /** bfloat16, converted to float32 when read. */
    BFLOAT16(16, 2),
    /** 8-bit float E4M3FN (refused). */
    FLOAT8E4M3FN(17, 1),
    /** 8-bit float E4M3FNUZ (refused). */
    FLOAT8E4M3FNUZ(18, 1),
    /** 8-bit float E5M2 (refused). */
    FLOAT8E5M2(19, 1),
    /** 8-bit float E5M2FNUZ (refused). */
    FLOAT8E5M2FNUZ(20, 1),
    /** Unsigned 4-bit integer (refused). */
    UINT4(21, 0),
    /** Signed 4-bit integer (refused). */
    INT4(22, 0),
    /** 4-bit float E2M1 (refused). */
    FLOAT4E2M1(23, 0);

    private static final DataType[] BY_CODE = values();

    private final int code;
    private final int bytes;

    DataType(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }

    /** ONNX's number for this type. */
    public int code() {
        return code;
    }

    /** Bytes an element takes in {@code raw_data} (0 for types without a fixed byte width). */
    public int byteSize() {
        return bytes;
    }

    /** The type with ONNX number {@code code}, or null when ONNX defines none. */
    public static DataType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** True for the floating-point types jdnn reads (as float32): FLOAT, FLOAT16, BFLOAT16, DOUBLE. */
    public boolean isFloat() {
        return this == FLOAT || this == FLOAT16 || this == BFLOAT16 || this == DOUBLE;
    }

    /** True for the integer types jdnn reads (as long): INT8 to INT64 and UINT8 to UINT64. */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, INT32, INT64, UINT32, UINT64 -> true;
            default -> false;
        };
    }

    /** True when jdnn reads tensors of this type: {@link #isFloat()}, {@link #isInteger()} or BOOL. */
    public boolean isSupported() {
        return isFloat() || isInteger() || this == BOOL;
    }
}
