package io.jdnn.bench.onnx;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code jdnn onnx}: the group of commands on ONNX models (info). */
@Command(name = "onnx", mixinStandardHelpOptions = true, subcommands = {OnnxInfoCommand.class},
        description = "Commands on ONNX models: info (inputs, outputs, op counts, parameters, FLOPs per image).")
public final class OnnxCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** {@code jdnn onnx} without a subcommand: a usage error that lists them. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "expected a subcommand: info");
    }
}
