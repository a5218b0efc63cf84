package dev.duet.core.sequence;

import dev.duet.core.onnx.SharedSessions;
import dev.duet.core.testing.SequenceModelFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Cost per request of the exact top-N retrieval ({@link SequenceModel#topN}) at catalog sizes 1k,
 * 10k and 100k: one ONNX Runtime call for a batch of users (the catalog_scores MatMul, user vector
 * times the item table) plus the heap selection of the top N per user, and the selection alone.
 * The model is {@link SequenceModelFixture}'s (mean-pooled history): a SASRec adds its encoder,
 * whose cost does not grow with the catalog. One intra-op thread, as the job runs the CRM.
 *
 * <p>Each case runs three times after a JIT warm-up; the table gives the fastest and slowest of
 * the three (the machine is shared, so the spread is part of the figure).
 *
 * <p>Arguments: [dim] [history] [n] [seconds per repetition]; defaults 64 10 100 2.
 */
public final class SequenceRetrievalBench {

    public static void main(String[] args) throws Exception {
        int dim = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int history = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        double seconds = args.length > 3 ? Double.parseDouble(args[3]) : 2;
        Path dir = Files.createTempDirectory("duet-retrieval-bench");
        System.out.printf("exact top-%d retrieval, D=%d, L=%d, 1 intra-op thread, %s, %d cores%n", n, dim, history,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        System.out.println("| catalog | batch | ms per request (ONNX call + top-N), best / worst of 3 | of which top-N selection"
                + " | requests/s per thread (best) |");
        System.out.println("|---|---|---|---|---|");
        // JIT warm-up of the Java side (id mapping, selection) before anything is timed.
        Path warm = SequenceModelFixture.builder().items(SequenceModelFixture.itemIds(2_000)).dim(dim).maxHistory(history)
                .build().write(dir.resolve("warm.onnx"));
        try (SequenceModel model = SequenceModel.load(warm, SharedSessions.Device.CPU, 1)) {
            perRequestMs(model, 2_000, history, 4, n, seconds);
        }
        Files.delete(warm);
        for (int catalog : new int[] {1_000, 10_000, 100_000}) {
            Path file = SequenceModelFixture.builder().items(SequenceModelFixture.itemIds(catalog)).dim(dim).maxHistory(history)
                    .seed(catalog).build().write(dir.resolve("m" + catalog + ".onnx"));
            try (SequenceModel model = SequenceModel.load(file, SharedSessions.Device.CPU, 1)) {
                for (int batch : new int[] {1, 16}) {
                    double best = Double.MAX_VALUE;
                    double worst = 0;
                    for (int rep = 0; rep < 3; rep++) {
                        double ms = perRequestMs(model, catalog, history, batch, n, seconds);
                        best = Math.min(best, ms);
                        worst = Math.max(worst, ms);
                    }
                    double select = selectionMs(catalog, n, seconds / 2);
                    System.out.printf("| %,d | %d | %.3f / %.3f | %.3f | %,.0f |%n", catalog, batch, best, worst, select, 1000 / best);
                }
            }
            Files.delete(file);
        }
        Files.delete(dir);
    }

    private static double perRequestMs(SequenceModel model, int catalog, int history, int batch, int n, double seconds)
            throws Exception {
        Random random = new Random(3);
        List<String[]> histories = new ArrayList<>();
        for (int u = 0; u < batch; u++) {
            String[] h = new String[history];
            for (int i = 0; i < history; i++) {
                h[i] = "i" + (1 + random.nextInt(catalog));
            }
            histories.add(h);
        }
        long warmEnd = System.nanoTime() + (long) (seconds * 0.3e9);
        while (System.nanoTime() < warmEnd) {
            model.topN(histories, histories, n);
        }
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long requests = 0;
        while (System.nanoTime() < end) {
            model.topN(histories, histories, n);
            requests += batch;
        }
        return (System.nanoTime() - start) / 1e6 / requests;
    }

    private static double selectionMs(int catalog, int n, double seconds) {
        Random random = new Random(5);
        float[] scores = new float[catalog + 1];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = (float) random.nextGaussian();
        }
        int[] excluded = {1, 7, 42};
        long sink = 0;
        long warmEnd = System.nanoTime() + (long) (seconds * 0.3e9);
        while (System.nanoTime() < warmEnd) {
            sink += TopRows.select(scores, 0, scores.length, n, excluded)[0];
        }
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long calls = 0;
        while (System.nanoTime() < end) {
            sink += TopRows.select(scores, 0, scores.length, n, excluded)[0];
            calls++;
        }
        if (sink == Long.MIN_VALUE) {
            System.out.println(Arrays.toString(excluded));
        }
        return (System.nanoTime() - start) / 1e6 / calls;
    }
}
