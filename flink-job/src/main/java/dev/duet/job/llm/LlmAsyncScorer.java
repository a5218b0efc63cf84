package dev.duet.job.llm;

import dev.duet.core.routing.Route;
import dev.duet.job.model.ItemDescriptor;
import dev.duet.job.model.ScoringTask;
import dev.duet.job.model.TopK;
import dev.duet.proto.v1.Candidate;
import dev.duet.proto.v1.HistoryItem;
import dev.duet.proto.v1.ScoreReply;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Task;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Asks the LLM pool about a hard sample (async I/O, unordered). Interactions are pointwise
 * (the LLM's probability for the one item); requests are listwise (the LLM reranks the CRM's best
 * candidates). A timeout, an error or an open breaker never fails the job: the task leaves with
 * the CRM's answer and route {@code fallback}, its reason recorded.
 */
public class LlmAsyncScorer extends RichAsyncFunction<ScoringTask, ScoringTask> {

    private static final long serialVersionUID = 1L;

    /** Pool settings. */
    public record Settings(
            String workers, long callTimeoutMs, int maxAttempts, int breakerFailures, long breakerOpenMs, int rerankCandidates,
            LlmTls tls)
            implements java.io.Serializable {
        public Settings {
            LlmPool.parseTargets(workers);
            if (rerankCandidates < 1) {
                throw new IllegalArgumentException("rerank candidates must be positive");
            }
        }
    }

    private final Settings settings;

    private transient LlmPool pool;
    private transient Counter calls;
    private transient Counter fallbacks;
    private transient Histogram latency;

    public LlmAsyncScorer(Settings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        var task = getRuntimeContext().getTaskInfo();
        pool = new LlmPool(LlmPool.parseTargets(settings.workers()), settings.callTimeoutMs(), settings.maxAttempts(),
                settings.breakerFailures(), settings.breakerOpenMs(), settings.tls(),
                "llm pool subtask " + task.getIndexOfThisSubtask() + "/" + task.getNumberOfParallelSubtasks());
        var metrics = getRuntimeContext().getMetricGroup();
        calls = metrics.counter("llmCalls");
        fallbacks = metrics.counter("llmFallbacks");
        latency = metrics.histogram("llmLatencyMs", new DescriptiveStatisticsHistogram(1000));
        metrics.gauge("llmWorkersAvailable", () -> pool.availableWorkers());
        // Per worker: 0 closed, 1 half-open, 2 open (CircuitBreaker.State.code()).
        List<String> targets = pool.targets();
        for (int i = 0; i < targets.size(); i++) {
            int index = i;
            metrics.addGroup("llmWorker", targets.get(i)).gauge("breakerState", () -> pool.breakerState(index).code());
        }
    }

    @Override
    public void asyncInvoke(ScoringTask task, ResultFuture<ScoringTask> resultFuture) {
        calls.inc();
        long start = System.currentTimeMillis();
        int[] order = rerankOrder(task);
        ScoreRequest request = request(task, order);
        pool.score(request).whenComplete((reply, error) -> {
            long elapsed = System.currentTimeMillis() - start;
            if (error != null) {
                fallback(task, error.getMessage(), resultFuture);
                return;
            }
            if (reply.getScoresCount() != order.length) {
                fallback(task, "worker answered " + reply.getScoresCount() + " scores for " + order.length + " candidates", resultFuture);
                return;
            }
            synchronized (task) {
                if (task.llmDone) {
                    return; // the timeout already answered with the CRM
                }
                task.llmDone = true;
                latency.update(elapsed);
                answer(task, order, reply, elapsed);
                task.releaseScoringInputs();
            }
            resultFuture.complete(Collections.singletonList(task));
        });
    }

    @Override
    public void timeout(ScoringTask task, ResultFuture<ScoringTask> resultFuture) {
        fallback(task, "timeout", resultFuture);
    }

    private void fallback(ScoringTask task, String reason, ResultFuture<ScoringTask> resultFuture) {
        synchronized (task) {
            if (task.llmDone) {
                return;
            }
            task.llmDone = true;
        }
        fallbacks.inc();
        task.route = Route.FALLBACK.wireName();
        task.finalScores = task.crmScores;
        task.fallbackReason = reason == null ? "unknown error" : reason;
        task.releaseScoringInputs();
        resultFuture.complete(Collections.singletonList(task));
    }

