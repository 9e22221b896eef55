package io.jdnn.bench.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.jdnn.onnx.internal.proto.ModelProto;
import io.jdnn.onnx.internal.proto.TensorShapeProto;
import io.jdnn.onnx.internal.proto.ValueInfoProto;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/** ONNX Runtime's CPU provider, timed as {@link OnnxBenchCommand} times jdnn: the baseline of {@code jdnn onnx bench}. */
final class OrtBench {
    private OrtBench() {
    }

    /**
     * p50 and p90 milliseconds of ONNX Runtime running {@code model} (default session options: all
     * cores, every graph optimization) on {@code data}, then the rise of the process's peak resident
     * set over the resident set before the session was created, in bytes ({@link ResidentSet}; -1
     * where it cannot be read). The inputs' first extents are made symbolic so that a model exported
     * at batch 1 runs at the benchmark's batch.
     */
    static double[] time(byte[] model, Map<String, long[]> dims, Map<String, float[]> data, int warmup, int runs)
            throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        byte[] symbolic = symbolicBatch(model);
        boolean reset = ResidentSet.resetPeak();
        long before = ResidentSet.current();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
             OrtSession s = env.createSession(symbolic, o)) {
            Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
            try {
                for (Map.Entry<String, float[]> e : data.entrySet()) {
                    feeds.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue()), dims.get(e.getKey())));
                }
                double[] ms = OnnxBenchCommand.time(warmup, runs, () -> {
                    long t0 = System.nanoTime();
                    try (OrtSession.Result r = s.run(feeds)) {
                        return (System.nanoTime() - t0) / 1e6;
                    }
                });
                long peak = ResidentSet.peak();
                double rise = reset && before >= 0 && peak >= 0 ? Math.max(0, peak - before) : -1;
                return new double[] {ms[0], ms[1], rise};
            } finally {
                feeds.values().forEach(OnnxTensor::close);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime: " + e.getMessage(), e);
        }
    }

    private static byte[] symbolicBatch(byte[] model) throws Exception {
        ModelProto.Builder m = ModelProto.parseFrom(model).toBuilder();
        for (ValueInfoProto.Builder in : m.getGraphBuilder().getInputBuilderList()) {
            if (in.getType().getTensorType().getShape().getDimCount() > 0) {
                in.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().setDim(0,
                        TensorShapeProto.Dimension.newBuilder().setDimParam("jdnn_batch"));
            }
        }
        return m.build().toByteArray();
    }
}
