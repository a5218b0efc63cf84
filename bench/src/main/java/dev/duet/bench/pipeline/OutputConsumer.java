package dev.duet.bench.pipeline;

import dev.duet.demo.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a phase's output and dead-letter topics from the beginning with read_committed, what a
 * downstream consumer of the exactly-once sink sees, into an {@link OutputLog}: either live on its
 * own thread ({@link #start}, the latency phases, where the receipt time matters) or to the end in
 * the caller's thread ({@link #readToEnd}, after a bounded job finished).
 */
final class OutputConsumer implements AutoCloseable {

    private final Properties properties;
    private final PhaseTopics topics;
    private final OutputLog log;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;
    private Thread thread;

    OutputConsumer(String bootstrap, PhaseTopics topics, OutputLog log) {
        properties = EmbeddedKafka.readCommittedConsumerProperties(bootstrap, "duet-bench-reader-");
        properties.put("max.poll.records", "5000");
        properties.put("fetch.max.wait.ms", "50");
        this.topics = topics;
        this.log = log;
    }

    /** Reads on a thread of its own until {@link #close()}. */
    void start() {
        thread = new Thread(() -> {
            try (KafkaConsumer<String, String> consumer = open()) {
                while (running) {
                    poll(consumer);
                }
            } catch (Throwable t) {
                if (running) {
                    failure.set(t);
                }
            }
        }, "duet-bench-output-reader");
        thread.setDaemon(true);
        thread.start();
    }

    /** Reads everything committed so far (up to the last stable offsets), then returns. */
    void readToEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, String> consumer = open()) {
            Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
            while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading the output of " + topics.output + " took longer than "
                            + timeout.toSeconds() + " s");
                }
                poll(consumer);
            }
        }
    }

    private KafkaConsumer<String, String> open() {
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(topics.output, topics.deadLetters)) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    private void poll(KafkaConsumer<String, String> consumer) {
        var records = consumer.poll(Duration.ofMillis(100));
        long now = System.currentTimeMillis();
        for (ConsumerRecord<String, String> r : records) {
            if (r.topic().equals(topics.deadLetters)) {
                log.deadLetter();
            } else {
                log.add(r.value(), r.timestamp(), now);
            }
        }
    }

    /** Why the live reader stopped, or null. */
    Throwable failure() {
        return failure.get();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join(15_000);
        }
    }
}
