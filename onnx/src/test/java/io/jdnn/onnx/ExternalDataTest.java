package io.jdnn.onnx;

import com.google.protobuf.ByteString;
import io.jdnn.onnx.internal.proto.ModelProto;
import io.jdnn.onnx.internal.proto.StringStringEntryProto;
import io.jdnn.onnx.internal.proto.TensorProto;
import io.jdnn.onnx.testing.OnnxBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** External data resolves only inside the model's folder, and its offsets and lengths are checked against the file. */
class ExternalDataTest {
    /** A model whose weight w (2x3 floats) lives in an external file at {@code location}. */
    static Path model(Path dir, String location, long offset, long length) throws Exception {
        OnnxBuilder b = new OnnxBuilder(13, 1);
        String x = b.input("x", 1, 3);
        b.graph().addInitializer(TensorProto.newBuilder().setName("w").setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(2).addDims(3).setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", location)).addExternalData(entry("offset", "" + offset))
                .addExternalData(entry("length", "" + length)));
        b.output(b.node("MatMul", List.of(x, b.node("Transpose", List.of("w")))));
        ModelProto m = b.model();
        Files.createDirectories(dir);
        return Files.write(dir.resolve("model.onnx"), m.toByteArray());
    }

    static StringStringEntryProto entry(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    static byte[] weights() {
        ByteBuffer b = ByteBuffer.allocate(8 + 24).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0);
        for (int i = 0; i < 6; i++) {
            b.putFloat(i + 1);
        }
        return b.array();
    }

    static String refusal(Path model) {
        return assertThrows(OnnxModelException.class, () -> OnnxModel.load(model)).getMessage();
    }

    @Test
    void externalDataInsideTheFolderLoads(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("m/data"));
        Files.write(dir.resolve("m/data/w.bin"), weights());
        OnnxModel m = OnnxModel.load(model(dir.resolve("m"), "data/w.bin", 8, 24));
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, m.graph().initializers().get("w").floats());
        assertArrayEquals(new long[]{1, 2}, m.graph().outputs().get(0).dims());
    }

    @Test
    void pathsLeavingTheFolderAreRefused(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("outside.bin"), weights());
        Path abs = model(dir.resolve("a"), dir.resolve("outside.bin").toString(), 8, 24);
        assertTrue(refusal(abs).contains("is absolute"), refusal(abs));
        Path up = model(dir.resolve("b"), "../outside.bin", 8, 24);
        assertTrue(refusal(up).contains("leaves the model's folder"), refusal(up));
        Path link = model(dir.resolve("c"), "link.bin", 8, 24);
        Files.createSymbolicLink(dir.resolve("c/link.bin"), dir.resolve("outside.bin"));
        assertTrue(refusal(link).contains("links out of the model's folder"), refusal(link));
        Path missing = model(dir.resolve("d"), "missing.bin", 8, 24);
        assertTrue(refusal(missing).startsWith("initializer 'w': external data file 'missing.bin' cannot be read"),
                refusal(missing));
    }

    @Test
    void offsetsAndLengthsAreCheckedAgainstTheFile(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("m"));
        Files.write(dir.resolve("m/w.bin"), weights());
        Path past = model(dir.resolve("m"), "w.bin", 16, 24);
        assertTrue(refusal(past).contains("lies outside 'w.bin' (32 bytes)"), refusal(past));
        Path shortLength = model(dir.resolve("m"), "w.bin", 8, 20);
        assertTrue(refusal(shortLength).contains("external data holds 20 bytes, the tensor needs 24"),
                refusal(shortLength));
    }

    @Test
    void inMemoryModelsRefuseExternalDataAndRawDataMustMatchTheShape(@TempDir Path dir) throws Exception {
        byte[] bytes = Files.readAllBytes(model(dir, "w.bin", 0, 24));
        String msg = assertThrows(OnnxModelException.class,
                () -> OnnxModel.fromBytes(bytes, LoadOptions.defaults())).getMessage();
        assertTrue(msg.contains("external data needs the model's folder"), msg);

        OnnxBuilder b = new OnnxBuilder(13, 1);
        b.graph().addInitializer(TensorProto.newBuilder().setName("w").setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(1000).addDims(1000).setRawData(ByteString.copyFrom(new byte[8])));
        b.output(b.relu("w"));
        msg = assertThrows(OnnxModelException.class, () -> OnnxModel.fromBytes(b.bytes(), LoadOptions.defaults()))
                .getMessage();
        assertTrue(msg.equals("initializer 'w': raw_data holds 8 bytes, [1000, 1000] of FLOAT need 4000000"), msg);
    }
}
