package io.jdnn.bench.onnx;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code jdnn onnx}: the group of commands on ONNX models (info, run, verify, bench, train). */
@Command(name = "onnx", mixinStandardHelpOptions = true, subcommands = {OnnxInfoCommand.class, OnnxRunCommand.class,
        OnnxVerifyCommand.class, OnnxBenchCommand.class, OnnxTrainCommand.class},
        description = "Commands on ONNX models: info (inputs, outputs, op counts, parameters, FLOPs per image), run, "
                + "verify (against ONNX's test data layout), bench (latency, images/s, memory; beside ONNX Runtime on CPUs), "
                + "train (fine-tune on generated data).")
public final class OnnxCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** {@code jdnn onnx} without a subcommand: a usage error that lists them. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "expected a subcommand: info, run, verify, bench, train");
    }
}
