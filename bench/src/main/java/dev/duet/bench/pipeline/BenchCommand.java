package dev.duet.bench.pipeline;

import dev.duet.bench.faults.FaultsCommand;
import picocli.CommandLine.Command;

/** {@code ./duet bench ...} in the bench module: the benchmarks that need the job and the worker together. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks of the whole pipeline (the CRM's and the worker's own are in their modules).",
        subcommands = {PipelineBenchCommand.class, FaultsCommand.class})
public final class BenchCommand implements Runnable {

    @Override
    public void run() {
        System.out.println("Choose a benchmark: ./duet bench pipeline --help, ./duet bench faults --help");
    }
}
