package io.jdnn.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.jdnn.onnx.internal.proto.TensorProto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads serialized TensorProto files ({@code .pb}), as ONNX's test layout holds them
 * ({@code test_data_set_N/input_K.pb}, {@code output_K.pb}), with the same checks and limits as
 * a model's initializers.
 */
public final class OnnxTensors {
    private OnnxTensors() {
    }

    /** Reads the tensor in {@code file} with {@link LoadOptions#defaults()}'s limits. */
    public static ConstantTensor read(Path file) {
        return read(file, LoadOptions.defaults());
    }

    /**
     * Reads the tensor in {@code file}; external data is read from the file's folder.
     *
     * @throws OnnxModelException naming the file and what is wrong with it
     */
    public static ConstantTensor read(Path file, LoadOptions options) {
        String what = "tensor file '" + file + "'";
        try {
            long size = Files.size(file);
            if (size > options.maxFileBytes()) {
                throw new OnnxModelException(what + ": " + size + " bytes exceed the limit of "
                        + options.maxFileBytes());
            }
            try (InputStream in = Files.newInputStream(file)) {
                CodedInputStream coded = CodedInputStream.newInstance(in);
                coded.setSizeLimit((int) options.maxFileBytes());
                coded.setRecursionLimit(options.maxNesting());
                TensorProto t = TensorProto.parseFrom(coded);
                Path folder = file.toAbsolutePath().getParent();
                return new TensorDecoder(folder, options).decode(t, what, t.getName());
            }
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxModelException(what + ": not a valid TensorProto: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new OnnxModelException(what + ": cannot be read: " + e, e);
        }
    }
}
