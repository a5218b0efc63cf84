package dev.duet.job.operators;

import dev.duet.core.crm.CrmScores;
import dev.duet.core.data.UserInfo;
import dev.duet.core.samples.Sample;
import dev.duet.job.model.EventKind;
import dev.duet.job.model.ItemDescriptor;
import dev.duet.job.model.ScoringTask;
import dev.duet.job.scoring.CrmScorer;
import dev.duet.job.scoring.CrmScorerFactory;
import dev.duet.job.scoring.ModelSwapper;
import dev.duet.job.scoring.ScoringRow;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores tasks with the CRM in batches across keys: tasks are buffered until their candidates fill
 * a batch or a short processing-time timer fires, then scored in one ONNX Runtime call. The buffer
 * is flushed before every checkpoint barrier and at the end of input, so it never needs to be
 * checkpointed.
 *
 * <p>Hot swap ({@link ModelSwapper}): a control record reaches this operator as a {@link
 * EventKind#CONTROL} task from the user operator (which keeps the path in its broadcast state) and
 * starts opening the new model on a background thread; every batch is scored with the model in use
 * when it starts, and a model that finished loading is installed at the start of the next batch. A
 * path that fails to load is logged at ERROR with the reason, counted ({@code modelLoadFailures})
 * and tried again after 1 s, the delay doubling up to 60 s; meanwhile the previous model keeps
 * scoring. Tasks also carry the path in force: after a restore, the first one names the restored
 * path, which is opened before the first batch, as the configured model is.
 */
public class CrmBatchScorer extends MicroBatchingOperator {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CrmBatchScorer.class);

    private final CrmScorerFactory factory;
    private final String defaultModelPath;
    private final int batchSize;
    private final long maxDelayMs;
    private final ModelSwapper.Backoff retryDelays;

    private transient List<ScoringTask> buffer;
    private transient int bufferedRows;
    private transient ModelSwapper<CrmScorer> models;
    private transient Histogram batchSizes;
    private transient Counter scoredRows;

    public CrmBatchScorer(CrmScorerFactory factory, String defaultModelPath, int batchSize, long maxDelayMs) {
        this(factory, defaultModelPath, batchSize, maxDelayMs, ModelSwapper.Backoff.DEFAULT);
    }

    /** With other delays between attempts at a model that failed to load (tests). */
    public CrmBatchScorer(CrmScorerFactory factory, String defaultModelPath, int batchSize, long maxDelayMs,
            ModelSwapper.Backoff retryDelays) {
        if (batchSize < 1 || maxDelayMs < 0) {
            throw new IllegalArgumentException("batch size must be positive and the delay not negative");
        }
        this.factory = factory;
        this.defaultModelPath = defaultModelPath;
        this.batchSize = batchSize;
        this.maxDelayMs = maxDelayMs;
        this.retryDelays = retryDelays;
    }

    @Override
    public void open() throws Exception {
        super.open();
        buffer = new ArrayList<>();
        models = new ModelSwapper<>("model", "scoring", factory::open, CrmScorer::version, retryDelays, LOG,
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), defaultModelPath);
        batchSizes = getMetricGroup().histogram("crmBatchSize", new DescriptiveStatisticsHistogram(1000));
        scoredRows = getMetricGroup().counter("crmRowsScored");
        ModelSwapper<CrmScorer> swapper = models;
        getMetricGroup().counter("modelSwaps", new SuppliedCounter(swapper::swaps));
        getMetricGroup().counter("modelLoadFailures", new SuppliedCounter(swapper::failures));
        // Numeric, as every metric reporter can export it (a String gauge reads 0 in Prometheus);
        // the version itself is in the log line of each swap and in every output record.
        getMetricGroup().gauge("crmModelVersionHash", swapper::versionHash);
        getMetricGroup().gauge("modelSwapPending", () -> swapper.pending() ? 1 : 0);
    }

    @Override
    public void processElement(StreamRecord<ScoringTask> element) throws Exception {
        ScoringTask task = element.getValue();
        if (task.kind == EventKind.CONTROL) {
            // A control record, not a task: start opening the model; nothing goes downstream.
            if (task.modelPath != null) {
                models.request(task.modelPath);
            }
            return;
        }
        models.follow(task.modelPath == null || task.modelPath.isEmpty() ? defaultModelPath : task.modelPath);
        buffer.add(task);
        bufferedRows += Math.max(1, task.candidateCount());
        if (bufferedRows >= batchSize) {
            flush();
        } else {
            flushWithin(maxDelayMs);
        }
    }

    /** Scores everything buffered in one call, with the model in use when the batch starts. */
    @Override
    protected void flush() throws Exception {
        if (buffer == null || buffer.isEmpty()) {
            return;
        }
        List<ScoringTask> tasks = buffer;
        buffer = new ArrayList<>();
        bufferedRows = 0;
        models.swapIfReady(); // the safe point: no batch is using the current model
        score(models.model(), tasks);
        for (ScoringTask t : tasks) {
            output.collect(new StreamRecord<>(t, t.timestampMs));
        }
    }

    private void score(CrmScorer scorer, List<ScoringTask> tasks) throws Exception {
        List<ScoringRow> rows = new ArrayList<>();
        for (ScoringTask t : tasks) {
            String[] historyItems = new String[t.history.length];
            for (int i = 0; i < historyItems.length; i++) {
                historyItems[i] = t.history[i].itemId;
            }
            UserInfo user = new UserInfo(t.userId, t.gender, t.age, t.occupation, t.zip);
            for (ItemDescriptor c : t.candidates) {
                Sample s = new Sample(t.userId, c.itemId, t.timestampMs, t.rating, t.label, historyItems, t.historyRatings);
                rows.add(new ScoringRow(s, c, t.history, user));
            }
        }
        CrmScores scores = rows.isEmpty() ? null : scorer.score(rows);
        if (!rows.isEmpty()) {
            batchSizes.update(rows.size());
            scoredRows.inc(rows.size());
        }
        long now = System.currentTimeMillis();
        int row = 0;
        for (ScoringTask t : tasks) {
            int n = t.candidateCount();
            t.crmScores = new float[n];
            t.itemVectors = new float[n * (scores == null ? 0 : scores.dim())];
            for (int i = 0; i < n; i++) {
                t.crmScores[i] = scores.probability()[row + i];
                System.arraycopy(scores.itemVectors(), (row + i) * scores.dim(), t.itemVectors, i * scores.dim(), scores.dim());
            }
            t.userVector = n == 0 ? new float[0] : scores.userVector(row);
            t.crmModelVersion = scorer.version();
            t.scoredAtMs = now;
            row += n;
        }
    }

    /** The model version as a number for the dashboard: its String hash as an unsigned 32-bit value. */
    public static long versionHash(String version) {
        return ModelSwapper.versionHash(version);
    }

    /** The version scoring now (tests). */
    String currentVersion() {
        return models.currentVersion();
    }

    /** Whether a requested model is still loading or waiting for a retry (tests). */
    boolean swapPending() {
        return models.pending();
    }

    /** Whether a requested model has loaded and will be used from the next batch on (tests). */
    boolean swapReady() {
        return models.readyToSwap();
    }

    @Override
    public void close() throws Exception {
        if (models != null) {
            models.close();
            models = null;
        }
        super.close();
    }
}
