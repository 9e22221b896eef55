package io.jdnn.bench;

import io.jdnn.bench.perf.BenchCommand;
import io.jdnn.bench.train.TrainCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * The {@code jdnn} command line. Each command is one class; {@link #COMMANDS} is the one list that
 * registers them. Exit status: 0 success, 1 a failed check or an error while running, 2 a usage
 * error (unknown option, missing or malformed argument).
 */
@Command(name = "jdnn", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Deep-learning primitives for the JVM: list devices, check backends against golden cases, "
                + "benchmark, train.",
        footer = {"%nRun 'jdnn COMMAND --help' for a command's options. Exit status: 0 success, 1 a failed check or "
                + "an error, 2 a usage error."})
public final class Main implements Runnable {

    /**
     * Every command, in the order {@code jdnn --help} lists them. A new command is one class in
     * {@code io.jdnn.bench} or a subpackage, added here.
     */
    static final List<Supplier<Object>> COMMANDS = List.of(
            DevicesCommand::new,
            VerifyCommand::new,
            io.jdnn.bench.perf.BenchCommand::new,
            TrainCommand::new,
            io.jdnn.bench.onnx.OnnxCommand::new);

    @Spec
    CommandSpec spec;

    /** {@code jdnn} without a command: a usage error that lists the commands. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "expected a command");
    }

    /** The command line with every command registered, printing to {@code out} and {@code err}. */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Main());
        for (Supplier<Object> c : COMMANDS) {
            cl.addSubcommand(c.get());
        }
        cl.addSubcommand(new CommandLine.HelpCommand());
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setExecutionExceptionHandler(Main::handleException);
        return cl;
    }

    /** Runs one command line and returns its exit status (no System.exit: tests call this). */
    public static int run(PrintStream out, PrintStream err, String... args) {
        CommandLine cl = commandLine(out, err);
        int status = cl.execute(args);
        cl.getOut().flush();
        cl.getErr().flush();
        return status;
    }

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /**
     * An exception out of a command: an {@link IllegalArgumentException} is a bad argument value
     * (status 2), anything else a failure (status 1). The message is printed without a stack
     * trace unless {@code -Djdnn.debug=true}.
     */
    private static int handleException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean usage = e instanceof IllegalArgumentException;
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        err.println(cl.getCommandSpec().qualifiedName() + ": error: " + (usage ? "" : e.getClass().getSimpleName() + ": ") + message);
        if (Boolean.getBoolean("jdnn.debug")) {
            e.printStackTrace(err);
        } else if (!usage) {
            err.println("(run with JDNN_JAVA_OPTS=-Djdnn.debug=true for the stack trace)");
        }
        err.flush();
        return usage ? CommandLine.ExitCode.USAGE : CommandLine.ExitCode.SOFTWARE;
    }

    /** The version of the jdnn-bench artifact, from the filtered {@code version.properties}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in == null) {
                    throw new IOException("io/jdnn/bench/version.properties is missing from the class path");
                }
                p.load(in);
            }
            return new String[] {"jdnn " + p.getProperty("version") + " (Java " + System.getProperty("java.version") + ", "
                    + System.getProperty("java.vm.name") + ")"};
        }
    }
}
