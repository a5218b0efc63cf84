package dev.duet.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads {@code recommendations} and {@code dead-letters} from the beginning with read_committed
 * (what a downstream consumer of the exactly-once sink sees) on its own thread, and feeds the
 * {@link Ledger} and the {@link LiveStats}. A record it cannot read is counted, never fatal.
 */
final class OutputReader implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Properties consumerProperties;
    private final Ledger ledger;
    private final LiveStats stats;
    private final RankingHits hits;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;
    private volatile int unreadable;
    private final SubtaskWindows windows;

    /** @param bootstrap the broker, e.g. {@link EmbeddedKafka#bootstrap()} */
    OutputReader(String bootstrap, Ledger ledger, LiveStats stats, RankingHits hits, SubtaskWindows windows) {
        this.consumerProperties = EmbeddedKafka.readCommittedConsumerProperties(bootstrap, "duet-demo-reader-");
        this.ledger = ledger;
        this.stats = stats;
        this.hits = hits;
        this.windows = windows;
        this.thread = new Thread(this::run, "duet-demo-output-reader");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Why the reader stopped early, or null. */
    Throwable failure() {
        return failure.get();
    }

    int unreadable() {
        return unreadable;
    }

    private void run() {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProperties)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.RECOMMENDATIONS, Topics.DEAD_LETTERS)) {
                consumer.partitionsFor(topic, Duration.ofSeconds(30))
                        .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    accept(r.topic(), r.value());
                }
            }
        } catch (Throwable t) {
            if (running) {
                failure.set(t);
            }
        }
    }

    private void accept(String topic, String value) {
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (Exception e) {
            unreadable++;
            return;
        }
        if (topic.equals(Topics.DEAD_LETTERS)) {
            ledger.deadLetter(Ledger.deadLetterKey(node.path("topic").asText(), node.path("partition").asInt(),
                    node.path("offset").asLong()));
            return;
        }
        String kind = node.path("kind").asText();
        String id = node.path("id").asText();
        ledger.recommendation(kind.equals("request") ? Ledger.requestKey(id) : "interaction:" + id);
        rank(kind, node);
        JsonNode scores = node.path("scores");
        int label = kind.equals("interaction") && node.hasNonNull("label") ? node.get("label").asInt() : -1;
        float score = scores.isArray() && scores.size() > 0 ? (float) scores.get(0).asDouble() : Float.NaN;
        JsonNode crmScores = node.path("crm_scores");
        float crmScore = crmScores.isArray() && crmScores.size() > 0 ? (float) crmScores.get(0).asDouble() : score;
        if (Float.isNaN(score) || Float.isNaN(crmScore)) {
            label = -1;
        }
        if (label >= 0) {
            windows.add(node.path("route").asText("unknown"), node.path("user").asText(), label, score);
        }
        stats.add(node.path("route").asText("unknown"), node.path("latency_ms").asLong(), label, score, crmScore,
                node.hasNonNull("fallback_reason") ? node.get("fallback_reason").asText() : null,
                System.currentTimeMillis());
    }

    /** Feeds the hit@k figures: a request's lists, an interaction's item, both with the event time. */
    private void rank(String kind, JsonNode node) {
        String user = node.path("user").asText();
        long time = node.path("event_time").asLong();
        if (kind.equals("interaction")) {
            JsonNode items = node.path("items");
            if (items.isArray() && items.size() == 1) {
                hits.interaction(user, time, items.get(0).asText());
            }
        } else if (kind.equals("request")) {
            hits.request(user, time, strings(node.path("items")), node.path("retrieval").asText("request"),
                    node.has("retrieved_items") ? strings(node.get("retrieved_items")) : null,
                    node.has("popularity_items") ? strings(node.get("popularity_items")) : null);
        }
    }

    private static String[] strings(JsonNode array) {
        String[] out = new String[array.isArray() ? array.size() : 0];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asText();
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
