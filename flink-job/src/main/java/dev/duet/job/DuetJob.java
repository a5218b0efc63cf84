package dev.duet.job;

import dev.duet.core.routing.GateWeights;
import dev.duet.core.routing.RoutingCalibration;
import dev.duet.job.llm.LlmAsyncScorer;
import dev.duet.job.llm.LlmTls;
import dev.duet.job.model.EventKind;
import dev.duet.job.model.ItemTouch;
import dev.duet.job.model.JobEvent;
import dev.duet.job.model.RawRecord;
import dev.duet.job.model.ScoringTask;
import dev.duet.job.operators.CandidateRetrieval;
import dev.duet.job.operators.CrmBatchScorer;
import dev.duet.job.operators.ItemPopularity;
import dev.duet.job.operators.ItemPopularityOperator;
import dev.duet.job.operators.ParseEvents;
import dev.duet.job.operators.PrequentialMetrics;
import dev.duet.job.operators.RankingQuality;
import dev.duet.job.operators.RouteSamples;
import dev.duet.job.operators.ToRecommendationJson;
import dev.duet.job.operators.UserHistory;
import dev.duet.job.operators.UserHistoryOperator;
import dev.duet.job.scoring.CrmScorerFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.transformations.TwoInputTransformation;

/**
 * The Duet streaming job. Its sources and sinks come in through the constructor (Kafka in
 * production, anything in tests); {@link #build} adds the pipeline to an environment:
 *
 * <pre>
 * input -> parse (bad records -> dead letters) -> event-time watermarks
 *   interactions (item, time) -> keyBy(item) popularity --(updates that moved, broadcast)--+
 *   interactions + requests -> keyBy(user) history state + broadcast catalog/control/popularity
 *     -> candidate retrieval (sequence model's top N for requests without candidates)
 *     -> batched CRM scoring -> routing (budget) -> easy: CRM answer
 *                                                -> hard: async LLM pool (or fallback)
 *     -> union -> ranking quality (hit@k) -> prequential metrics -> recommendations sink (exactly once)
 * </pre>
 */
public final class DuetJob {

    private final Source<RawRecord, ?, ?> input;
    private final Sink<String> recommendations;
    private final Sink<String> deadLetters;
    private final ReadableConfig config;
    private final CrmScorerFactory scorerFactory;

    public DuetJob(Source<RawRecord, ?, ?> input, Sink<String> recommendations, Sink<String> deadLetters,
            ReadableConfig config, CrmScorerFactory scorerFactory) {
        this.input = input;
        this.recommendations = recommendations;
        this.deadLetters = deadLetters;
        this.config = config;
        this.scorerFactory = scorerFactory;
    }

