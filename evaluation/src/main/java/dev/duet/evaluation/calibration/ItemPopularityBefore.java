package dev.duet.evaluation.calibration;

import dev.duet.core.samples.Sample;
import dev.duet.core.samples.SampleSplit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The gate's popularity input offline: how many interactions the item had before each sample,
 * counting every earlier sample of the whole stream (train, then validation, then test, in time
 * order), as the job's popularity state sees it when the sample arrives. The job decays its counts;
 * offline they are plain counts (see docs/collaboration.md).
 */
public final class ItemPopularityBefore {

    private final double[] valid;
    private final double[] test;

    private ItemPopularityBefore(double[] valid, double[] test) {
        this.valid = valid;
        this.test = test;
    }

    public static ItemPopularityBefore of(SampleSplit split) {
        Map<String, Integer> counts = new HashMap<>();
        count(split.train(), counts, null);
        double[] valid = new double[split.valid().size()];
        count(split.valid(), counts, valid);
        double[] test = new double[split.test().size()];
        count(split.test(), counts, test);
        return new ItemPopularityBefore(valid, test);
    }

    private static void count(List<Sample> samples, Map<String, Integer> counts, double[] before) {
        for (int i = 0; i < samples.size(); i++) {
            int c = counts.merge(samples.get(i).itemId(), 1, Integer::sum);
            if (before != null) {
                before[i] = c - 1;
            }
        }
    }

    /** Popularity before each validation sample, in split order. */
    public double[] valid() {
        return valid;
    }

    /** Popularity before each test sample, in split order. */
    public double[] test() {
        return test;
    }

    /** The values at {@code indices}. */
    public static double[] pick(double[] values, int[] indices) {
        double[] out = new double[indices.length];
        for (int k = 0; k < indices.length; k++) {
            out[k] = values[indices[k]];
        }
        return out;
    }
}
