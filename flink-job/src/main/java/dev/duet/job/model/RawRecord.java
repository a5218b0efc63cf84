package dev.duet.job.model;

/** A record as read from Kafka, before parsing: where it came from and its value as text. */
public class RawRecord {
    public String topic;
    public int partition;
    public long offset;
    /** The Kafka record's timestamp, epoch milliseconds. */
    public long timestampMs;
    /** The record's value as text; null for a tombstone (a record with a null value). */
    public String value;

    public RawRecord() {}

    public RawRecord(String topic, int partition, long offset, long timestampMs, String value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestampMs = timestampMs;
        this.value = value;
    }

    /** A stable id of the record: {@code topic-partition-offset}. */
    public String id() {
        return topic + "-" + partition + "-" + offset;
    }
}
