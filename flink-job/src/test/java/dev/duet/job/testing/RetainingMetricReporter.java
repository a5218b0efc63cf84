package dev.duet.job.testing;

import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A metric reporter for tests that keeps every metric a job registered, by its full identifier
 * (e.g. {@code ...duet-test.routing.0.samplesScored}), even after the job and its local cluster
 * ended: Flink's own InMemoryReporter forgets everything when the MiniCluster of a bounded job
 * shuts down, before the test can look.
 */
public final class RetainingMetricReporter implements MetricReporter {

    private static final Map<String, Map<String, Metric>> BY_ID = new ConcurrentHashMap<>();

    private Map<String, Metric> metrics;

    /** A fresh recording and the Flink settings that send a cluster's metrics to it. */
    public static Recording start() {
        String id = UUID.randomUUID().toString();
        BY_ID.put(id, new ConcurrentHashMap<>());
        Configuration c = new Configuration();
        c.setString("metrics.reporter.retaining.factory.class", Factory.class.getName());
        c.setString("metrics.reporter.retaining.id", id);
        return new Recording(id, c.toMap());
    }

    /** The metrics of one recording. */
    public record Recording(String id, Map<String, String> flinkSettings) {
        public Map<String, Metric> metrics() {
            return Map.copyOf(BY_ID.get(id));
        }
    }

    @Override
    public void open(MetricConfig config) {
        metrics = BY_ID.get(config.getString("id", ""));
        if (metrics == null) {
            throw new IllegalStateException("no recording " + config.getString("id", "") + "; use RetainingMetricReporter.start()");
        }
    }

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        metrics.put(group.getMetricIdentifier(name), metric);
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        // Kept on purpose: the test reads the final values after the job ended.
    }

    /** Found by Flink through META-INF/services. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new RetainingMetricReporter();
        }
    }
}
