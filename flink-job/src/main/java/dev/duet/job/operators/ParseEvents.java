package dev.duet.job.operators;

import dev.duet.core.data.ItemInfo;
import dev.duet.core.events.DeadLetter;
import dev.duet.core.events.EventParser;
import dev.duet.core.events.InteractionEvent;
import dev.duet.core.events.InvalidEventException;
import dev.duet.core.events.ModelControl;
import dev.duet.core.events.RecommendationRequest;
import dev.duet.job.model.EventKind;
import dev.duet.job.model.ItemDescriptor;
import dev.duet.job.model.JobEvent;
import dev.duet.job.model.RawRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Parses and validates the records of every input topic; a record that fails goes to the {@link
 * #DEAD_LETTERS} side output with its topic, partition, offset and the reason. Never throws on
 * input.
 */
public class ParseEvents extends ProcessFunction<RawRecord, JobEvent> {

    private static final long serialVersionUID = 1L;

    /** JSON dead letters ({@link DeadLetter#toJson()}). */
    public static final OutputTag<String> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private final String interactionsTopic;
    private final String requestsTopic;
    private final String itemsTopic;
    private final String controlTopic;

    private transient Counter deadLetters;
    private transient Counter parsed;
    private transient DeadLetterLog log;

    public ParseEvents(String interactionsTopic, String requestsTopic, String itemsTopic, String controlTopic) {
        this.interactionsTopic = interactionsTopic;
        this.requestsTopic = requestsTopic;
        this.itemsTopic = itemsTopic;
        this.controlTopic = controlTopic;
    }

    @Override
    public void open(OpenContext openContext) {
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
        parsed = getRuntimeContext().getMetricGroup().counter("eventsParsed");
        log = new DeadLetterLog(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), DeadLetterLog.REPORT_EVERY_MS);
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<JobEvent> out) {
        long now = System.currentTimeMillis();
        log.reportIfDue(now);
        try {
            JobEvent event = parse(record);
            event.eventId = record.id();
            event.ingestMs = now;
            parsed.inc();
            out.collect(event);
        } catch (InvalidEventException e) {
            reject(record, e.getMessage(), ctx);
        } catch (RuntimeException e) {
            // A parser bug must not stop the job either; the reason says what happened.
            reject(record, "unexpected error: " + e, ctx);
        }
    }

    private void reject(RawRecord record, String reason, Context ctx) {
        deadLetters.inc();
        log.rejected(record, reason, System.currentTimeMillis());
        DeadLetter letter = new DeadLetter(record.topic, record.partition, record.offset, reason, record.value, System.currentTimeMillis());
        ctx.output(DEAD_LETTERS, letter.toJson());
    }

    private JobEvent parse(RawRecord record) throws InvalidEventException {
        JobEvent event = new JobEvent();
        if (record.topic.equals(interactionsTopic)) {
            InteractionEvent e = EventParser.parseInteraction(record.value);
            event.kind = EventKind.INTERACTION;
            event.userId = e.userId();
            event.itemId = e.itemId();
            event.rating = e.rating();
            event.eventType = e.eventType();
            event.timestampMs = e.timestampMs();
            event.setProfile(e.profile());
        } else if (record.topic.equals(requestsTopic)) {
            RecommendationRequest r = EventParser.parseRequest(record.value, record.timestampMs);
            event.kind = EventKind.REQUEST;
            event.requestId = r.requestId();
            event.userId = r.userId();
            event.candidates = r.candidates().toArray(String[]::new);
            event.k = r.k();
            event.timestampMs = r.timestampMs();
            event.setProfile(r.profile());
        } else if (record.topic.equals(itemsTopic)) {
            ItemInfo info = EventParser.parseItem(record.value);
            event.kind = EventKind.ITEM;
            event.itemId = info.itemId();
            event.item = ItemDescriptor.of(info);
        } else if (record.topic.equals(controlTopic)) {
            event.kind = EventKind.CONTROL;
            ModelControl control = EventParser.parseControl(record.value);
            event.modelPath = control.modelPath();
            event.controlTarget = control.target().name();
        } else {
            throw new InvalidEventException("record from unexpected topic '" + record.topic + "'");
        }
        return event;
    }
}
