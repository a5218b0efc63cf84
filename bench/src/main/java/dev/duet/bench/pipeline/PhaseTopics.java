package dev.duet.bench.pipeline;

import dev.duet.job.JobOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The six topics of one measured phase, under a prefix of their own, so that every phase starts
 * from empty topics and a fresh consumer group, and its data can be deleted afterwards. Every topic
 * stamps records with the broker's append time ({@code LogAppendTime}): an input's and its
 * output's timestamps are then both "when the record reached Kafka", on one clock, which is what
 * the benchmark's end-to-end latency is the difference of.
 */
final class PhaseTopics {

    final String interactions;
    final String requests;
    final String items;
    final String control;
    final String output;
    final String deadLetters;
    final int partitions;

    PhaseTopics(String prefix, int partitions) {
        this.interactions = prefix + "-interactions";
        this.requests = prefix + "-requests";
        this.items = prefix + "-items";
        this.control = prefix + "-control";
        this.output = prefix + "-recommendations";
        this.deadLetters = prefix + "-dead-letters";
        this.partitions = partitions;
    }

    List<String> all() {
        return List.of(interactions, requests, items, control, output, deadLetters);
    }

    /** Sets the job's topic options to these topics. */
    void applyTo(Configuration options) {
        options.set(JobOptions.TOPIC_INTERACTIONS, interactions);
        options.set(JobOptions.TOPIC_REQUESTS, requests);
        options.set(JobOptions.TOPIC_ITEMS, items);
        options.set(JobOptions.TOPIC_CONTROL, control);
        options.set(JobOptions.TOPIC_RECOMMENDATIONS, output);
        options.set(JobOptions.TOPIC_DEAD_LETTERS, deadLetters);
    }

    void create(Properties client) throws Exception {
        try (Admin admin = Admin.create(client)) {
            List<NewTopic> list = new ArrayList<>();
            for (String t : all()) {
                list.add(new NewTopic(t, partitions, (short) 1)
                        .configs(Map.of("retention.ms", "-1", "message.timestamp.type", "LogAppendTime")));
            }
            admin.createTopics(list).all().get(60, TimeUnit.SECONDS);
            awaitLeaders(admin);
        }
    }

    /**
     * Waits until every partition has a leader. A producer that starts on a topic still being set
     * up was seen to restart its idempotent sequence numbers on a partition it had written to
     * (OutOfOrderSequenceException, then expired batches).
     */
    private void awaitLeaders(Admin admin) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                boolean ready = admin.describeTopics(all()).allTopicNames().get(60, TimeUnit.SECONDS).values().stream()
                        .allMatch(d -> d.partitions().size() == partitions && d.partitions().stream().allMatch(p -> p.leader() != null));
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                // Created but not yet known to the broker's metadata: ask again.
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the topics " + all() + " have no leaders after 60 s");
            }
            Thread.sleep(50);
        }
    }

    /** Deletes the topics (their data is no longer needed once the phase is measured). */
    void delete(Properties client) throws Exception {
        try (Admin admin = Admin.create(client)) {
            admin.deleteTopics(all()).all().get(60, TimeUnit.SECONDS);
        }
    }
}
