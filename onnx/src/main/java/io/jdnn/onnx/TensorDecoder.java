package io.jdnn.onnx;

import com.google.protobuf.ByteString;
import io.jdnn.onnx.internal.proto.StringStringEntryProto;
import io.jdnn.onnx.internal.proto.TensorProto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * TensorProto to {@link ConstantTensor}: the declared extents and element count are checked
 * against the limits and against the bytes present (inline fields, raw_data or external data)
 * before any array is allocated. External data resolves only inside the model's folder.
 */
final class TensorDecoder {
    private final Path folder;
    private final LoadOptions options;
    private long totalBytes;

    /** A decoder reading external data from {@code folder} (null: external data refused). */
    TensorDecoder(Path folder, LoadOptions options) {
        this.folder = folder;
        this.options = options;
    }

    /** Decodes {@code t}; {@code what} names it in messages (e.g. "initializer 'w'"). */
    ConstantTensor decode(TensorProto t, String what, String name) {
        DataType type = DataType.fromCode(t.getDataType());
        if (type == null || type == DataType.UNDEFINED) {
            throw refuse(what, "data type " + t.getDataType() + " is not an ONNX type");
        }
        if (!type.isSupported()) {
            throw refuse(what, "data type " + type + " is not supported (float, integer and bool tensors are)");
        }
        if (t.hasSegment()) {
            throw refuse(what, "segmented tensors are not supported");
        }
        long[] dims = new long[t.getDimsCount()];
        long n = 1;
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.getDims(i);
            if (dims[i] < 0) {
                throw refuse(what, "extent " + i + " is negative: " + t.getDimsList());
            }
            if (dims[i] != 0 && n > options.maxTensorElements() / dims[i]) {
                throw refuse(what, "extents " + t.getDimsList() + " exceed the limit of "
                        + options.maxTensorElements() + " elements");
            }
            n *= dims[i];
        }
        if (n > options.maxTensorElements()) {
            throw refuse(what, n + " elements exceed the limit of " + options.maxTensorElements());
        }
        long held = n * (type.isFloat() ? 4L : type == DataType.BOOL ? 1L : 8L);
        if (held > options.maxTotalBytes() - totalBytes) {
            throw refuse(what, "constant tensors take more than the limit of " + options.maxTotalBytes() + " bytes");
        }
        totalBytes += held;
        TensorInfo info = new TensorInfo(name, type, dims);
        int count = (int) n;
        boolean external = t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0;
        if (external) {
            return fromRaw(info, ByteBuffer.wrap(readExternal(t, what, count * (long) type.byteSize())), what);
        }
        if (t.hasRawData()) {
            ByteString raw = t.getRawData();
            long expected = count * (long) type.byteSize();
            if (raw.size() != expected) {
                throw refuse(what, "raw_data holds " + raw.size() + " bytes, " + Arrays.toString(dims) + " of "
                        + type + " need " + expected);
            }
            return fromRaw(info, raw.asReadOnlyByteBuffer(), what);
        }
        return fromFields(t, info, count, what);
    }

    private static ConstantTensor fromRaw(TensorInfo info, ByteBuffer bytes, String what) {
        ByteBuffer b = bytes.order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) info.elementCount();
        DataType type = info.type();
        switch (type) {
            case FLOAT -> {
                float[] v = new float[n];
                b.asFloatBuffer().get(v);
                return ConstantTensor.wrap(info, v, null, null);
            }
            case DOUBLE -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (float) b.getDouble();
                }
                return ConstantTensor.wrap(info, v, null, null);
            }
            case FLOAT16, BFLOAT16 -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = halfToFloat(type, b.getShort() & 0xffff);
                }
                return ConstantTensor.wrap(info, v, null, null);
            }
            case BOOL -> {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) {
                    v[i] = b.get() != 0;
                }
                return ConstantTensor.wrap(info, null, null, v);
            }
            default -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = switch (type) {
                        case INT8 -> b.get();
                        case UINT8 -> b.get() & 0xff;
                        case INT16 -> b.getShort();
                        case UINT16 -> b.getShort() & 0xffff;
                        case INT32 -> b.getInt();
                        case UINT32 -> b.getInt() & 0xffffffffL;
                        default -> b.getLong(); // INT64, UINT64
                    };
                    if (type == DataType.UINT64 && v[i] < 0) {
                        throw refuse(what, "UINT64 element " + i + " exceeds 2^63 - 1");
                    }
                }
                return ConstantTensor.wrap(info, null, v, null);
            }
        }
    }

    private static ConstantTensor fromFields(TensorProto t, TensorInfo info, int n, String what) {
        DataType type = info.type();
        switch (type) {
            case FLOAT -> {
                check(t.getFloatDataCount(), n, "float_data", what);
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = t.getFloatData(i);
                }
                return ConstantTensor.wrap(info, v, null, null);
            }
            case DOUBLE -> {
                check(t.getDoubleDataCount(), n, "double_data", what);
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (float) t.getDoubleData(i);
                }
                return ConstantTensor.wrap(info, v, null, null);
            }
            case FLOAT16, BFLOAT16 -> {
                check(t.getInt32DataCount(), n, "int32_data", what);
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = halfToFloat(type, t.getInt32Data(i) & 0xffff);
                }
                return ConstantTensor.wrap(info, v, null, null);
            }
            case BOOL -> {
                check(t.getInt32DataCount(), n, "int32_data", what);
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) {
                    v[i] = t.getInt32Data(i) != 0;
                }
                return ConstantTensor.wrap(info, null, null, v);
            }
            case INT64 -> {
                check(t.getInt64DataCount(), n, "int64_data", what);
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = t.getInt64Data(i);
                }
                return ConstantTensor.wrap(info, null, v, null);
            }
            case UINT32, UINT64 -> {
                check(t.getUint64DataCount(), n, "uint64_data", what);
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = t.getUint64Data(i);
                    if (v[i] < 0) {
                        throw refuse(what, type + " element " + i + " exceeds 2^63 - 1");
                    }
                }
                return ConstantTensor.wrap(info, null, v, null);
            }
            default -> { // INT8, UINT8, INT16, UINT16, INT32
                check(t.getInt32DataCount(), n, "int32_data", what);
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = t.getInt32Data(i);
                }
                return ConstantTensor.wrap(info, null, v, null);
            }
        }
    }

    private byte[] readExternal(TensorProto t, String what, long expected) {
        if (folder == null) {
            throw refuse(what, "external data needs the model's folder (load the model from a file)");
        }
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = parseLong(e.getValue(), "offset", what);
                case "length" -> length = parseLong(e.getValue(), "length", what);
                default -> { } // checksum and unknown keys are not needed to read the data
            }
        }
        if (location == null || location.isEmpty()) {
            throw refuse(what, "external data without a location");
        }
        Path file = resolveInside(location, what);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (length < 0) {
                length = size - offset;
            }
            if (offset > size || length > size - offset) {
                throw refuse(what, "external data [" + offset + ", " + offset + " + " + length + ") lies outside '"
                        + location + "' (" + size + " bytes)");
            }
            if (length != expected) {
                throw refuse(what, "external data holds " + length + " bytes, the tensor needs " + expected);
            }
            ByteBuffer buf = ByteBuffer.allocate((int) length);
            while (buf.hasRemaining()) {
                if (ch.read(buf, offset + buf.position()) < 0) {
                    throw refuse(what, "external data file '" + location + "' ended early");
                }
            }
            return buf.array();
        } catch (IOException e) {
            throw new OnnxModelException(what + ": cannot read external data '" + location + "': " + e, e);
        }
    }

    /** {@code location} resolved in the model's folder; absolute paths, '..' and links leading out are refused. */
    private Path resolveInside(String location, String what) {
        Path rel;
        try {
            rel = Path.of(location);
        } catch (RuntimeException e) {
            throw refuse(what, "external data location '" + location + "' is not a path");
        }
        if (rel.isAbsolute() || location.startsWith("/") || location.startsWith("\\")) {
            throw refuse(what, "external data location '" + location + "' is absolute; it must be relative to the"
                    + " model's folder");
        }
        for (Path part : rel) {
            if (part.toString().equals("..")) {
                throw refuse(what, "external data location '" + location + "' leaves the model's folder ('..')");
            }
        }
        try {
            Path base = folder.toRealPath();
            Path real = base.resolve(rel).toRealPath();
            if (!real.startsWith(base)) {
                throw refuse(what, "external data location '" + location + "' links out of the model's folder");
            }
            if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                throw refuse(what, "external data location '" + location + "' is not a regular file");
            }
            if (Files.size(real) > options.maxFileBytes()) {
                throw refuse(what, "external data file '" + location + "' exceeds the limit of "
                        + options.maxFileBytes() + " bytes");
            }
            return real;
        } catch (IOException e) {
            throw new OnnxModelException(what + ": external data file '" + location + "' cannot be read: " + e, e);
        }
    }

    private static long parseLong(String s, String key, String what) {
        try {
            long v = Long.parseLong(s.trim());
            if (v < 0) {
                throw refuse(what, "external data " + key + " is negative: " + s);
            }
            return v;
        } catch (NumberFormatException e) {
            throw refuse(what, "external data " + key + " is not a number: '" + s + "'");
        }
    }

    private static void check(int have, int need, String field, String what) {
        if (have != need) {
            throw refuse(what, field + " holds " + have + " elements, the extents need " + need);
        }
    }

    /** IEEE half (FLOAT16) or bfloat16 bits to float32; exact. */
    static float halfToFloat(DataType type, int bits) {
        if (type == DataType.BFLOAT16) {
            return Float.intBitsToFloat(bits << 16);
        }
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    static OnnxModelException refuse(String what, String reason) {
        return new OnnxModelException(what + ": " + reason);
    }
}
