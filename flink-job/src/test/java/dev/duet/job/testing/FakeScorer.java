package dev.duet.job.testing;

import dev.duet.core.crm.CrmScores;
import dev.duet.job.scoring.CrmScorer;
import dev.duet.job.scoring.CrmScorerFactory;
import dev.duet.job.scoring.ScoringRow;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic CRM stand-in for tests that do not need a real model: the probability depends on
 * the user, the item and the history length (so entropies spread over the whole range); the
 * version is the model path's file name. Optionally fails once after a number of rows, to test
 * recovery.
 */
public final class FakeScorer implements CrmScorer {

    /** Rows scored in this JVM, for failure injection. */
    public static final AtomicInteger ROWS = new AtomicInteger();
    /** When positive, the scorer throws once when ROWS passes it, and resets it to 0. */
    public static final AtomicInteger FAIL_AFTER_ROWS = new AtomicInteger();

    private final String version;
    private final long sleepMsPerBatch;

    public FakeScorer(String version, long sleepMsPerBatch) {
        this.version = version;
        this.sleepMsPerBatch = sleepMsPerBatch;
    }

    public static CrmScorerFactory factory(long sleepMsPerBatch) {
        return path -> {
            if (path.contains("missing")) {
                throw new IllegalArgumentException("Model file not found: " + path);
            }
            return new FakeScorer(path.substring(path.lastIndexOf('/') + 1), sleepMsPerBatch);
        };
    }

    public static float probability(String user, String item, int historyLength) {
        int h = (user + "|" + item).hashCode();
        double z = ((h & 0xffff) / 65535.0) * 6 - 3 + 0.05 * historyLength;
        return (float) (1 / (1 + Math.exp(-z)));
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public CrmScores score(List<ScoringRow> rows) throws Exception {
        if (sleepMsPerBatch > 0) {
            Thread.sleep(sleepMsPerBatch);
        }
        int total = ROWS.addAndGet(rows.size());
        int failAfter = FAIL_AFTER_ROWS.get();
        if (failAfter > 0 && total > failAfter && FAIL_AFTER_ROWS.compareAndSet(failAfter, 0)) {
            throw new IllegalStateException("injected scorer failure after " + total + " rows");
        }
        int n = rows.size();
        int dim = 4;
        float[] p = new float[n];
        float[] users = new float[n * dim];
        float[] items = new float[n * dim];
        for (int i = 0; i < n; i++) {
            ScoringRow r = rows.get(i);
            p[i] = probability(r.sample().userId(), r.sample().itemId(), r.sample().historyLength());
            items[i * dim] = r.sample().itemId().hashCode() % 7;
            users[i * dim] = r.sample().userId().hashCode() % 5;
        }
        return new CrmScores(p, users, items, dim);
    }

    @Override
    public void close() {}
}
