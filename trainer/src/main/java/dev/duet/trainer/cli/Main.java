package dev.duet.trainer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the trainer's commands; {@code ./duet train|eval|download|data-info|bench ...}
 * runs it with the whole command line. Errors end with one clear line and a non-zero exit.
 */
@Command(
        name = "duet",
        mixinStandardHelpOptions = true,
        description = "Duet: train and evaluate the conventional recommender (CRM).",
        subcommands = {
            TrainCommand.class,
            EvalCommand.class,
            DownloadCommand.class,
            DataInfoCommand.class,
            BenchCommand.class
        })
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
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

    /** One line that says what went wrong, from the exception and its causes. */
    static String describe(Throwable e) {
        StringBuilder line = new StringBuilder();
        Throwable t = e;
        while (t != null) {
            String message = t.getMessage();
            if (message != null && !message.isBlank() && line.indexOf(message) < 0) {
                if (line.length() > 0) {
                    line.append(": ");
                }
                line.append(message);
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return line.length() == 0 ? e.getClass().getSimpleName() : line.toString();
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
