package dev.duet.evaluation.calibration;

import dev.duet.core.samples.Sample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A seeded sample of a split, stratified by label: the LLM is too slow on 2 cores to answer a
 * whole split, and a label-stratified draw keeps the positive rate (and so LogLoss) comparable to
 * the full split. The chosen samples keep their time order.
 */
public final class SampleDraw {

    private SampleDraw() {}

    /** Indices of at most {@code max} samples of {@code samples} (0: all of them), ascending. */
    public static int[] stratified(List<Sample> samples, int max, long seed) {
        if (max < 0) {
            throw new IllegalArgumentException("--max-samples must not be negative, got " + max);
        }
        int n = samples.size();
        if (max == 0 || n <= max) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        List<Integer> positives = new ArrayList<>();
        List<Integer> negatives = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            (samples.get(i).label() == 1 ? positives : negatives).add(i);
        }
        Random random = new Random(seed);
        Collections.shuffle(positives, random);
        Collections.shuffle(negatives, random);
        int takePositive = (int) Math.round((double) max * positives.size() / n);
        int takeNegative = max - takePositive;
        List<Integer> chosen = new ArrayList<>(positives.subList(0, Math.min(takePositive, positives.size())));
        chosen.addAll(negatives.subList(0, Math.min(takeNegative, negatives.size())));
        Collections.sort(chosen);
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The samples at {@code indices}. */
    public static List<Sample> pick(List<Sample> samples, int[] indices) {
        List<Sample> out = new ArrayList<>(indices.length);
        for (int i : indices) {
            out.add(samples.get(i));
        }
        return out;
    }
}
