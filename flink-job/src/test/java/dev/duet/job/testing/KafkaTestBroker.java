package dev.duet.job.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/** An in-process single-node KRaft Kafka for integration tests, with small helpers. */
public final class KafkaTestBroker implements AutoCloseable {

    private final KafkaClusterTestKit cluster;
    private final SecurityProtocol protocol;

    private KafkaTestBroker(KafkaClusterTestKit cluster, SecurityProtocol protocol) {
        this.cluster = cluster;
        this.protocol = protocol;
    }

    public static KafkaTestBroker start() throws Exception {
        return start(SecurityProtocol.PLAINTEXT);
    }

    /**
     * A broker whose clients must log in with SASL/PLAIN over {@code SASL_PLAINTEXT}; the users
     * are the test kit's ({@link #SASL_USER} and an admin that these helpers use).
     */
    public static KafkaTestBroker startWithSasl() throws Exception {
        return start(SecurityProtocol.SASL_PLAINTEXT);
    }

    public static final String SASL_USER = JaasUtils.KAFKA_PLAIN_USER1;
    public static final String SASL_PASSWORD = JaasUtils.KAFKA_PLAIN_USER1_PASSWORD;

    private static KafkaTestBroker start(SecurityProtocol protocol) throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(
                        new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1)
                                .setBrokerSecurityProtocol(protocol).setControllerSecurityProtocol(protocol).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "2")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "2")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new KafkaTestBroker(cluster, protocol);
    }

    public String bootstrap() {
        return cluster.bootstrapServers();
    }

    public void createTopics(int partitions, String... topics) throws Exception {
        try (Admin admin = Admin.create(props())) {
            List<NewTopic> list = new ArrayList<>();
            for (String t : topics) {
                list.add(new NewTopic(t, partitions, (short) 1));
            }
            admin.createTopics(list).all().get(60, TimeUnit.SECONDS);
        }
    }

    /** Grants ACLs (under SASL, where the broker authorizes every request). */
    public void grant(List<AclBinding> acls) throws Exception {
        try (Admin admin = Admin.create(props())) {
            admin.createAcls(acls).all().get(60, TimeUnit.SECONDS);
        }
    }

    /** The transactional ids the broker knows (open, committed or aborted) that start with {@code prefix}. */
    public java.util.Set<String> transactionalIds(String prefix) throws Exception {
        try (Admin admin = Admin.create(props())) {
            java.util.Set<String> ids = new java.util.TreeSet<>();
            admin.listTransactions().all().get(60, TimeUnit.SECONDS).forEach(t -> {
                if (t.transactionalId().startsWith(prefix)) {
                    ids.add(t.transactionalId());
                }
            });
            return ids;
        }
    }

    /** Sends values to a topic (keyed by {@code keyOf}, null keys allowed), waiting for all acks. */
    public void produce(String topic, List<String> values, java.util.function.Function<String, String> keyOf) throws Exception {
        producePaced(topic, values, keyOf, 0);
    }

    /** Sends values one at a time with {@code pauseMs} between them: a slow, steady input rate. */
    public void producePaced(String topic, List<String> values, java.util.function.Function<String, String> keyOf, long pauseMs)
            throws Exception {
        Properties p = props();
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("linger.ms", "5");
        // One request in flight: with five, a batch refused while a just-created partition was
        // being set up came back after later ones and the idempotent producer stalled (a CI run
        // hung in flush); the demo and the benchmark's writers settled on the same
        // (EmbeddedKafka.producerProperties).
        p.put("enable.idempotence", "true");
        p.put("acks", "all");
        p.put("max.in.flight.requests.per.connection", "1");
        p.put("delivery.timeout.ms", "60000");
        List<Future<?>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (String v : values) {
                String key = keyOf == null ? null : keyOf.apply(v);
                sent.add(producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                        v.getBytes(StandardCharsets.UTF_8))));
                if (pauseMs > 0) {
                    producer.flush();
                    Thread.sleep(pauseMs);
                }
            }
            producer.flush();
        }
        // A record the broker never took fails the test here, naming the topic, not later as a
        // missing output.
        for (int i = 0; i < sent.size(); i++) {
            try {
                sent.get(i).get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("record " + i + " of " + sent.size() + " to " + topic + " was not written: "
                        + e.getCause().getMessage(), e.getCause());
            }
        }
    }

    /**
     * Reads a topic from the beginning with read_committed until {@code expected} records arrived
     * and then {@code quiet} passed without more (to catch duplicates), or until {@code timeout}.
     */
    public List<String> readCommitted(String topic, int expected, Duration quiet, Duration timeout) {
        return read(topic, expected, quiet, timeout, "read_committed");
    }

    /** Like {@link #readCommitted} with another isolation level (read_uncommitted shows aborted data too). */
    public List<String> read(String topic, int expected, Duration quiet, Duration timeout, String isolation) {
        Properties p = props();
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.put("isolation.level", isolation);
        p.put("group.id", "reader-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(new String(r.value(), StandardCharsets.UTF_8));
                }
                if (out.size() >= expected) {
                    if (quietUntil == Long.MAX_VALUE) {
                        quietUntil = System.nanoTime() + quiet.toNanos();
                    } else if (System.nanoTime() > quietUntil) {
                        break;
                    }
                }
            }
        }
        return out;
    }

    /** Properties of this broker's helper clients (bootstrap, and the admin's login under SASL). */
    private Properties props() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap());
        if (protocol == SecurityProtocol.SASL_PLAINTEXT) {
            p.put("security.protocol", protocol.name);
            p.put("sasl.mechanism", "PLAIN");
            p.put("sasl.jaas.config", saslLogin(JaasUtils.KAFKA_PLAIN_ADMIN, JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD));
        }
        return p;
    }

    /** A client's sasl.jaas.config value for a SASL/PLAIN login. */
    public static String saslLogin(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