    /** Adds the pipeline to {@code env}; fails with a clear message on an invalid setting. */
    public void build(StreamExecutionEnvironment env) throws IOException {
        RouteSamples.Settings routing = routingSettings(config);
        LlmAsyncScorer.Settings llm = new LlmAsyncScorer.Settings(
                config.get(JobOptions.WORKERS),
                config.get(JobOptions.LLM_CALL_TIMEOUT).toMillis(),
                config.get(JobOptions.LLM_MAX_ATTEMPTS),
                config.get(JobOptions.BREAKER_FAILURES),
                config.get(JobOptions.BREAKER_OPEN_TIME).toMillis(),
                config.get(JobOptions.RERANK_CANDIDATES),
                llmTls(config));

        DataStream<RawRecord> raw = env.fromSource(input, WatermarkStrategy.noWatermarks(), "input").uid("input");

        SingleOutputStreamOperator<JobEvent> parsed = raw
                .process(new ParseEvents(
                        config.get(JobOptions.TOPIC_INTERACTIONS), config.get(JobOptions.TOPIC_REQUESTS),
                        config.get(JobOptions.TOPIC_ITEMS), config.get(JobOptions.TOPIC_CONTROL)))
                .uid("parse").name("parse and validate");
        parsed.getSideOutput(ParseEvents.DEAD_LETTERS).sinkTo(deadLetters).uid("dead-letters-sink").name("dead letters");

        DataStream<JobEvent> timed = parsed.assignTimestampsAndWatermarks(
                        WatermarkStrategy.<JobEvent>forBoundedOutOfOrderness(config.get(JobOptions.MAX_OUT_OF_ORDERNESS))
                                .withTimestampAssigner((e, ts) -> e.hasEventTime() ? e.timestampMs : Long.MIN_VALUE))
                .uid("watermarks").name("event-time watermarks");

        // Interactions go straight to the user operator (one exchange); the popularity operator gets
        // only each interaction's item and time, and broadcasts the counts that moved.
        DataStream<JobEvent> interactions = timed.filter(e -> e.kind == EventKind.INTERACTION).name("interactions");
        DataStream<JobEvent> popularityUpdates = interactions
                .map(e -> new ItemTouch(e.itemId, e.timestampMs)).returns(ItemTouch.class).name("item touches")
                .keyBy(t -> t.itemId, Types.STRING)
                .transform("item popularity", TypeInformation.of(JobEvent.class), new ItemPopularityOperator(new ItemPopularity(
                        config.get(JobOptions.POPULARITY_HALF_LIFE), config.get(JobOptions.STATE_TTL),
                        config.get(JobOptions.POPULARITY_UPDATE_TOLERANCE), stateCacheSize(config, JobOptions.ITEM_CACHE_SIZE))))
                .uid("item-popularity");
        DataStream<JobEvent> requests = timed.filter(e -> e.kind == EventKind.REQUEST).name("requests");
        DataStream<JobEvent> broadcastEvents = timed
                .filter(e -> e.kind == EventKind.ITEM || e.kind == EventKind.CONTROL).name("catalog and control")
                .union(popularityUpdates);
        BroadcastStream<JobEvent> broadcast =
                broadcastEvents.broadcast(UserHistory.CATALOG, UserHistory.POPULARITY, UserHistory.CONTROL);

        KeyedStream<JobEvent, String> byUser = interactions.union(requests).keyBy(e -> e.userId, Types.STRING);
        SingleOutputStreamOperator<ScoringTask> tasks = userHistory(env, byUser, broadcast, new UserHistoryOperator(new UserHistory(
                        config.get(JobOptions.HISTORY_LENGTH), config.get(JobOptions.STATE_TTL),
                        config.get(JobOptions.POPULARITY_HALF_LIFE),
                        config.get(JobOptions.CANDIDATE_POOL), config.get(JobOptions.CATALOG_SEED),
                        stateCacheSize(config, JobOptions.USER_CACHE_SIZE))))
                .uid("user-history").name("user history");

        // Requests without candidates: the sequence model's top N replaces popularity's (when one is set).
        SingleOutputStreamOperator<ScoringTask> retrieved = tasks
                .transform("candidate retrieval", TypeInformation.of(ScoringTask.class), new CandidateRetrieval(retrievalSettings(config)))
                .uid("candidate-retrieval");

        SingleOutputStreamOperator<ScoringTask> scored = retrieved
                .transform("crm scoring", TypeInformation.of(ScoringTask.class), new CrmBatchScorer(
                        scorerFactory, config.get(JobOptions.MODEL_PATH), config.get(JobOptions.BATCH_SIZE),
                        config.get(JobOptions.BATCH_MAX_DELAY).toMillis()))
                .uid("crm-scoring");

        SingleOutputStreamOperator<ScoringTask> routed = scored.process(new RouteSamples(routing))
                .uid("routing").name("routing");

        DataStream<ScoringTask> answered = routed;
        if (config.get(JobOptions.LLM_ENABLED)) {
            DataStream<ScoringTask> llmAnswers = AsyncDataStream.unorderedWait(
                            routed.getSideOutput(RouteSamples.HARD), new LlmAsyncScorer(llm),
                            config.get(JobOptions.LLM_TIMEOUT).toMillis(), TimeUnit.MILLISECONDS,
                            config.get(JobOptions.LLM_CAPACITY))
                    .uid("llm").name("llm pool");
            answered = routed.union(llmAnswers);
        }

        answered
                .map(new RankingQuality(config.get(JobOptions.RANKING_USERS))).uid("ranking-quality").name("ranking quality")
                .map(new PrequentialMetrics(config.get(JobOptions.METRICS_WINDOW))).uid("prequential").name("prequential metrics")
                .map(new ToRecommendationJson()).uid("to-json").name("to json")
                .sinkTo(recommendations).uid("recommendations-sink").name("recommendations");
    }

