package dev.duet.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.job.JobOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaIoTest {

    @TempDir
    Path tmp;

    private Configuration withProperties(String text) throws Exception {
        Path file = tmp.resolve("client.properties");
        Files.writeString(file, text);
        Configuration c = new Configuration();
        c.set(JobOptions.CLIENT_PROPERTIES, file.toString());
        return c;
    }

    @Test
    void noFileMeansNoExtraSettings() {
        assertThat(KafkaIo.clientProperties(new Configuration())).isEmpty();
    }

    @Test
    void readsSecuritySettingsFromTheFile() throws Exception {
        Properties p = KafkaIo.clientProperties(withProperties("""
                # SASL over TLS, as a Strimzi KafkaUser would need
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="duet" password="s3cret";
                ssl.truststore.location=/etc/duet/kafka-ca/ca.p12
                """));
        assertThat(p).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", "/etc/duet/kafka-ca/ca.p12");
        assertThat(p.getProperty("sasl.jaas.config")).contains("username=\"duet\"");
    }

    @Test
    void refusesSettingsTheJobOwns() throws Exception {
        assertThatThrownBy(() -> KafkaIo.clientProperties(withProperties("isolation.level=read_uncommitted\n")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kafka.client-properties")
                .hasMessageContaining("client.properties")
                .hasMessageContaining("isolation.level");
    }

    @Test
    void aMissingFileIsNamed() {
        Configuration c = new Configuration();
        c.set(JobOptions.CLIENT_PROPERTIES, tmp.resolve("nope.properties").toString());
        assertThatThrownBy(() -> KafkaIo.clientProperties(c)).hasMessageContaining("nope.properties");
    }

    @Test
    void recommendationsAreKeyedByUserDeadLettersAreNot() {
        String rec = "{\"kind\":\"request\",\"id\":\"r-1\",\"user\":\"u17\",\"items\":[\"i1\"],\"scores\":[0.5]}";
        var recommendations = new KafkaIo.JsonRecordSerializer("recommendations", true).serialize(rec, null, null);
        assertThat(new String(recommendations.key(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("u17");
        assertThat(new String(recommendations.value(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(rec);
        assertThat(recommendations.topic()).isEqualTo("recommendations");
        assertThat(new KafkaIo.JsonRecordSerializer("dead-letters", false).serialize(rec, null, null).key()).isNull();
        // Only the top-level field counts; a record without one has no key.
        assertThat(KafkaIo.JsonRecordSerializer.user("{\"nested\":{\"user\":\"x\"},\"user\":\"y\"}")).isEqualTo("y");
        assertThat(KafkaIo.JsonRecordSerializer.user("{\"id\":\"r\"}")).isNull();
        assertThat(KafkaIo.JsonRecordSerializer.user("not json")).isNull();
        assertThat(KafkaIo.exactlyOnceSink(new Configuration(), "recommendations", "x")).isNotNull();
    }
}
