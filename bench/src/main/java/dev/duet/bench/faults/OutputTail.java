package dev.duet.bench.faults;

import dev.duet.demo.EmbeddedKafka;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.demo.Ledger;
import dev.duet.demo.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads {@code recommendations} and {@code dead-letters} from the beginning with read_committed
 * (what a downstream consumer of the exactly-once sink sees) on its own thread, into the
 * {@link FaultLedger}; keeps the probe requests' answers. The time the job ingested an output's
 * input is the output's Kafka timestamp (the sink's write time) minus its {@code latency_ms} (the
 * job's time from parsing the input to writing the answer): when the job took the input, not when
 * this reader saw the answer. Survives a broker restart (the consumer reconnects).
 */
final class OutputTail implements AutoCloseable {

    /** Request ids of the probe user start with this. */
    static final String PROBE_PREFIX = "probe-";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Properties properties;
    private final FaultLedger ledger;
    private final Map<String, JsonNode> probes = new ConcurrentHashMap<>();
    private final AtomicInteger unreadable = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean running = true;

    OutputTail(String bootstrap, FaultLedger ledger) {
        properties = EmbeddedKafka.readCommittedConsumerProperties(bootstrap, "duet-faults-reader-");
        properties.put("fetch.max.wait.ms", "100");
        properties.put("reconnect.backoff.max.ms", "500");
        this.ledger = ledger;
        this.thread = new Thread(this::run, "duet-faults-output-reader");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** The answer to probe request {@code requestId}, or null while none was read. */
    JsonNode probe(String requestId) {
        return probes.get(requestId);
    }

    int unreadable() {
        return unreadable.get();
    }

    Throwable failure() {
        return failure.get();
    }

    private void run() {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.RECOMMENDATIONS, Topics.DEAD_LETTERS)) {
                consumer.partitionsFor(topic, Duration.ofSeconds(60))
                        .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    accept(r);
                }
            }
        } catch (Throwable t) {
            if (running) {
                failure.set(t);
            }
        }
    }

    private void accept(ConsumerRecord<String, String> r) {
        if (r.topic().equals(Topics.DEAD_LETTERS)) {
            ledger.deadLetter();
            return;
        }
        JsonNode node;
        try {
            node = JSON.readTree(r.value());
        } catch (Exception e) {
            unreadable.incrementAndGet();
            return;
        }
        String kind = node.path("kind").asText();
        String id = node.path("id").asText();
        long ingestMs = r.timestamp() - node.path("latency_ms").asLong();
        ledger.output(kind.equals("request") ? Ledger.requestKey(id) : "interaction:" + id, node.path("route").asText(),
                node.hasNonNull("fallback_reason") ? node.get("fallback_reason").asText() : null, ingestMs);
        if (kind.equals("request") && id.startsWith(PROBE_PREFIX)) {
            probes.putIfAbsent(id, node);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
