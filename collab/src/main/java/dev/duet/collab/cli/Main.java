package dev.duet.collab.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the commands that need the CRM and the LLM together: {@code ./duet calibrate},
 * {@code ./duet eval ... --llm ...} and {@code ./duet demo}. Receives the whole command line.
 * Errors end with one clear line and a non-zero exit.
 */
@Command(
        name = "duet",
        mixinStandardHelpOptions = true,
        description = "Duet: the CRM and the LLM together (calibrate, collaboration eval, demo).")
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        for (Object subcommand : Subcommands.all()) {
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

    static String describe(Throwable e) {
        StringBuilder line = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message != null && !message.isBlank() && line.indexOf(message) < 0) {
                line.append(line.length() > 0 ? ": " : "").append(message);
            }
        }
        return line.length() == 0 ? e.getClass().getSimpleName() : line.toString();
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
