package dev.duet.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.nio.file.Path;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.properties.PropertiesConfigurationFactory;
import org.junit.jupiter.api.Test;

/**
 * The logging configuration {@code ./duet job} runs with (src/main/resources/log4j2.properties,
 * the only one on its runtime classpath now that test jars are off it): what an operator needs is
 * printed. The test classpath has its own log4j2-test.properties, so the file is read explicitly.
 */
class LoggingConfigurationTest {

    private static Configuration mainConfiguration() throws Exception {
        URL url = Path.of("src/main/resources/log4j2.properties").toUri().toURL();
        ConfigurationSource source = ConfigurationSource.fromUri(url.toURI());
        Configuration config = new PropertiesConfigurationFactory().getConfiguration(new LoggerContext("main-config-test"), source);
        config.initialize();
        return config;
    }

    private static Level level(Configuration config, String logger) {
        return config.getLoggerConfig(logger).getLevel();
    }

    @Test
    void theJobsOwnLinesAndFlinksCheckpointFailuresArePrinted() throws Exception {
        Configuration config = mainConfiguration();
        assertThat(config.getRootLogger().getLevel().isLessSpecificThan(Level.OFF)).isTrue();
        assertThat(config.getRootLogger().getAppenderRefs()).isNotEmpty();
        // Model swaps, breaker changes, restores and dead-letter rates are INFO/WARN/ERROR lines of dev.duet.
        for (String logger : new String[] {
            "dev.duet.job.operators.CrmBatchScorer", "dev.duet.job.llm.LlmPool", "dev.duet.job.cli.Main",
            "dev.duet.job.operators.ParseEvents"
        }) {
            assertThat(level(config, logger).isLessSpecificThan(Level.INFO)).as(logger).isTrue();
        }
        // Flink logs checkpoints that never started (e.g. tasks still deploying) at INFO, with the reason.
        assertThat(level(config, "org.apache.flink.runtime.checkpoint.CheckpointFailureManager").isLessSpecificThan(Level.INFO)).isTrue();
        // The rest of Flink and Kafka only when something is wrong.
        assertThat(level(config, "org.apache.flink.runtime.taskmanager.Task")).isEqualTo(Level.WARN);
    }
}
