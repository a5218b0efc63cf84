package dev.duet.job.operators;

import dev.duet.core.onnx.SharedSessions;
import dev.duet.core.sequence.SequenceModel;
import dev.duet.core.testing.SequenceModelFixture;
import dev.duet.job.model.EventKind;
import dev.duet.job.model.ItemDescriptor;
import dev.duet.job.model.RetrievalSource;
import dev.duet.job.model.ScoringTask;
import dev.duet.job.scoring.ModelSwapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

/**
 * How long a hot swap holds up the task thread: before, the new model was opened on the task
 * thread ({@link SequenceModel#load} timed here on the calling thread); now it opens on the
 * loader thread while the task thread keeps retrieving with the old model ({@link
 * CandidateRetrieval} in a harness, one request per batch, each call timed while the swap is
 * pending, one request a millisecond at most). A large sequence model (many items) makes the load
 * visible.
 *
 * <p>Arguments: [items] [dim] [repetitions]; defaults 200000 64 3. Run with the test classpath:
 * {@code java -cp ... dev.duet.job.operators.HotSwapStallBench}.
 */
public final class HotSwapStallBench {

    public static void main(String[] args) throws Exception {
        int items = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int dim = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int repetitions = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path dir = Files.createTempDirectory("duet-swap-bench");
        Path small = SequenceModelFixture.builder().items(SequenceModelFixture.itemIds(2_000)).dim(dim).maxHistory(10).seed(1)
                .version("small").build().write(dir.resolve("small.onnx"));
        Path big = SequenceModelFixture.builder().items(SequenceModelFixture.itemIds(items)).dim(dim).maxHistory(10).seed(2)
                .version("big").build().write(dir.resolve("big.onnx"));
        System.out.printf("hot swap to a sequence model of %,d items x %d (%,d bytes), %s %s, %d cores%n", items, dim, Files.size(big),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        System.out.println("| repetition | open on the calling thread (before: the task thread stalled this long), ms |"
                + " swap pending, ms | requests served meanwhile | longest call while pending, ms | median call, ms |");
        System.out.println("|---|---|---|---|---|---|");
        String handle = CatalogViews.register(new CatalogViews.View() {
            @Override
            public ItemDescriptor item(String itemId) {
                return new ItemDescriptor(itemId, itemId, 2000, new String[0]);
            }

            @Override
            public double popularity(String itemId, long timeMs) {
                return 1;
            }
        });
        try {
            for (int r = 1; r <= repetitions; r++) {
                // A fresh file each time: SharedSessions would otherwise hand out the open session.
                Path copy = Files.copy(big, dir.resolve("big-" + r + ".onnx"));
                long start = System.nanoTime();
                try (SequenceModel model = SequenceModel.load(copy, SharedSessions.Device.CPU, 1)) {
                    model.version();
                }
                double openMs = (System.nanoTime() - start) / 1e6;
                Path swapTo = Files.copy(big, dir.resolve("big-swap-" + r + ".onnx"));
                double[] pending = swapWhileServing(small, swapTo, handle);
                System.out.printf("| %d | %.0f | %.0f | %d | %.1f | %.2f |%n", r, openMs, pending[0], (long) pending[1], pending[2], pending[3]);
            }
        } finally {
            CatalogViews.unregister(handle);
        }
    }

    /** [ms from the control record to the new model in use, calls meanwhile, longest call ms, median call ms]. */
    private static double[] swapWhileServing(Path from, Path to, String handle) throws Exception {
        try (var h = new OneInputStreamOperatorTestHarness<ScoringTask, ScoringTask>(new CandidateRetrieval(
                new CandidateRetrieval.Settings(from.toString(), 100, 1, 50, 1, false), ModelSwapper.Backoff.DEFAULT,
                (file, threads) -> SequenceModel.load(file, SharedSessions.Device.CPU, threads)))) {
            h.open();
            CandidateRetrieval retrieval = (CandidateRetrieval) h.getOperator();
            for (int i = 0; i < 500; i++) { // warm-up
                h.processElement(request(handle, i), 5);
            }
            h.getOutput().clear();
            long start = System.nanoTime();
            h.processElement(ScoringTask.modelControl(true, to.toString()), 0);
            List<Double> calls = new ArrayList<>();
            int i = 0;
            while (retrieval.currentVersion().equals("small")) {
                if (System.nanoTime() - start > 120_000_000_000L) {
                    throw new IllegalStateException("the new model was not in use after 120 s");
                }
                long t = System.nanoTime();
                h.processElement(request(handle, i++), 5);
                calls.add((System.nanoTime() - t) / 1e6);
                h.getOutput().clear();
                Thread.sleep(1); // a steady stream, about 1,000 requests/s at most, not a spin

            }
            double pendingMs = (System.nanoTime() - start) / 1e6;
            double longest = Collections.max(calls);
            Collections.sort(calls);
            return new double[] {pendingMs, calls.size(), longest, calls.get(calls.size() / 2)};
        }
    }

    private static ScoringTask request(String handle, int i) {
        ScoringTask t = new ScoringTask();
        t.kind = EventKind.REQUEST;
        t.id = "r" + i;
        t.userId = "u" + (i % 100);
        t.k = 10;
        t.timestampMs = 5;
        t.history = new ItemDescriptor[0];
        t.historyRatings = new float[0];
        t.historyTimes = new long[0];
        t.candidates = new ItemDescriptor[] {new ItemDescriptor("p1", "p1", 0, new String[0])};
        t.candidatePopularity = new double[] {1};
        t.retrievalSource = RetrievalSource.POPULARITY;
        t.retrievalHistory = new String[] {"i" + (i % 1000), "i" + ((i * 7) % 1000), "i" + ((i * 13) % 1000)};
        t.catalogHandle = handle;
        return t;
    }
}
