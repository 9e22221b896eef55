package io.jdnn.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.jdnn.onnx.internal.proto.AttributeProto;
import io.jdnn.onnx.internal.proto.GraphProto;
import io.jdnn.onnx.internal.proto.ModelProto;
import io.jdnn.onnx.internal.proto.NodeProto;
import io.jdnn.onnx.internal.proto.OperatorSetIdProto;
import io.jdnn.onnx.internal.proto.TensorProto;
import io.jdnn.onnx.internal.proto.TensorShapeProto;
import io.jdnn.onnx.internal.proto.TypeProto;
import io.jdnn.onnx.internal.proto.ValueInfoProto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads a ModelProto within the limits of {@link LoadOptions} and turns it into the IR, then checks and infers it. */
final class ModelLoader {
    private final Path path;
    private final LoadOptions options;
    private final TensorDecoder decoder;

    private ModelLoader(Path path, LoadOptions options) {
        this.path = path;
        this.options = options;
        Path folder = path == null ? null : path.toAbsolutePath().getParent();
        this.decoder = new TensorDecoder(folder, options);
    }

    static OnnxModel load(Path path, LoadOptions options) {
        String what = "model file '" + path + "'";
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            throw new OnnxModelException(what + ": cannot be read: " + e, e);
        }
        if (size > options.maxFileBytes()) {
            throw new OnnxModelException(what + ": " + size + " bytes exceed the limit of " + options.maxFileBytes());
        }
        try (InputStream in = Files.newInputStream(path)) {
            return new ModelLoader(path, options).build(parse(CodedInputStream.newInstance(in), options, what));
        } catch (IOException e) {
            throw new OnnxModelException(what + ": cannot be read: " + e, e);
        }
    }

    static OnnxModel fromBytes(byte[] bytes, LoadOptions options) {
        if (bytes.length > options.maxFileBytes()) {
            throw new OnnxModelException("model: " + bytes.length + " bytes exceed the limit of "
                    + options.maxFileBytes());
        }
        return new ModelLoader(null, options).build(parse(CodedInputStream.newInstance(bytes), options, "model"));
    }

    private static ModelProto parse(CodedInputStream in, LoadOptions options, String what) {
        in.setSizeLimit((int) options.maxFileBytes());
        in.setRecursionLimit(options.maxNesting());
        try {
            ModelProto m = ModelProto.parseFrom(in);
            in.checkLastTagWas(0);
            return m;
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxModelException(what + ": not a valid ONNX protobuf: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new OnnxModelException(what + ": cannot be read: " + e, e);
        }
    }

    private OnnxModel build(ModelProto m) {
        if (!m.hasGraph()) {
            throw new OnnxModelException("model: no graph");
        }
        Map<String, Integer> opsets = new LinkedHashMap<>();
        for (OperatorSetIdProto o : m.getOpsetImportList()) {
            String domain = o.getDomain().equals("ai.onnx") ? "" : o.getDomain();
            if (o.getVersion() < 1 || o.getVersion() > Integer.MAX_VALUE) {
                throw new OnnxModelException("model: opset import '" + domain + "' has version " + o.getVersion());
            }
            if (opsets.put(domain, (int) o.getVersion()) != null) {
                throw new OnnxModelException("model: opset of domain '" + domain + "' is imported twice");
            }
        }
        if (!opsets.containsKey("")) {
            throw new OnnxModelException("model: imports no version of ONNX's default operator set"
                    + " (IR version " + m.getIrVersion() + ")");
        }
        int opset = opsets.get("");
        if (opset < OpTable.MIN_OPSET || opset > OpTable.MAX_OPSET) {
            throw new OnnxModelException("model: opset " + opset + " of ONNX's default domain is outside the supported"
                    + " range " + OpTable.MIN_OPSET + " to " + OpTable.MAX_OPSET);
        }
        GraphProto g = m.getGraph();
        if (g.getNodeCount() > options.maxNodes()) {
            throw new OnnxModelException("graph '" + g.getName() + "': " + g.getNodeCount()
                    + " nodes exceed the limit of " + options.maxNodes());
        }
        Map<String, ConstantTensor> initializers = new LinkedHashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            String what = "initializer '" + t.getName() + "'";
            if (t.getName().isEmpty()) {
                throw new OnnxModelException("graph: an initializer has no name");
            }
            if (initializers.put(t.getName(), decoder.decode(t, what, t.getName())) != null) {
                throw new OnnxModelException(what + ": defined twice");
            }
        }
        List<TensorInfo> inputs = new ArrayList<>();
        Set<String> seenInputs = new HashSet<>();
        for (ValueInfoProto v : g.getInputList()) {
            if (!seenInputs.add(v.getName())) {
                throw new OnnxModelException("graph input '" + v.getName() + "': listed twice");
            }
            if (initializers.containsKey(v.getName())) {
                continue;
            }
            TensorInfo info = inputInfo(v);
            ConstantTensor bound = options.constantInputs().get(v.getName());
            if (bound == null) {
                inputs.add(info);
            } else if (bound.type() != info.type() || !java.util.Arrays.equals(bound.info().dims(), info.dims())) {
                throw new OnnxModelException("graph input '" + v.getName() + "': bound to " + bound.info()
                        + ", the model declares " + info);
            } else {
                initializers.put(v.getName(), bound);
            }
        }
        for (String bound : options.constantInputs().keySet()) {
            if (!seenInputs.contains(bound) || g.getInitializerList().stream().anyMatch(t -> t.getName().equals(bound))) {
                throw new OnnxModelException("graph input '" + bound + "': LoadOptions binds it, but the graph has no"
                        + " such input");
            }
        }
        List<Node> nodes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            nodes.add(node(g.getNode(i), i, opsets, names));
        }
        List<String> outputs = new ArrayList<>();
        for (ValueInfoProto v : g.getOutputList()) {
            outputs.add(v.getName());
        }
        Graph graph = GraphBuilder.build(g.getName(), inputs, outputs, initializers, nodes, options);
        return new OnnxModel(path, m.getIrVersion(), m.getProducerName(), m.getProducerVersion(), opsets, graph,
                options);
    }

    /** A graph input's type and extents, symbolic extents resolved by the options. */
    private TensorInfo inputInfo(ValueInfoProto v) {
        String what = "graph input '" + v.getName() + "'";
        if (v.getName().isEmpty()) {
            throw new OnnxModelException("graph: an input has no name");
        }
        if (!v.hasType() || v.getType().getValueCase() != TypeProto.ValueCase.TENSOR_TYPE) {
            throw new OnnxModelException(what + ": not a tensor (sequences, maps and optionals are not supported)");
        }
        TypeProto.Tensor tt = v.getType().getTensorType();
        DataType type = DataType.fromCode(tt.getElemType());
        if (type == null || !type.isSupported()) {
            throw new OnnxModelException(what + ": element type " + (type == null ? tt.getElemType() : type)
                    + " is not supported");
        }
        if (!tt.hasShape()) {
            throw new OnnxModelException(what + ": has no shape (its rank must be known)");
        }
        List<TensorShapeProto.Dimension> dims = tt.getShape().getDimList();
        long[] out = new long[dims.size()];
        for (int i = 0; i < out.length; i++) {
            TensorShapeProto.Dimension d = dims.get(i);
            if (d.hasDimValue()) {
                out[i] = d.getDimValue();
                if (out[i] < 0) {
                    throw new OnnxModelException(what + ": extent " + i + " is negative: " + out[i]);
                }
            } else {
                String param = d.hasDimParam() ? d.getDimParam() : "";
                Long given = options.dims().get(param);
                if (given != null) {
                    out[i] = given;
                } else if (i == 0) {
                    out[i] = options.batch();
                } else {
                    throw new OnnxModelException(what + ": extent " + i + " is "
                            + (param.isEmpty() ? "unknown" : "the symbol '" + param + "'")
                            + "; give it with LoadOptions.dim" + (param.isEmpty() ? " (unnamed extents past the"
                            + " first cannot be given: fix the model)" : "(\"" + param + "\", n)"));
                }
            }
        }
        TensorInfo info = new TensorInfo(v.getName(), type, out);
        long n;
        try {
            n = info.elementCount();
        } catch (ArithmeticException e) {
            n = Long.MAX_VALUE;
        }
        if (n > options.maxTensorElements()) {
            throw new OnnxModelException(what + ": " + info + " exceeds the limit of " + options.maxTensorElements()
                    + " elements");
        }
        return info;
    }

    private Node node(NodeProto p, int index, Map<String, Integer> opsets, Set<String> names) {
        String domain = p.getDomain().equals("ai.onnx") ? "" : p.getDomain();
        String name = p.getName();
        if (name.isEmpty() || names.contains(name)) {
            name = p.getOpType() + "_" + index;
            for (int k = 1; names.contains(name); k++) {
                name = p.getOpType() + "_" + index + "_" + k;
            }
        }
        names.add(name);
        Integer opset = opsets.get(domain);
        String described = "node '" + name + "' (" + (domain.isEmpty() ? "" : domain + ".") + p.getOpType();
        if (opset == null) {
            throw new OnnxModelException(described + "): its domain '" + domain + "' is not imported by the model");
        }
        if (p.getOpType().isEmpty()) {
            throw new OnnxModelException(described + "): no op type");
        }
        List<Attribute> attributes = new ArrayList<>();
        for (AttributeProto a : p.getAttributeList()) {
            attributes.add(attribute(a, described + ", opset " + opset + ")"));
        }
        return new Node(name, p.getOpType(), domain, opset, p.getInputList(), p.getOutputList(), attributes);
    }

    private Attribute attribute(AttributeProto a, String node) {
        String what = node + ": attribute '" + a.getName() + "'";
        if (a.getName().isEmpty()) {
            throw new OnnxModelException(node + ": an attribute has no name");
        }
        if (!a.getRefAttrName().isEmpty()) {
            throw new OnnxModelException(what + ": refers to a function's attribute (functions are not supported)");
        }
        AttributeProto.AttributeType type = a.hasType() ? a.getType() : guessType(a);
        return switch (type) {
            case FLOAT -> Attribute.of(a.getName(), a.getF());
            case INT -> Attribute.of(a.getName(), a.getI());
            case STRING -> Attribute.of(a.getName(), a.getS().toString(StandardCharsets.UTF_8));
            case TENSOR -> Attribute.of(a.getName(), decoder.decode(a.getT(), what, a.getT().getName()));
            case FLOATS -> {
                float[] v = new float[a.getFloatsCount()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = a.getFloats(i);
                }
                yield Attribute.of(a.getName(), v);
            }
            case INTS -> Attribute.of(a.getName(), a.getIntsList().stream().mapToLong(Long::longValue).toArray());
            case STRINGS -> Attribute.of(a.getName(), a.getStringsList().stream()
                    .map(s -> s.toString(StandardCharsets.UTF_8)).toList());
            default -> throw new OnnxModelException(what + ": kind " + type
                    + " is not supported (graphs, sparse tensors and type attributes are not)");
        };
    }

    /** IR version 1 files have no attribute type: the one value field that is set tells it. */
    private static AttributeProto.AttributeType guessType(AttributeProto a) {
        if (a.hasF()) {
            return AttributeProto.AttributeType.FLOAT;
        } else if (a.hasI()) {
            return AttributeProto.AttributeType.INT;
        } else if (a.hasS()) {
            return AttributeProto.AttributeType.STRING;
        } else if (a.hasT()) {
            return AttributeProto.AttributeType.TENSOR;
        } else if (a.hasG()) {
            return AttributeProto.AttributeType.GRAPH;
        } else if (a.getFloatsCount() > 0) {
            return AttributeProto.AttributeType.FLOATS;
        } else if (a.getIntsCount() > 0) {
            return AttributeProto.AttributeType.INTS;
        } else if (a.getStringsCount() > 0) {
            return AttributeProto.AttributeType.STRINGS;
        }
        return AttributeProto.AttributeType.UNDEFINED;
    }
}
