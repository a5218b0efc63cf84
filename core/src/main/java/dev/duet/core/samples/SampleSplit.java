package dev.duet.core.samples;

import java.util.List;

/** The samples of a data set split in time: train, validation, test. */
public record SampleSplit(List<Sample> train, List<Sample> valid, List<Sample> test) {

    public SampleSplit {
        train = List.copyOf(train);
        valid = List.copyOf(valid);
        test = List.copyOf(test);
    }

    public int size() {
        return train.size() + valid.size() + test.size();
    }
}
