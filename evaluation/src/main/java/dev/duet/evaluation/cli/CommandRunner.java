package dev.duet.evaluation.cli;

import java.util.List;
import picocli.CommandLine;

/**
 * Runs a picocli command line the way every composing module's {@code Main} does (evaluation, demo,
 * bench): errors end with one clear line, {@code duet <command>: error: <message and causes>}, and
 * exit code 1; {@code -Dduet.debug=true} adds the stack trace.
 */
public final class CommandRunner {

    private CommandRunner() {}

    /** Runs {@code args} against {@code root} with its {@code subcommands}; returns the exit code. */
    public static int run(Object root, List<Object> subcommands, String... args) {
        CommandLine cli = new CommandLine(root);
        for (Object subcommand : subcommands) {
            cli.addSubcommand(subcommand);
        }
        cli.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                    commandLine.getErr().println("duet " + commandLine.getCommandName() + ": error: " + describe(e));
                    if (Boolean.getBoolean("duet.debug")) {
                        e.printStackTrace(commandLine.getErr());
                    }
                    return 1;
                });
        return cli.execute(args);
    }

    /** The messages of an exception and its causes on one line, each once. */
    public static String describe(Throwable e) {
        StringBuilder line = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message != null && !message.isBlank() && line.indexOf(message) < 0) {
                line.append(line.length() > 0 ? ": " : "").append(message);
            }
        }
        return line.length() == 0 ? e.getClass().getSimpleName() : line.toString();
    }
}
