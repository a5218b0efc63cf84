package dev.duet.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.job.testing.FakeLlmWorker;
import dev.duet.job.testing.FakeScorer;
import dev.duet.job.testing.JobHarness;
import dev.duet.job.testing.KafkaTestBroker;
import dev.duet.job.testing.SelfSignedCertificate;
import dev.duet.job.testing.TestStreams;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on secured transports, as in production: a Kafka broker that only admits clients that
 * log in with SASL/PLAIN (the login comes from {@code kafka.client-properties}, so this proves the
 * file reaches the source and both exactly-once sinks), and an LLM worker that serves only TLS
 * (trusted through {@code llm.tls.ca-cert}).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SecureTransportITCase {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The least the job's Kafka user needs (docs/deploy.md lists the same): read the input topics
     * and its consumer group, write the output topics, and own its transactional ids.
     */
    private static List<AclBinding> jobAcls(String user, Configuration c) {
        String principal = "User:" + user;
        List<AclBinding> acls = new ArrayList<>();
        for (String topic : List.of(c.get(JobOptions.TOPIC_INTERACTIONS), c.get(JobOptions.TOPIC_REQUESTS),
                c.get(JobOptions.TOPIC_ITEMS), c.get(JobOptions.TOPIC_CONTROL))) {
            acls.add(allow(principal, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ));
            acls.add(allow(principal, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.DESCRIBE));
        }
        for (String topic : List.of(c.get(JobOptions.TOPIC_RECOMMENDATIONS), c.get(JobOptions.TOPIC_DEAD_LETTERS))) {
            acls.add(allow(principal, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE));
            acls.add(allow(principal, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.DESCRIBE));
            // Pooled transactional ids: on recovery the sink lists the producers of its topics
            // (DescribeProducers) to find open transactions to abort, which needs READ.
            acls.add(allow(principal, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ));
        }
        acls.add(allow(principal, ResourceType.GROUP, c.get(JobOptions.GROUP_ID), PatternType.LITERAL, AclOperation.READ));
        String prefix = c.get(JobOptions.TRANSACTIONAL_ID_PREFIX);
        acls.add(allow(principal, ResourceType.TRANSACTIONAL_ID, prefix, PatternType.PREFIXED, AclOperation.WRITE));
        acls.add(allow(principal, ResourceType.TRANSACTIONAL_ID, prefix, PatternType.PREFIXED, AclOperation.DESCRIBE));
        return acls;
    }

    private static AclBinding allow(String principal, ResourceType type, String name, PatternType pattern, AclOperation op) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW));
    }

    @Test
    void runsExactlyOnceOverSaslKafkaAndTlsWorkers(@TempDir Path dir) throws Exception {
        int n = 200;
        int m = 20;
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir, "worker");
        // As on Kubernetes: the properties file holds no secret; the login comes from a mounted
        // Secret folder (one file per key, as Strimzi's KafkaUser Secret has sasl.jaas.config),
        // read by Kafka's DirectoryConfigProvider.
        Path userSecret = Files.createDirectories(dir.resolve("kafka-user"));
        Files.writeString(userSecret.resolve("sasl.jaas.config"),
                KafkaTestBroker.saslLogin(KafkaTestBroker.SASL_USER, KafkaTestBroker.SASL_PASSWORD));
        Path clientProperties = dir.resolve("client.properties");
        Files.writeString(clientProperties, String.join("\n",
                "security.protocol=SASL_PLAINTEXT",
                "sasl.mechanism=PLAIN",
                "config.providers=dir",
                "config.providers.dir.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider",
                "sasl.jaas.config=${dir:" + userSecret + ":sasl.jaas.config}",
                ""));
        try (KafkaTestBroker kafka = KafkaTestBroker.startWithSasl(); FakeLlmWorker worker = new FakeLlmWorker("tls-worker", cert)) {
            Configuration c = JobHarness.options("secure", kafka.bootstrap(), worker.target(), dir.resolve("checkpoints"));
            c.set(JobOptions.CLIENT_PROPERTIES, clientProperties.toString());
            c.set(JobOptions.LLM_TLS, true);
            c.set(JobOptions.LLM_TLS_CA_CERT, cert.certificate().toString());
            c.set(JobOptions.BUDGET_SHARE, 0.3);
            kafka.createTopics(2, JobHarness.topics(c));
            kafka.grant(jobAcls(KafkaTestBroker.SASL_USER, c));
            kafka.produce(c.get(JobOptions.TOPIC_ITEMS), TestStreams.items(40), null);
            List<String> interactions = new ArrayList<>(TestStreams.interactions(n, 20, 40, 3));
            interactions.add(17, "{not json");
            kafka.produce(c.get(JobOptions.TOPIC_INTERACTIONS), interactions, null);
            kafka.produce(c.get(JobOptions.TOPIC_REQUESTS), TestStreams.requests(m, 20, 40, 4), null);

            JobHarness.run(c, FakeScorer.factory(0), Map.of(), Duration.ofMinutes(3));

            List<String> out = kafka.readCommitted(c.get(JobOptions.TOPIC_RECOMMENDATIONS), n + m, Duration.ofSeconds(2),
                    Duration.ofSeconds(60));
            assertThat(out).hasSize(n + m);
            Set<String> ids = new HashSet<>();
            int llm = 0;
            for (String s : out) {
                JsonNode r = JSON.readTree(s);
                assertThat(ids.add(r.get("kind").asText() + ":" + r.get("id").asText())).as("duplicate %s", s).isTrue();
                assertThat(r.get("route").asText()).as("no fallback: TLS calls succeed").isIn("crm", "llm");
                if (r.get("route").asText().equals("llm")) {
                    llm++;
                    assertThat(r.get("llm_model_version").asText()).isEqualTo("tls-worker");
                }
            }
            assertThat(llm).as("hard samples answered over TLS").isPositive();
            assertThat(worker.requests()).isEqualTo(llm);
            assertThat(kafka.readCommitted(c.get(JobOptions.TOPIC_DEAD_LETTERS), 1, Duration.ofSeconds(1), Duration.ofSeconds(30)))
                    .hasSize(1);
        }
    }
}
