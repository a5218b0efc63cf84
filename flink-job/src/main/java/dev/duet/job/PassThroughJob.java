package dev.duet.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.job.model.EventKind;
import dev.duet.job.model.JobEvent;
import dev.duet.job.model.RawRecord;
import dev.duet.job.operators.ParseEvents;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The baseline of {@code ./duet bench pipeline}: the same Kafka input and output as {@link DuetJob}
 * with nothing of the recommender in between. Its sources and sinks come in through the
 * constructor; {@link #build} adds:
 *
 * <pre>
 * input -> parse (bad records -> dead letters) -> interactions and requests
 *   -> keyBy(user) -> one small JSON record per event -> output sink (exactly once)
 * </pre>
 *
 * <p>No state, no model: what it costs is the source, parsing, one network shuffle, writing JSON
 * and the transactional sink, which every configuration of the real job pays too. Catalog and
 * control records are parsed and dropped. An output record carries the fields the benchmark and
 * the demo's accounting read from a recommendation: kind, id (the input's {@code
 * topic-partition-offset}, or the request id), user, event time and the in-job latency.
 */
public final class PassThroughJob {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Source<RawRecord, ?, ?> input;
    private final Sink<String> output;
    private final Sink<String> deadLetters;
    private final ReadableConfig config;

    public PassThroughJob(Source<RawRecord, ?, ?> input, Sink<String> output, Sink<String> deadLetters,
            ReadableConfig config) {
        this.input = input;
        this.output = output;
        this.deadLetters = deadLetters;
        this.config = config;
    }

    /** Adds the pipeline to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        SingleOutputStreamOperator<JobEvent> parsed = env
                .fromSource(input, WatermarkStrategy.noWatermarks(), "input").uid("input")
                .process(new ParseEvents(
                        config.get(JobOptions.TOPIC_INTERACTIONS), config.get(JobOptions.TOPIC_REQUESTS),
                        config.get(JobOptions.TOPIC_ITEMS), config.get(JobOptions.TOPIC_CONTROL)))
                .uid("parse").name("parse and validate");
        parsed.getSideOutput(ParseEvents.DEAD_LETTERS).sinkTo(deadLetters).uid("dead-letters-sink").name("dead letters");

        parsed
                .filter(e -> e.kind == EventKind.INTERACTION || e.kind == EventKind.REQUEST).name("user events")
                .keyBy(e -> e.userId, Types.STRING)
                .map(e -> toJson(e, System.currentTimeMillis())).returns(Types.STRING).uid("to-json").name("to json")
                .sinkTo(output).uid("output-sink").name("output");
    }

    /** The output record of one interaction or request. */
    static String toJson(JobEvent e, long nowMs) {
        Map<String, Object> m = new LinkedHashMap<>();
        boolean interaction = e.kind == EventKind.INTERACTION;
        m.put("kind", interaction ? "interaction" : "request");
        m.put("id", interaction ? e.eventId : e.requestId);
        m.put("user", e.userId);
        m.put("route", "pass-through");
        m.put("event_time", e.timestampMs);
        m.put("latency_ms", Math.max(0, nowMs - e.ingestMs));
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