    /** Candidate indices sent to the LLM: the interaction's item, or a request's best CRM candidates. */
    int[] rerankOrder(ScoringTask task) {
        int n = task.candidateCount();
        int m = task.isInteraction() ? n : Math.min(n, Math.max(task.k, settings.rerankCandidates()));
        return TopK.indices(task.crmScores, n, m);
    }

    ScoreRequest request(ScoringTask task, int[] order) {
        int dim = task.candidateCount() == 0 ? 0 : task.itemVectors.length / task.candidateCount();
        ScoreRequest.Builder b = ScoreRequest.newBuilder()
                .setRequestId(task.id)
                .setUserId(task.userId)
                .setTask(task.isInteraction() ? Task.TASK_POINTWISE : Task.TASK_LISTWISE)
                .setCrmModelVersion(task.crmModelVersion == null ? "" : task.crmModelVersion)
                .setDeadlineMs(System.currentTimeMillis() + settings.callTimeoutMs() * settings.maxAttempts());
        for (float v : task.userVector) {
            b.addUserBehaviour(v);
        }
        for (int i = 0; i < task.history.length; i++) {
            ItemDescriptor h = task.history[i];
            b.addHistory(HistoryItem.newBuilder()
                    .setItemId(h.itemId)
                    .setTitle(h.title == null ? "" : h.title)
                    .setText(text(h))
                    .setRating(task.historyRatings[i])
                    .setTimestampMs(task.historyTimes[i]));
        }
        for (int i : order) {
            ItemDescriptor c = task.candidates[i];
            Candidate.Builder cb = Candidate.newBuilder()
                    .setItemId(c.itemId)
                    .setTitle(c.title == null ? "" : c.title)
                    .setText(text(c))
                    .setCrmProbability(task.crmScores[i]);
            for (int d = 0; d < dim; d++) {
                cb.addBehaviour(task.itemVectors[i * dim + d]);
            }
            b.addCandidates(cb);
        }
        return b.build();
    }

    private static String text(ItemDescriptor d) {
        StringBuilder s = new StringBuilder();
        if (d.genres != null && d.genres.length > 0) {
            s.append(String.join(", ", d.genres));
        }
        if (d.year > 0) {
            s.append(s.length() > 0 ? "; " : "").append(d.year);
        }
        return s.toString();
    }

    /**
     * Pointwise: the LLM's probability replaces the CRM's. Listwise: the sent candidates take the
     * LLM's order on top and keep scores that preserve it (the reply's scores are only comparable
     * within the reply), the rest follow in CRM order below them.
     */
    private static void answer(ScoringTask task, int[] order, ScoreReply reply, long elapsed) {
        List<Float> scores = reply.getScoresList();
        task.route = Route.LLM.wireName();
        task.llmModelVersion = reply.getModelVersion();
        task.llmLatencyMs = elapsed;
        if (task.isInteraction()) {
            task.finalScores = new float[] {Math.min(1f, Math.max(0f, scores.get(0)))};
            return;
        }
        int n = task.candidateCount();
        float[] out = new float[n];
        // The reranked candidates get 1 + (m - rank) / m in (1, 2] by the LLM's order (its scores
        // are log-likelihoods, comparable only within the reply); the rest keep their CRM
        // probability in [0, 1] below them.
        for (int i = 0; i < n; i++) {
            out[i] = task.crmScores[i];
        }
        Integer[] byLlm = new Integer[order.length];
        for (int j = 0; j < order.length; j++) {
            byLlm[j] = j;
        }
        Arrays.sort(byLlm, (a, b) -> Float.compare(scores.get(b), scores.get(a)));
        int m = order.length;
        for (int rank = 0; rank < m; rank++) {
            out[order[byLlm[rank]]] = 1f + (float) (m - rank) / m;
        }
        task.finalScores = out;
    }

    @Override
    public void close() throws Exception {
        if (pool != null) {
            pool.close();
        }
    }
}
