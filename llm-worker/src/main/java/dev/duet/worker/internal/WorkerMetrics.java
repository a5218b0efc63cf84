package dev.duet.worker.internal;

import io.grpc.Status;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

/**
 * What the worker exposes on /metrics, through the Prometheus Java client: its histograms take
 * consistent snapshots (a scrape never sees a bucket above {@code +Inf}, which the former
 * hand-written exposition could, reading buckets before the count), and the JVM's own metrics
 * (memory, GC, threads) come with it. Each worker has its own registry, so several workers in one
 * JVM (tests, the demo) never share or double-register a metric.
 */
public final class WorkerMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Info info = Info.builder()
            .name("duet_worker_info")
            .help("The model this worker serves.")
            .labelNames("model", "version")
            .register(registry);
    private final Counter requests = Counter.builder()
            .name("duet_worker_requests_total")
            .help("Score requests received, by RPC.")
            .labelNames("rpc")
            .register(registry);
    private final Counter replies = Counter.builder()
            .name("duet_worker_replies_total")
            .help("Score requests answered with scores.")
            .register(registry);
    private final Counter errors = Counter.builder()
            .name("duet_worker_errors_total")
            .help("Failed score requests, by gRPC status code.")
            .labelNames("code")
            .register(registry);
    private final Histogram batchSize = histogram("duet_worker_batch_size",
            "Requests per model call.", 1, 2, 4, 8, 16, 32, 64, 128, 256);
    private final Histogram latency = histogram("duet_worker_request_latency_seconds",
            "From arrival to reply, per scored request.", 0.001, 0.0025, 0.005, 0.01, 0.025,
            0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);
    private final Histogram queueWait = histogram("duet_worker_queue_wait_seconds",
            "From arrival to the start of the request's batch.", 0.0005, 0.001, 0.0025, 0.005,
            0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5);
    private final Histogram compute = histogram("duet_worker_batch_compute_seconds",
            "Model time per batch.", 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
            1, 2.5, 5);
    private volatile IntSupplier queueDepth = () -> 0;
    private volatile int queueCapacity;

    public WorkerMetrics() {
        GaugeWithCallback.builder()
                .name("duet_worker_queue_depth")
                .help("Requests waiting for a batch.")
                .callback(callback -> callback.call(queueDepth.getAsInt()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("duet_worker_queue_capacity")
                .help("Queue bound; beyond it RESOURCE_EXHAUSTED.")
                .callback(callback -> callback.call(queueCapacity))
                .register(registry);
        JvmMetrics.builder().register(registry);
    }

    private Histogram histogram(String name, String help, double... upperBounds) {
        return Histogram.builder()
                .name(name)
                .help(help)
                .classicOnly()
                .classicUpperBounds(upperBounds)
                .withoutExemplars()
                .register(registry);
    }

    /** The registry /metrics serves. */
    public PrometheusRegistry registry() {
        return registry;
    }

    public void modelInfo(String backend, String version) {
        info.setLabelValues(backend, version);
    }

    public void queue(IntSupplier depth, int capacity) {
        this.queueDepth = depth;
        this.queueCapacity = capacity;
    }

    public void request(String rpc, int count) {
        requests.labelValues(rpc).inc(count);
    }

    public void error(Status.Code code) {
        errors.labelValues(code.name()).inc();
    }

    public long errors(Status.Code code) {
        return (long) errors.labelValues(code.name()).get();
    }

    public void reply(double latencySeconds) {
        replies.inc();
        latency.observe(latencySeconds);
    }

    public void batch(int size, double computeSeconds) {
        batchSize.observe(size);
        compute.observe(computeSeconds);
    }

    public void queued(double seconds) {
        queueWait.observe(seconds);
    }

    /** The whole exposition in the Prometheus text format, as served on /metrics. */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
