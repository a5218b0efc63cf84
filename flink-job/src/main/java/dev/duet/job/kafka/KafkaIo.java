package dev.duet.job.kafka;

import dev.duet.job.JobOptions;
import dev.duet.job.model.RawRecord;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The job's Kafka source and exactly-once sinks, built from {@link JobOptions}. */
public final class KafkaIo {

    private KafkaIo() {}

    /**
     * Client settings the job sets itself; a properties file that sets one is refused rather than
     * silently overridden (or, worse, obeyed: a read_uncommitted source would break exactly-once).
     */
    static final Set<String> OWNED_BY_THE_JOB = Set.of(
            "bootstrap.servers", "group.id", "isolation.level", "enable.idempotence", "transactional.id",
            "transaction.timeout.ms", "key.serializer", "value.serializer", "key.deserializer", "value.deserializer",
            "enable.auto.commit", "auto.offset.reset");

    /**
     * The extra client settings of {@link JobOptions#CLIENT_PROPERTIES} (security and tuning), read
     * from the file; empty when none is configured. Fails naming the file and the key.
     */
    public static Properties clientProperties(ReadableConfig config) {
        Properties props = new Properties();
        String file = config.get(JobOptions.CLIENT_PROPERTIES);
        if (file.isEmpty()) {
            return props;
        }
        try (Reader in = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            props.load(in);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    JobOptions.CLIENT_PROPERTIES.key() + ": cannot read the Kafka client properties file " + file + ": " + e, e);
        }
        for (String key : props.stringPropertyNames()) {
            if (OWNED_BY_THE_JOB.contains(key)) {
                throw new IllegalArgumentException(JobOptions.CLIENT_PROPERTIES.key() + ": " + file + " sets '" + key
                        + "', which the job sets itself (see docs/job.md); remove it from the file");
            }
        }
        return props;
    }

    /** One source over all input topics; records keep topic, partition and offset. */
    public static KafkaSource<RawRecord> source(ReadableConfig config) {
        var builder = KafkaSource.<RawRecord>builder()
                .setProperties(clientProperties(config))
                .setBootstrapServers(config.get(JobOptions.BOOTSTRAP))
                .setTopics(List.of(
                        config.get(JobOptions.TOPIC_INTERACTIONS),
                        config.get(JobOptions.TOPIC_REQUESTS),
                        config.get(JobOptions.TOPIC_ITEMS),
                        config.get(JobOptions.TOPIC_CONTROL)))
                .setGroupId(config.get(JobOptions.GROUP_ID))
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new RawRecordDeserializer())
                .setProperty("isolation.level", "read_committed");
        if (config.get(JobOptions.BOUNDED)) {
            builder.setBounded(OffsetsInitializer.latest());
        } else {
            builder.setProperty("partition.discovery.interval.ms", "10000");
        }
        return builder.build();
    }

    /**
     * An exactly-once (transactional) sink of JSON strings to {@code topic}. Transactional ids come
     * from a pool ({@link TransactionNamingStrategy#POOLING}): a subtask reuses the ids of
     * committed transactions, so it holds a handful however long the job runs. The connector's
     * default names a new id per checkpoint and subtask (about 800 per subtask and sink after 13
     * minutes at 1 s checkpoints), each of which the broker keeps in its transaction state until
     * transactional.id.expiration.ms (7 days) passes. Pooling needs the broker's ListTransactions
     * API (Kafka 3.0 and later) to find open transactions to abort on recovery.
     */
    public static KafkaSink<String> exactlyOnceSink(ReadableConfig config, String topic, String idSuffix) {
        Properties producer = clientProperties(config);
        producer.setProperty("transaction.timeout.ms", Long.toString(config.get(JobOptions.TRANSACTION_TIMEOUT).toMillis()));
        producer.setProperty("enable.idempotence", "true");
        return KafkaSink.<String>builder()
                .setBootstrapServers(config.get(JobOptions.BOOTSTRAP))
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(new JsonRecordSerializer(topic, topic.equals(config.get(JobOptions.TOPIC_RECOMMENDATIONS))))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(config.get(JobOptions.TRANSACTIONAL_ID_PREFIX) + "-" + idSuffix)
                .setTransactionNamingStrategy(TransactionNamingStrategy.POOLING)
                .build();
    }

    /**
     * Writes each string as a UTF-8 record value to one topic; names the topic for the pooled
     * transaction naming, which needs to know what the sink writes to. Recommendations are keyed
     * by their {@code user}, so that consumers can partition and compact by user and a user's
     * answers stay in order within a partition; dead letters have no key.
     */
    static final class JsonRecordSerializer implements KafkaRecordSerializationSchema<String>, KafkaDatasetFacetProvider {
        private static final long serialVersionUID = 1L;
        private static final JsonFactory JSON = new JsonFactory();
        private final String topic;
        private final boolean keyByUser;

        JsonRecordSerializer(String topic, boolean keyByUser) {
            this.topic = topic;
            this.keyByUser = keyByUser;
        }

        /**
         * The top-level {@code "user"} string of a JSON object, or null. Reads only up to it (the
         * third field of a recommendation), not the whole record.
         */
        static String user(String json) {
            try (JsonParser p = JSON.createParser(json)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    return null;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if (name.equals("user")) {
                        return value == JsonToken.VALUE_STRING ? p.getText() : null;
                    }
                    p.skipChildren();
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        }

        @Override
        public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
            return Optional.of(new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(String element, KafkaSinkContext context, Long timestamp) {
            // No record timestamp: the producer stamps the write time. The element's event time may
            // be old (a replay), and an old record timestamp makes the broker's time-based
            // retention delete the output at once. Event time is in the JSON.
            String user = keyByUser ? user(element) : null;
            return new ProducerRecord<>(topic, null, null, user == null ? null : user.getBytes(StandardCharsets.UTF_8),
                    element.getBytes(StandardCharsets.UTF_8));
        }
    }
}
