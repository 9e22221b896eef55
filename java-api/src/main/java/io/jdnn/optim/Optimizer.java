package io.jdnn.optim;

import io.jdnn.ProblemString;

import java.util.List;

/**
 * An optimizer's update rule with its hyper-parameters, applied element-wise and in place to a
 * parameter tensor, its gradient and the rule's per-element state tensors (see
 * {@link io.jdnn.Device#step}). Each rule follows PyTorch's {@code torch.optim} documentation;
 * the record's comment gives the update.
 *
 * <p>Canonical strings: {@code adam_lr=0.001_beta1=0.9_beta2=0.999_eps=1e-08_weight_decay=0_amsgrad=0}
 * (the kind, then every hyper-parameter as key=value); {@link #parse} fills in PyTorch's defaults for
 * keys left out.
 */
public sealed interface Optimizer permits Sgd, AdaGrad, RmsProp, Adam, AdamW, AdaDelta {

    /** The kind token: sgd, adagrad, rmsprop, adam, adamw, adadelta. */
    String kind();

    /** Names of the per-element state tensors, in the order {@link io.jdnn.OptimizerState} holds them. */
    List<String> stateNames();

    /** The value a state tensor starts from (0 except AdaGrad's initial accumulator). */
    default double initialState(int slot) {
        return 0;
    }

    /**
     * Minimal bytes of one step over {@code elements} parameters: parameter, gradient and each
     * state read once, parameter and each state written once.
     */
    default long bytes(long elements) {
        return (3L + 2L * stateNames().size()) * elements * Float.BYTES;
    }

    /** Reads any rule's canonical string. */
    static Optimizer parse(String text) {
        ProblemString s = ProblemString.parse(text).expectKind("sgd", "adagrad", "rmsprop", "adam", "adamw", "adadelta");
        return switch (s.kind()) {
            case "sgd" -> Sgd.parse(s);
            case "adagrad" -> AdaGrad.parse(s);
            case "rmsprop" -> RmsProp.parse(s);
            case "adam" -> Adam.parse(s);
            case "adamw" -> AdamW.parse(s);
            default -> AdaDelta.parse(s);
        };
    }
}
