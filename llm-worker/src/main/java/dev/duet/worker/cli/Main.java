package dev.duet.worker.cli;

import dev.duet.core.onnx.ShortCommandLine;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the launcher's worker commands: {@code worker}, {@code worker-call} and
 * {@code bench worker}. Receives the whole command line, command first. Every failure ends with
 * one clear line on stderr and a non-zero exit code, never a bare stack trace.
 */
@Command(
        name = "duet",
        mixinStandardHelpOptions = true,
        subcommands = {WorkerCommand.class, WorkerCallCommand.class, Main.Bench.class},
        description = "Duet LLM worker commands.")
public final class Main implements Runnable {

    /** {@code bench worker}: the benchmark lives under the launcher's common bench command. */
    @Command(name = "bench", mixinStandardHelpOptions = true,
            subcommands = {BenchWorkerCommand.class},
            description = "Benchmarks (this module: worker).")
    static final class Bench implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "bench needs a target: bench worker");
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a command is needed: worker, worker-call or bench worker");
    }

    public static void main(String[] args) {
        try {
            int relaunched = ShortCommandLine.relaunchIfNeeded();
            if (relaunched >= 0) {
                System.exit(relaunched);
            }
        } catch (Exception e) {
            System.err.println("duet: cannot start a child JVM: " + describe(e));
            System.exit(1);
        }
        System.exit(run(args));
    }

    /** Runs a command line and returns the exit code (tests call this instead of main). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("duet " + commandLine.getCommandName() + ": "
                    + describe(e));
            if (Boolean.getBoolean("duet.debug")) {
                e.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        cli.setParameterExceptionHandler((e, args2) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("duet " + c.getCommandName() + ": " + e.getMessage()
                    + " (see --help)");
            return 2;
        });
        return cli.execute(args);
    }

    /** One line: the innermost useful message, with the exception type only when it has none. */
    static String describe(Throwable e) {
        Throwable t = e;
        while ((t.getMessage() == null || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof io.grpc.StatusRuntimeException s) {
            return s.getStatus().getCode() + ": " + s.getStatus().getDescription();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.replace('\n', ' ');
    }
}
