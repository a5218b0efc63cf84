package dev.duet.job.testing;

import java.util.Map;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;

/**
 * The metrics an operator registers in a test harness: give the harness {@link #environment()},
 * then read them by name ({@link #get}) as the dashboard would.
 */
public final class OperatorMetrics implements AutoCloseable {

    private final InterceptingOperatorMetricGroup operatorGroup = new InterceptingOperatorMetricGroup();
    private final MockEnvironment environment;

    public OperatorMetrics() {
        environment = new MockEnvironmentBuilder().setMetricGroup(new InterceptingTaskMetricGroup() {
            @Override
            public InternalOperatorMetricGroup getOrAddOperator(OperatorID id, String name, Map<String, String> info) {
                return operatorGroup;
            }
        }).build();
    }

    /** The environment to build the harness with. */
    public MockEnvironment environment() {
        return environment;
    }

    /** The metric registered under {@code name}; fails naming it when there is none. */
    public Metric get(String name) {
        Metric m = operatorGroup.get(name);
        if (m == null) {
            throw new AssertionError("no metric " + name);
        }
        return m;
    }

    /** A counter's count or a numeric gauge's value. */
    public long value(String name) {
        Metric m = get(name);
        if (m instanceof org.apache.flink.metrics.Counter c) {
            return c.getCount();
        }
        if (m instanceof org.apache.flink.metrics.Gauge<?> g && g.getValue() instanceof Number n) {
            return n.longValue();
        }
        throw new AssertionError(name + " is not numeric: " + m);
    }

    @Override
    public void close() throws Exception {
        environment.close();
    }
}
