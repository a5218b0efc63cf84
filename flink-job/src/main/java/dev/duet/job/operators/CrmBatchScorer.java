package dev.duet.job.operators;

import dev.duet.core.crm.CrmScores;
import dev.duet.core.data.UserInfo;
import dev.duet.core.samples.Sample;
import dev.duet.job.model.ItemDescriptor;
import dev.duet.job.model.ScoringTask;
import dev.duet.job.scoring.CrmScorer;
import dev.duet.job.scoring.CrmScorerFactory;
import dev.duet.job.scoring.ScoringRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * <p>Hot swap: a task names the model path it should be scored with (from the control topic); a
 * new path loads a new model (sessions are shared per JVM). A path that fails to load is logged at
 * ERROR once with the reason, counted ({@code modelLoadFailures}) and tried again with a growing
 * delay (1 s doubling up to {@link #MAX_RETRY_DELAY_MS}: a model file still being copied, a
 * volume not yet mounted); meanwhile the previous model keeps scoring.
 */
public class CrmBatchScorer extends MicroBatchingOperator {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CrmBatchScorer.class);
    private static final int MAX_OPEN_MODELS = 3;
    static final long FIRST_RETRY_DELAY_MS = 1000;
    static final long MAX_RETRY_DELAY_MS = 60_000;

    private final CrmScorerFactory factory;
    private final String defaultModelPath;
    private final int batchSize;
    private final long maxDelayMs;

    private transient List<ScoringTask> buffer;
    private transient int bufferedRows;
    private transient LinkedHashMap<String, CrmScorer> scorers;
    /** Paths that failed to load: attempts so far and when the next may be made (processing time). */
    private transient Map<String, FailedLoad> failedPaths;
    private transient String currentPath;
    private transient volatile long currentVersionHash;
    private transient Histogram batchSizes;
    private transient Counter scoredRows;
    private transient Counter modelSwaps;
    private transient Counter modelLoadFailures;

    private static final class FailedLoad {
        int attempts;
        long nextAttemptMs;
        String reason;
    }

    public CrmBatchScorer(CrmScorerFactory factory, String defaultModelPath, int batchSize, long maxDelayMs) {
        if (batchSize < 1 || maxDelayMs < 0) {
            throw new IllegalArgumentException("batch size must be positive and the delay not negative");
        }
        this.factory = factory;
        this.defaultModelPath = defaultModelPath;
        this.batchSize = batchSize;
        this.maxDelayMs = maxDelayMs;
    }

    @Override
    public void open() throws Exception {
        super.open();
        buffer = new ArrayList<>();
        scorers = new LinkedHashMap<>(4, 0.75f, true);
        failedPaths = new HashMap<>();
        currentPath = defaultModelPath;
        scorers.put(defaultModelPath, factory.open(defaultModelPath));
        setCurrent(defaultModelPath);
        batchSizes = getMetricGroup().histogram("crmBatchSize", new DescriptiveStatisticsHistogram(1000));
        scoredRows = getMetricGroup().counter("crmRowsScored");
        modelSwaps = getMetricGroup().counter("modelSwaps");
        modelLoadFailures = getMetricGroup().counter("modelLoadFailures");
        // Numeric, as every metric reporter can export it (a String gauge reads 0 in Prometheus);
        // the version itself is in the log line of each swap and in every output record.
        getMetricGroup().gauge("crmModelVersionHash", () -> currentVersionHash);
    }

    @Override
    public void processElement(StreamRecord<ScoringTask> element) throws Exception {
        buffer.add(element.getValue());
        bufferedRows += Math.max(1, element.getValue().candidateCount());
        if (bufferedRows >= batchSize) {
            flush();
        } else {
            flushWithin(maxDelayMs);
        }
    }

    /** Scores everything buffered: one call per model path in use. */
    @Override
    protected void flush() throws Exception {
        if (buffer == null || buffer.isEmpty()) {
            return;
        }
        List<ScoringTask> tasks = buffer;
        buffer = new ArrayList<>();
        bufferedRows = 0;
        Map<String, List<ScoringTask>> byModel = new LinkedHashMap<>();
        // Tasks carry the same path object until the control topic changes it: resolve it once.
        String lastPath = null;
        List<ScoringTask> lastGroup = null;
        for (ScoringTask t : tasks) {
            String path = t.modelPath == null || t.modelPath.isEmpty() ? defaultModelPath : t.modelPath;
            if (path != lastPath) {
                lastPath = path;
                lastGroup = byModel.computeIfAbsent(resolve(path), p -> new ArrayList<>());
            }
            lastGroup.add(t);
        }
        for (Map.Entry<String, List<ScoringTask>> group : byModel.entrySet()) {
            score(scorerFor(group.getKey()), group.getValue());
        }
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

    /** The path to score with: the requested one if it loads, else the last good one. */
    private String resolve(String path) {
        if (scorers.containsKey(path)) {
            setCurrent(path);
            return path;
        }
        FailedLoad failed = failedPaths.get(path);
        long now = getProcessingTimeService().getCurrentProcessingTime();
        if (failed != null && now < failed.nextAttemptMs) {
            return currentPath;
        }
        try {
            CrmScorer scorer = factory.open(path);
            scorers.put(path, scorer);
            String previous = currentPath;
            setCurrent(path);
            modelSwaps.inc();
            LOG.info("Model swapped in subtask {}: now scoring with {} (version {}, crmModelVersionHash {}), was {}{}",
                    subtask(), path, scorer.version(), currentVersionHash, previous,
                    failed == null ? "" : " (loaded at attempt " + (failed.attempts + 1) + ")");
            failedPaths.remove(path);
            evict();
            return path;
        } catch (Exception e) {
            modelLoadFailures.inc();
            if (failed == null) {
                failed = new FailedLoad();
                failedPaths.put(path, failed);
            }
            failed.attempts++;
            long delay = Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS << Math.min(20, failed.attempts - 1));
            failed.nextAttemptMs = now + delay;
            String reason = rootMessage(e);
            if (failed.attempts == 1 || !reason.equals(failed.reason)) {
                LOG.error("Cannot load the model {} named on the control topic (subtask {}): {}; still scoring with {}"
                                + " (version {}), trying again in {} ms and then less often, up to every {} s",
                        path, subtask(), reason, currentPath, scorers.get(currentPath).version(), delay, MAX_RETRY_DELAY_MS / 1000);
            }
            failed.reason = reason;
            return currentPath;
        }
    }

    private void setCurrent(String path) {
        currentPath = path;
        currentVersionHash = versionHash(scorers.get(path).version());
    }

    /** The model version as a number for the dashboard: its String hash as an unsigned 32-bit value. */
    public static long versionHash(String version) {
        return Integer.toUnsignedLong(version == null ? 0 : version.hashCode());
    }

    private int subtask() {
        return getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    }

    /** The innermost cause's message: what is wrong with the file, not the wrapper's. */
    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage().replace('\n', ' ');
    }

    private void evict() throws Exception {
        while (scorers.size() > MAX_OPEN_MODELS) {
            String eldest = scorers.keySet().iterator().next();
            if (eldest.equals(currentPath)) {
                break;
            }
            scorers.remove(eldest).close();
        }
    }

    private CrmScorer scorerFor(String path) {
        CrmScorer s = scorers.get(path);
        if (s == null) {
            throw new IllegalStateException("no scorer for " + path);
        }
        return s;
    }

    @Override
    public void close() throws Exception {
        if (scorers != null) {
            for (CrmScorer s : scorers.values()) {
                s.close();
            }
            scorers.clear();
        }
        super.close();
    }
}
