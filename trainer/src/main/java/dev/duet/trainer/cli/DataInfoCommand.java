package dev.duet.trainer.cli;

import dev.duet.core.data.Dataset;
import dev.duet.core.samples.SampleBuilder;
import dev.duet.core.samples.SampleSplit;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "data-info", mixinStandardHelpOptions = true, description = "Show what a data folder holds and its protocol split.")
final class DataInfoCommand implements Callable<Integer> {

    @Mixin DataOptions data;

    @Override
    public Integer call() throws Exception {
        Dataset dataset = data.load(System.out);
        SampleSplit split = SampleBuilder.build(dataset);
        long positives = split.train().stream().filter(s -> s.label() == 1).count();
        System.out.printf("Samples: train %,d, valid %,d, test %,d; positive share in train %.3f%n",
                split.train().size(), split.valid().size(), split.test().size(), (double) positives / Math.max(1, split.train().size()));
        return 0;
    }
}
