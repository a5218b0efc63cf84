package dev.duet.job.operators;

import dev.duet.core.routing.BudgetedThreshold;
import dev.duet.core.routing.EntropyRule;
import dev.duet.core.routing.GateWeights;
import dev.duet.core.routing.Route;
import dev.duet.core.routing.Router;
import dev.duet.core.routing.SelectiveGate;
import dev.duet.job.model.ScoringTask;
import java.io.Serializable;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Routes scored tasks: easy ones leave on the main output with the CRM's answer (route crm), hard
 * ones through the {@link #HARD} side output to the LLM pool. The rule is {@link Router}'s: entropy
 * floor, selective gate, budgeted adaptive threshold. The budget's state is checkpointed, so a
 * restore neither forgets the threshold nor resets the share.
 *
 * <p>A request is judged by its best CRM candidate (is the CRM unsure of what it would show first).
 */
public class RouteSamples extends ProcessFunction<ScoringTask, ScoringTask> implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<ScoringTask> HARD = new OutputTag<>("hard-samples") {};

    /**
     * Routing settings, validated on construction. With {@code llmEnabled} false every sample is
     * still measured (entropy, gate) but the CRM answers all of them.
     */
    public record Settings(
            double share, double ratePerSecond, double burst, int halfLifeSamples, double minEntropy, double minGate,
            GateWeights weights, int warmHistory, double headPopularity, boolean llmEnabled) implements Serializable {
        public Settings {
            new BudgetedThreshold(share, burst, ratePerSecond, halfLifeSamples, 2);
            new EntropyRule(minEntropy);
            new SelectiveGate(weights, warmHistory, headPopularity);
        }
    }

    private final Settings settings;

    private transient Router router;
    private transient ListState<byte[]> budgetState;
    private transient Counter samples;
    private transient Counter routed;
    private transient Histogram entropy;

    public RouteSamples(Settings settings) {
        this.settings = settings;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        BudgetedThreshold budget = new BudgetedThreshold(
                settings.share(), settings.burst(), settings.ratePerSecond() / parallelism, settings.halfLifeSamples(), 1000);
        router = new Router(
                new EntropyRule(settings.minEntropy()),
                new SelectiveGate(settings.weights(), settings.warmHistory(), settings.headPopularity()),
                settings.minGate(),
                budget);
        budgetState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("routing-budget", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        if (context.isRestored()) {
            for (byte[] snapshot : budgetState.get()) {
                // After a rescale a subtask may get several snapshots; any one is a good start.
                budget.restore(snapshot);
                break;
            }
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        budgetState.update(java.util.List.of(router.budget().snapshot()));
    }

    @Override
    public void open(OpenContext openContext) {
        var metrics = getRuntimeContext().getMetricGroup();
        samples = metrics.counter("samplesScored");
        routed = metrics.counter("samplesRoutedToLlm");
        // Flink histograms hold longs: the entropy in [0, 1] is kept in thousandths, and named so.
        entropy = metrics.histogram("crmEntropyPermille", new DescriptiveStatisticsHistogram(2000));
        metrics.gauge("llmShare", () -> router.budget().routedShare());
        // The budget's adaptive threshold on the selective gate's score: a sample needs a gate
        // score above it (and above routing.min-gate, and the entropy floor) to go to the LLM.
        metrics.gauge("llmGateThreshold", () -> router.budget().threshold());
    }

    @Override
    public void processElement(ScoringTask task, Context ctx, Collector<ScoringTask> out) {
        int n = task.candidateCount();
        if (n == 0) {
            // Nothing to rank (empty catalog): answered by the CRM with no items.
            task.route = Route.CRM.wireName();
            task.finalScores = new float[0];
            out.collect(task);
            return;
        }
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (task.crmScores[i] > task.crmScores[best]) {
                best = i;
            }
        }
        int historyLength = (int) Math.min(Integer.MAX_VALUE, task.userInteractions);
        double probability = task.crmScores[best];
        double popularity = task.candidatePopularity[best];
        Router.Decision d = settings.llmEnabled()
                ? router.decide(historyLength, popularity, probability, ctx.timerService().currentProcessingTime())
                // Measured like any sample, but the budget never sees it: nothing is routed.
                : new Router.Decision(false, SelectiveGate.uncertainty(probability),
                        router.gate().score(historyLength, popularity, probability), Double.NaN);
        task.entropy = d.entropy();
        task.gate = d.gateScore();
        samples.inc();
        entropy.update(Math.round(d.entropy() * 1000));
        if (d.toLlm()) {
            routed.inc();
            task.route = Route.LLM.wireName();
            ctx.output(HARD, task);
        } else {
            task.route = Route.CRM.wireName();
            task.finalScores = task.crmScores;
            task.releaseScoringInputs();
            out.collect(task);
        }
    }
}
