package dev.duet.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node KRaft Kafka (broker and controller in one {@link KafkaRaftServer}) inside this JVM,
 * listening on 127.0.0.1 only. Kafka's test kit ({@code KafkaClusterTestKit}) was the first
 * choice, but it pre-binds its sockets on the wildcard address, so the broker would accept
 * connections on every interface. Internal topics have replication factor 1, so that transactions
 * (the job's exactly-once sink) work on one node. The log folder is deleted on {@link #close()},
 * except for a {@link #startPersistent persistent} broker.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final String LOOPBACK = "127.0.0.1";

    private final KafkaRaftServer server;
    private final Path logDir;
    private final int port;
    private final boolean keepData;

    private EmbeddedKafka(KafkaRaftServer server, Path logDir, int port, boolean keepData) {
        this.server = server;
        this.logDir = logDir;
        this.port = port;
        this.keepData = keepData;
    }

    /** Formats a fresh log folder, starts the server and waits until it answers. */
    public static EmbeddedKafka start() throws Exception {
        return start(Files.createTempDirectory("duet-demo-kafka"), freePort(), freePort(), false);
    }

    /**
     * A broker that can be stopped and started again with its data (the fault suite's): fixed
     * ports, and a log folder formatted only when it holds no data yet and kept on {@link #close()}.
     */
    public static EmbeddedKafka startPersistent(Path logDir, int brokerPort, int controllerPort) throws Exception {
        Files.createDirectories(logDir);
        return start(logDir, brokerPort, controllerPort, true);
    }

    private static EmbeddedKafka start(Path logDir, int brokerPort, int controllerPort, boolean keepData) throws Exception {
        Map<String, Object> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + LOOPBACK + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + LOOPBACK + ":" + brokerPort + ",CONTROLLER://" + LOOPBACK + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + LOOPBACK + ":" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "2");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "2");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Topics are created on purpose, with the job's names; a typo must not create one.
        p.put("auto.create.topics.enable", "false");
        KafkaRaftServer server = null;
        try {
            KafkaConfig config = new KafkaConfig(p);
            if (!keepData || !Files.exists(logDir.resolve("meta.properties"))) {
                format(logDir);
            }
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            EmbeddedKafka kafka = new EmbeddedKafka(server, logDir, brokerPort, keepData);
            kafka.awaitReady();
            return kafka;
        } catch (Exception e) {
            if (server != null) {
                server.shutdown();
                server.awaitShutdown();
            }
            if (!keepData) {
                deleteTree(logDir);
            }
            throw new IllegalStateException("the embedded Kafka broker did not start: " + e.getMessage(), e);
        }
    }

    private static void format(Path logDir) throws Exception {
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setClusterId(Uuid.randomUuid().toString())
                .setNodeId(1)
                .setDirectories(List.of(logDir.toString()))
                .setMetadataLogDirectory(logDir.toString())
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setControllerListenerName("CONTROLLER")
                .run();
    }

    private void awaitReady() throws Exception {
        try (Admin admin = Admin.create(clientProperties())) {
            admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
        }
    }

    /** A port free on the loopback address now (the broker binds it a moment later). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return s.getLocalPort();
        }
    }

    /** host:port of the broker (127.0.0.1). */
    public String bootstrap() {
        return LOOPBACK + ":" + port;
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

    /**
     * Settings of a byte-array producer that loses and repeats nothing on topics created just
     * before: acks from all replicas, idempotence, and one request in flight. With more in flight,
     * a batch refused while a fresh partition is still being set up (UNKNOWN_TOPIC_OR_PARTITION)
     * was retried behind a later batch the broker had accepted, and then failed for good with
     * OutOfOrderSequenceException (seen in bench pipeline).
     */
    public Properties producerProperties() {
        return producerProperties(bootstrap());
    }

    /** {@link #producerProperties()} for a broker at {@code bootstrap} (e.g. one in another process). */
    public static Properties producerProperties(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("max.in.flight.requests.per.connection", "1");
        p.put("linger.ms", "5");
        return p;
    }

    /**
     * Settings of a String consumer that reads only committed records (what the job's
     * exactly-once sinks have committed) from the beginning, in a fresh group named
     * {@code groupPrefix} plus a random suffix, committing nothing itself. Readers add their own
     * fetch settings.
     */
    public static Properties readCommittedConsumerProperties(String bootstrap, String groupPrefix) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        p.put("isolation.level", "read_committed");
        p.put("group.id", groupPrefix + UUID.randomUUID());
        p.put("enable.auto.commit", "false");
        p.put("auto.offset.reset", "earliest");
        return p;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        if (!keepData) {
            deleteTree(logDir);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // A temp folder left behind is harmless.
        }
    }
}