    /**
     * {@code byUser.connect(broadcast).process(function)} with the job's own operator around the
     * function ({@link UserHistoryOperator}: write-behind user cache); the DataStream API builds
     * only its own operator for a keyed broadcast connection, so the transformation is made here as
     * that method makes it.
     */
    private static SingleOutputStreamOperator<ScoringTask> userHistory(StreamExecutionEnvironment env,
            KeyedStream<JobEvent, String> byUser, BroadcastStream<JobEvent> broadcast, UserHistoryOperator operator) {
        TwoInputTransformation<JobEvent, JobEvent, ScoringTask> transformation = new TwoInputTransformation<>(
                byUser.getTransformation(), broadcast.getTransformation(), "user history",
                SimpleOperatorFactory.of(operator), TypeInformation.of(ScoringTask.class), env.getParallelism());
        transformation.setStateKeySelectors(byUser.getKeySelector(), null);
        transformation.setStateKeyType(byUser.getKeyType());
        env.addOperator(transformation);
        return new SingleOutputStreamOperator<>(env, transformation) {};
    }

    static CandidateRetrieval.Settings retrievalSettings(ReadableConfig config) {
        return new CandidateRetrieval.Settings(config.get(JobOptions.SEQUENCE_MODEL_PATH), config.get(JobOptions.CANDIDATE_POOL),
                config.get(JobOptions.RETRIEVAL_BATCH_SIZE), config.get(JobOptions.BATCH_MAX_DELAY).toMillis(),
                config.get(JobOptions.INTRA_OP_THREADS), config.get(JobOptions.RETRIEVAL_SHADOW_POPULARITY));
    }

    /** A state cache's size ({@code option}): none in front of heap state, which is already on the heap. */
    static int stateCacheSize(ReadableConfig config, ConfigOption<Integer> option) {
        return config.get(JobOptions.STATE_BACKEND) == JobOptions.StateBackend.HASHMAP ? 0 : config.get(option);
    }

    static LlmTls llmTls(ReadableConfig config) {
        return new LlmTls(config.get(JobOptions.LLM_TLS), config.get(JobOptions.LLM_TLS_CA_CERT),
                config.get(JobOptions.LLM_TLS_AUTHORITY));
    }

    /**
     * The routing settings. A calibration file from {@code ./duet calibrate} brings, besides the gate
     * weights, the feature scales and entropy floor they were fitted with and the gate threshold
     * that routed the budget on validation; each is used unless its option is set explicitly
     * (the calibrated gate predicts where the LLM beats the CRM, and those probabilities sit far
     * below the uncalibrated default floor of 0.5, which would route almost nothing).
     */
    static RouteSamples.Settings routingSettings(ReadableConfig config) throws IOException {
        String file = config.get(JobOptions.GATE_CALIBRATION);
        RoutingCalibration calibration = file.isEmpty()
                ? new RoutingCalibration(GateWeights.DEFAULT, Double.NaN, Double.NaN, Double.NaN, List.of())
                : RoutingCalibration.load(Path.of(file));
        double share = config.get(JobOptions.BUDGET_SHARE);
        double minGate = config.getOptional(JobOptions.MIN_GATE)
                .orElse(calibration.gateThresholdFor(share).orElse(JobOptions.MIN_GATE.defaultValue()));
        return new RouteSamples.Settings(
                share, config.get(JobOptions.BUDGET_RATE), config.get(JobOptions.BUDGET_BURST),
                config.get(JobOptions.BUDGET_HALF_LIFE),
                explicitOrCalibrated(config, JobOptions.MIN_ENTROPY, calibration.minEntropy()).doubleValue(),
                minGate,
                calibration.weights(),
                explicitOrCalibrated(config, JobOptions.WARM_HISTORY, calibration.warmHistory()).intValue(),
                explicitOrCalibrated(config, JobOptions.HEAD_POPULARITY, calibration.headPopularity()).doubleValue(),
                config.get(JobOptions.LLM_ENABLED));
    }

    /** The explicitly set value, else the calibration file's (NaN: it has none), else the default. */
    private static Number explicitOrCalibrated(ReadableConfig config, ConfigOption<? extends Number> option, double fromFile) {
        Optional<? extends Number> explicit = config.getOptional(option);
        if (explicit.isPresent()) {
            return explicit.get();
        }
        return Double.isNaN(fromFile) ? option.defaultValue() : fromFile;
    }
}
