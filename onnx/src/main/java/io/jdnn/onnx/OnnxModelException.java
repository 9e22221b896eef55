package io.jdnn.onnx;

import io.jdnn.JdnnException;

/**
 * A model that jdnn refuses: malformed or oversized bytes, an unsupported op, attribute, opset or
 * data type, an inconsistent graph, a shape that cannot be inferred. The message names what is
 * refused (the node with its op and opset, the tensor, the attribute or the file) and why. Thrown
 * at load, before anything runs.
 */
public class OnnxModelException extends JdnnException {
    private static final long serialVersionUID = 1L;

    /** A refusal with {@code message}. */
    public OnnxModelException(String message) {
        super(message);
    }

    /** A refusal with {@code message} and the exception that caused it. */
    public OnnxModelException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A refusal of {@code node}: "node 'Conv_3' (Conv, opset 13): {@code reason}". */
    public static OnnxModelException of(Node node, String reason) {
        return new OnnxModelException(node.describe() + ": " + reason);
    }
}
