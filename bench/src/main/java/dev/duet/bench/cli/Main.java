package dev.duet.bench.cli;

import dev.duet.bench.pipeline.BenchCommand;
import dev.duet.evaluation.cli.CommandRunner;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the benchmarks that run the job, the worker and a broker together
 * ({@code ./duet bench pipeline}) and the fault suite ({@code ./duet bench faults}); the CRM's and the worker's own benchmarks live in their modules.
 */
@Command(name = "duet", mixinStandardHelpOptions = true, description = "Duet's whole-pipeline benchmarks.")
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this). */
    public static int run(String... args) {
        return CommandRunner.run(new Main(), List.of(new BenchCommand()), args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
