package io.jdnn.onnx.run;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/** ONNX Runtime's CPU provider on a model's bytes: float inputs in, float outputs out (the tests' second opinion). */
public final class OrtRunner {
    private OrtRunner() {
    }

    /** Runs {@code model} on {@code inputs} (name to (dims, data)) and returns every output's elements by name. */
    public static Map<String, float[]> run(byte[] model, Map<String, long[]> dims, Map<String, float[]> inputs) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(model, o)) {
                Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
                try {
                    for (Map.Entry<String, float[]> e : inputs.entrySet()) {
                        feeds.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue()),
                                dims.get(e.getKey())));
                    }
                    try (OrtSession.Result r = s.run(feeds)) {
                        Map<String, float[]> out = new LinkedHashMap<>();
                        r.forEach(e -> {
                            OnnxTensor t = (OnnxTensor) e.getValue();
                            FloatBuffer b = t.getFloatBuffer();
                            float[] v = new float[b.remaining()];
                            b.get(v);
                            out.put(e.getKey(), v);
                        });
                        return out;
                    }
                } finally {
                    feeds.values().forEach(OnnxTensor::close);
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime: " + e.getMessage(), e);
        }
    }
}
