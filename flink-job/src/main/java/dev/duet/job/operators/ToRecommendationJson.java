package dev.duet.job.operators;

import dev.duet.core.routing.Route;
import dev.duet.job.model.Recommendations;
import dev.duet.job.model.ScoringTask;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * Writes an answered task as the JSON record of the recommendations topic and measures the job's
 * own latency: from parsing the input record to writing its answer ({@code endToEndLatencyMs},
 * all routes, and {@code route.<route>.endToEndLatencyMs}), the {@code latency_ms} of the record.
 * The sink's transaction adds up to a checkpoint interval before read_committed consumers see it.
 */
public class ToRecommendationJson extends RichMapFunction<ScoringTask, String> {

    private static final long serialVersionUID = 1L;
    /** Samples each histogram keeps (Flink's DescriptiveStatisticsHistogram: the last ones). */
    static final int HISTOGRAM_WINDOW = 5000;

    private transient Histogram latency;
    private transient Map<Route, Histogram> latencyByRoute;

    @Override
    public void open(OpenContext openContext) {
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        latency = metrics.histogram("endToEndLatencyMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        latencyByRoute = new EnumMap<>(Route.class);
        for (Route r : Route.values()) {
            latencyByRoute.put(r, metrics.addGroup("route", r.wireName())
                    .histogram("endToEndLatencyMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW)));
        }
    }

    @Override
    public String map(ScoringTask task) {
        long now = System.currentTimeMillis();
        long ms = Math.max(0, now - task.ingestMs);
        latency.update(ms);
        if (task.route != null) {
            latencyByRoute.get(Route.valueOf(task.route.toUpperCase(Locale.ROOT))).update(ms);
        }
        return Recommendations.toJson(task, now);
    }
}
