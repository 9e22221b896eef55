package io.jdnn.onnx;

import io.jdnn.onnx.internal.proto.GraphProto;
import io.jdnn.onnx.internal.proto.ModelProto;
import io.jdnn.onnx.internal.proto.TensorProto;
import io.jdnn.onnx.internal.proto.TensorShapeProto;
import io.jdnn.onnx.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Loader fuzzing: truncated, bit-flipped and shape-inflated variants of the test models each end
 * in a loaded model or an {@link OnnxModelException} with a message, never another exception, a
 * hang or an out-of-memory error. {@code -Djdnn.test.fuzz.seed=S} fixes the seed (else a fresh one,
 * printed), {@code -Djdnn.test.onnx.fuzz.count=N} the number of cases (default 1500, scaled for CI).
 */
class LoaderFuzzTest {
    static final int COUNT = Integer.getInteger("jdnn.test.onnx.fuzz.count", 1500);

    @Test
    void corruptedModelsLoadOrAreRefusedCleanly() {
        String seedProperty = System.getProperty("jdnn.test.fuzz.seed", "");
        long seed = seedProperty.isBlank() ? new Random().nextLong() : Long.parseLong(seedProperty.trim());
        System.out.println("LoaderFuzzTest: seed " + seed + ", " + COUNT + " cases (-Djdnn.test.fuzz.seed="
                + seed + " replays)");
        List<ModelProto> models = new ArrayList<>();
        TestModels.all().values().forEach(f -> models.add(f.apply(3).model()));
        Random random = new Random(seed);
        int refused = 0;
        for (int i = 0; i < COUNT; i++) {
            ModelProto base = models.get(random.nextInt(models.size()));
            int kind = random.nextInt(3);
            byte[] bytes = switch (kind) {
                case 0 -> truncate(base.toByteArray(), random);
                case 1 -> flip(base.toByteArray(), random);
                default -> inflate(base, random).toByteArray();
            };
            int index = i;
            OnnxModelException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> loadOrRefuse(bytes, seed,
                    index, kind));
            if (e != null) {
                refused++;
                assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "case " + i + ": empty message");
                assertTrue(NAMES_WHAT.matcher(e.getMessage()).lookingAt(), "seed " + seed + " case " + i
                        + ": the refusal does not start by naming the node, tensor or part of the model: "
                        + e.getMessage());
            }
        }
        System.out.println("LoaderFuzzTest: " + COUNT + " cases, " + refused + " refused, " + (COUNT - refused)
                + " loaded");
    }

    /**
     * How a refusal starts: the node ("node 'Conv_3' (Conv, opset 13): ..."), the tensor or value
     * ("initializer 'w': ...", "graph input 'x': ..."), or the part of the model that is malformed.
     */
    private static final java.util.regex.Pattern NAMES_WHAT = java.util.regex.Pattern.compile(
            "(node '[^']*' \\(|initializer '|graph input '|graph output '|graph '|graph: |model: |model bytes|model file |value '|attribute ')");

    private static OnnxModelException loadOrRefuse(byte[] bytes, long seed, int index, int kind) {
        try {
            OnnxModel.fromBytes(bytes, LoadOptions.builder().maxTotalBytes(64L << 20).build());
            return null;
        } catch (OnnxModelException e) {
            return e;
        } catch (Throwable t) {
            throw new AssertionError("seed " + seed + " case " + index + " (kind " + kind + "): " + t, t);
        }
    }

    private static byte[] truncate(byte[] b, Random r) {
        return java.util.Arrays.copyOf(b, r.nextInt(b.length));
    }

    private static byte[] flip(byte[] b, Random r) {
        byte[] out = b.clone();
        int flips = 1 + r.nextInt(8);
        for (int k = 0; k < flips; k++) {
            int at = r.nextInt(out.length);
            out[at] ^= (byte) (1 << r.nextInt(8));
        }
        return out;
    }

    /** A huge, negative or changed extent in an initializer, the input, or a shape constant. */
    private static ModelProto inflate(ModelProto m, Random r) {
        long[] extents = {0, -1, 3, 1L << 20, 1L << 31, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE};
        long v = extents[r.nextInt(extents.length)];
        GraphProto.Builder g = m.getGraph().toBuilder();
        if (r.nextBoolean() && g.getInitializerCount() > 0) {
            int i = r.nextInt(g.getInitializerCount());
            TensorProto.Builder t = g.getInitializer(i).toBuilder();
            if (t.getDimsCount() == 0) {
                t.addDims(v);
            } else {
                t.setDims(r.nextInt(t.getDimsCount()), v);
            }
            if (t.getDataType() == TensorProto.DataType.INT64_VALUE && t.getInt64DataCount() > 0) {
                t.setInt64Data(r.nextInt(t.getInt64DataCount()), v); // a shape argument
            }
            g.setInitializer(i, t);
        } else {
            var in = g.getInput(0).toBuilder();
            TensorShapeProto.Builder shape = in.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
            shape.setDim(r.nextInt(shape.getDimCount()), TensorShapeProto.Dimension.newBuilder().setDimValue(v));
            g.setInput(0, in);
        }
        return m.toBuilder().setGraph(g).build();
    }
}
