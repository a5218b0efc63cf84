package dev.duet.trainer.cli;

import picocli.CommandLine.Command;

@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks of the CRM.",
        subcommands = {BenchTrainCommand.class, BenchCrmCommand.class})
final class BenchCommand implements Runnable {

    @Override
    public void run() {
        System.out.println("Choose a benchmark: ./duet bench train --help");
    }
}
