package dev.duet.evaluation.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the offline evaluation commands that need the CRM and the LLM side together:
 * {@code ./duet calibrate}, {@code ./duet eval ... --llm ...}, {@code train-llm},
 * {@code export-llm-data} and {@code teacher-scores}. Receives the whole command line.
 */
@Command(
        name = "duet",
        mixinStandardHelpOptions = true,
        description = "Duet offline evaluation: calibrate, eval --llm, train-llm, export-llm-data, teacher-scores.")
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this). */
    public static int run(String... args) {
        return CommandRunner.run(new Main(), Subcommands.all(), args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
