package dev.duet.collab.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A single-node KRaft Kafka broker inside this JVM, listening on 127.0.0.1 on a free port. It is
 * the broker Kafka's own tests use ({@link KafkaClusterTestKit}), configured for one node:
 * replication factor 1 for the internal topics, so that transactions (the job's exactly-once sink)
 * work. Its log folders are deleted on {@link #close()}.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** Formats and starts the broker and waits until it serves. */
    public static EmbeddedKafka start() throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(
                        new TestKitNodes.Builder()
                                .setCombined(true)
                                .setNumBrokerNodes(1)
                                .setNumControllerNodes(1)
                                .build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "2")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "2")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                // Topics are created on purpose, with the job's names; a typo must not create one.
                .setConfigProp("auto.create.topics.enable", "false")
                .build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            throw new IllegalStateException("the embedded Kafka broker did not start: " + e.getMessage(), e);
        }
        return new EmbeddedKafka(cluster);
    }

    /** host:port of the broker (127.0.0.1). */
    public String bootstrap() {
        return cluster.bootstrapServers().replace("localhost", "127.0.0.1");
    }

    /**
     * Creates topics with {@code partitions} partitions each. Retention by time is off: a replay
     * stamps old event times, and no record of a demo should expire while it runs.
     */
    public void createTopics(int partitions, List<String> topics) throws Exception {
        try (Admin admin = Admin.create(clientProperties())) {
            List<NewTopic> list = new ArrayList<>();
            for (String t : topics) {
                list.add(new NewTopic(t, partitions, (short) 1).configs(Map.of("retention.ms", "-1")));
            }
            admin.createTopics(list).all().get(60, TimeUnit.SECONDS);
        }
    }

    /** Client properties that reach this broker. */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap());
        return p;
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
