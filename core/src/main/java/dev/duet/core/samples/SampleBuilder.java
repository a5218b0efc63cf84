package dev.duet.core.samples;

import dev.duet.core.data.Dataset;
import dev.duet.core.data.Interaction;
import dev.duet.core.data.SequenceCase;
import dev.duet.core.data.Split;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.IntToDoubleFunction;
import java.util.function.IntToLongFunction;

/**
 * Builds click-through samples exactly as PROTOCOL.md section 1 says: every rating is a sample,
 * label = rating >= 4, history = the {@value #HISTORY} most recent rated items strictly before the
 * sample's time, and a global 80/10/10 split in time (ties keep file order).
 *
 * <p>Next-item data without ratings (LLaRA's LastFM) becomes one positive sample per case (the
 * true next item) and one sampled negative (an item outside the case), split as its files are.
 */
public final class SampleBuilder {

    /** History length K of the protocol. */
    public static final int HISTORY = 10;

    /** Label threshold of the protocol for MovieLens. */
    public static final float POSITIVE_RATING = 4f;

    private SampleBuilder() {}

    /** Samples of a data set with the protocol's split. */
    public static SampleSplit build(Dataset dataset) {
        return dataset.interactions().isEmpty() ? fromSequences(dataset) : fromInteractions(dataset);
    }

    /** The interactions in time order, ties in source order (a stable sort). */
    public static List<Interaction> inTimeOrder(List<Interaction> interactions) {
        List<Interaction> sorted = new ArrayList<>(interactions);
        sorted.sort(Comparator.comparingLong(Interaction::timestampMs));
        return sorted;
    }

    private static SampleSplit fromInteractions(Dataset dataset) {
        List<Interaction> sorted = inTimeOrder(dataset.interactions());
        Map<String, List<Interaction>> before = new HashMap<>();
        List<Sample> samples = new ArrayList<>(sorted.size());
        for (Interaction event : sorted) {
            List<Interaction> past = before.computeIfAbsent(event.userId(), u -> new ArrayList<>());
            samples.add(sample(event, past));
            past.add(event);
        }
        int n = samples.size();
        int trainEnd = (int) Math.floor(n * 0.8);
        int validEnd = (int) Math.floor(n * 0.9);
        return new SampleSplit(
                samples.subList(0, trainEnd),
                samples.subList(trainEnd, validEnd),
                samples.subList(validEnd, n));
    }

    /**
     * The sample of {@code event} given the user's earlier interactions in time order. Entries with
     * the same timestamp as the event are not "strictly before" it and are skipped.
     */
    public static Sample sample(Interaction event, List<Interaction> pastInTimeOrder) {
        return sample(event, pastInTimeOrder.size(), i -> pastInTimeOrder.get(i).timestampMs(),
                i -> pastInTimeOrder.get(i).itemId(), i -> pastInTimeOrder.get(i).rating());
    }

    /**
     * As {@link #sample(Interaction, List)}, the past given as parallel arrays in time order (the
     * streaming job's per-user state), so that no interaction objects are built per event.
     */
    public static Sample sample(Interaction event, String[] pastItems, float[] pastRatings, long[] pastTimes) {
        return sample(event, pastItems.length, i -> pastTimes[i], i -> pastItems[i], i -> pastRatings[i]);
    }

    /** The index just after the last of the first {@code size} times strictly before {@code timestampMs}. */
    public static int historyEnd(int size, IntToLongFunction timeAt, long timestampMs) {
        int end = size;
        while (end > 0 && timeAt.applyAsLong(end - 1) >= timestampMs) {
            end--;
        }
        return end;
    }

    private static Sample sample(Interaction event, int size, IntToLongFunction timeAt, IntFunction<String> itemAt,
            IntToDoubleFunction ratingAt) {
        int end = historyEnd(size, timeAt, event.timestampMs());
        int start = Math.max(0, end - HISTORY);
        String[] items = new String[end - start];
        float[] ratings = new float[end - start];
        for (int i = start; i < end; i++) {
            items[i - start] = itemAt.apply(i);
            ratings[i - start] = (float) ratingAt.applyAsDouble(i);
        }
        return new Sample(
                event.userId(),
                event.itemId(),
                event.timestampMs(),
                event.rating(),
                label(event.rating()),
                items,
                ratings);
    }

    /** The protocol's label of a rating. */
    public static int label(float rating) {
        return rating >= POSITIVE_RATING ? 1 : 0;
    }

    private static SampleSplit fromSequences(Dataset dataset) {
        Random random = new Random(7);
        List<String> catalog = new ArrayList<>(dataset.items().keySet());
        catalog.sort(Comparator.naturalOrder());
        List<Sample> train = new ArrayList<>();
        List<Sample> valid = new ArrayList<>();
        List<Sample> test = new ArrayList<>();
        long index = 0;
        for (SequenceCase c : dataset.sequenceCases()) {
            List<String> tail = c.history().subList(Math.max(0, c.history().size() - HISTORY), c.history().size());
            String[] items = tail.toArray(String[]::new);
            float[] ratings = new float[items.length];
            Arrays.fill(ratings, 1f);
            Set<String> excluded = new HashSet<>(c.history());
            excluded.add(c.next());
            String negative;
            do {
                negative = catalog.get(random.nextInt(catalog.size()));
            } while (excluded.contains(negative));
            String user = "case-" + index;
            List<Sample> target = c.split() == Split.TRAIN ? train : c.split() == Split.VALID ? valid : test;
            target.add(new Sample(user, c.next(), index, 1f, 1, items, ratings));
            target.add(new Sample(user, negative, index, 0f, 0, items, ratings));
            index++;
        }
        return new SampleSplit(train, valid, test);
    }
}
