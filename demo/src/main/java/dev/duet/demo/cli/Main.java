package dev.duet.demo.cli;

import dev.duet.demo.DemoCommand;
import dev.duet.evaluation.cli.CommandRunner;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./duet demo}: broker, worker, job and replay embedded in one process. */
@Command(name = "duet", mixinStandardHelpOptions = true, description = "Duet's embedded demo.")
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this). */
    public static int run(String... args) {
        return CommandRunner.run(new Main(), List.of(new DemoCommand()), args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
