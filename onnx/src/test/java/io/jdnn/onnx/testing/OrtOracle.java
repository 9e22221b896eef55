package io.jdnn.onnx.testing;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.jdnn.Shape;

import java.nio.FloatBuffer;
import java.util.Map;

/** Runs a serialized ONNX model with ONNX Runtime's CPU provider: the oracle jdnn's ONNX support is compared with. */
public final class OrtOracle {
    private OrtOracle() {
    }

    /** The first output of {@code model} (one float input named {@code input}) on {@code x} of {@code shape}. */
    public static float[] run(byte[] model, String input, Shape shape, float[] x) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] dims = new long[shape.rank()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.dim(i);
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model, options);
                 OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), dims);
                 OrtSession.Result r = session.run(Map.of(input, t))) {
                FloatBuffer y = ((OnnxTensor) r.get(0)).getFloatBuffer();
                float[] out = new float[y.remaining()];
                y.get(out);
                return out;
            }
        } catch (OrtException e) {
            throw new AssertionError("ONNX Runtime refused the model: " + e.getMessage(), e);
        }
    }
}
