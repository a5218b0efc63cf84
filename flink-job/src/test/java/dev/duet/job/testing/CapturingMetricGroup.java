package dev.duet.job.testing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * A metric group for unit tests that keeps what is registered in it and in its subgroups, by the
 * dotted name below it ({@code prequential.crm.auc}), so a test can read a gauge's value.
 */
public final class CapturingMetricGroup extends UnregisteredMetricsGroup {

    private final String prefix;
    private final Map<String, Metric> metrics;

    public CapturingMetricGroup() {
        this("", new ConcurrentHashMap<>());
    }

    private CapturingMetricGroup(String prefix, Map<String, Metric> metrics) {
        this.prefix = prefix;
        this.metrics = metrics;
    }

    /** Every metric registered so far, by its dotted name. */
    public Map<String, Metric> metrics() {
        return Map.copyOf(metrics);
    }

    /** A gauge's current value; fails naming the gauge when there is none. */
    public Object gaugeValue(String name) {
        Metric m = metrics.get(name);
        if (!(m instanceof Gauge<?> g)) {
            throw new AssertionError("no gauge " + name + " among " + metrics.keySet());
        }
        return g.getValue();
    }

    @Override
    public MetricGroup addGroup(String name) {
        return new CapturingMetricGroup(prefix + name + ".", metrics);
    }

    @Override
    public MetricGroup addGroup(String key, String value) {
        return new CapturingMetricGroup(prefix + key + "." + value + ".", metrics);
    }

    @Override
    public Counter counter(String name) {
        return counter(name, new SimpleCounter());
    }

    @Override
    public <C extends Counter> C counter(String name, C counter) {
        metrics.put(prefix + name, counter);
        return counter;
    }

    @Override
    public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
        metrics.put(prefix + name, gauge);
        return gauge;
    }

    @Override
    public <H extends Histogram> H histogram(String name, H histogram) {
        metrics.put(prefix + name, histogram);
        return histogram;
    }
}
