package dev.duet.worker.internal;

import io.grpc.Status;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/** What the worker exposes on /metrics. Names follow Prometheus conventions. */
public final class WorkerMetrics {

    private final Map<String, LongAdder> requests = new ConcurrentSkipListMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentSkipListMap<>();
    private final LongAdder replies = new LongAdder();
    private final Histogram batchSize = new Histogram("duet_worker_batch_size",
            "Requests per model call.", 1, 2, 4, 8, 16, 32, 64, 128, 256);
    private final Histogram latency = new Histogram("duet_worker_request_latency_seconds",
            "From arrival to reply, per scored request.", 0.001, 0.0025, 0.005, 0.01, 0.025,
            0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);
    private final Histogram queueWait = new Histogram("duet_worker_queue_wait_seconds",
            "From arrival to the start of the request's batch.", 0.0005, 0.001, 0.0025, 0.005,
            0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5);
    private final Histogram compute = new Histogram("duet_worker_batch_compute_seconds",
            "Model time per batch.", 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
            1, 2.5, 5);
    private final Map<String, String> info = new ConcurrentHashMap<>();
    private volatile IntSupplier queueDepth = () -> 0;
    private volatile int queueCapacity;

    public void modelInfo(String backend, String version) {
        info.put("model", backend);
        info.put("version", version);
    }

    public void queue(IntSupplier depth, int capacity) {
        this.queueDepth = depth;
        this.queueCapacity = capacity;
    }

    public void request(String rpc, int count) {
        requests.computeIfAbsent(rpc, k -> new LongAdder()).add(count);
    }

    public void error(Status.Code code) {
        errors.computeIfAbsent(code.name(), k -> new LongAdder()).increment();
    }

    public long errors(Status.Code code) {
        LongAdder a = errors.get(code.name());
        return a == null ? 0 : a.sum();
    }

    public void reply(double latencySeconds) {
        replies.increment();
        latency.observe(latencySeconds);
    }

    public void batch(int size, double computeSeconds) {
        batchSize.observe(size);
        compute.observe(computeSeconds);
    }

    public void queued(double seconds) {
        queueWait.observe(seconds);
    }

    /** The whole exposition, as served on /metrics. */
    public String scrape() {
        StringBuilder out = new StringBuilder(4096);
        out.append("# HELP duet_worker_info The model this worker serves.\n");
        out.append("# TYPE duet_worker_info gauge\n");
        out.append("duet_worker_info{model=\"")
                .append(PrometheusText.label(info.getOrDefault("model", "")))
                .append("\",version=\"")
                .append(PrometheusText.label(info.getOrDefault("version", "")))
                .append("\"} 1\n");
        out.append("# HELP duet_worker_requests_total Score requests received, by RPC.\n");
        out.append("# TYPE duet_worker_requests_total counter\n");
        requests.forEach((rpc, n) -> out.append("duet_worker_requests_total{rpc=\"")
                .append(rpc).append("\"} ").append(n.sum()).append('\n'));
        out.append("# HELP duet_worker_replies_total Score requests answered with scores.\n");
        out.append("# TYPE duet_worker_replies_total counter\n");
        out.append("duet_worker_replies_total ").append(replies.sum()).append('\n');
        out.append("# HELP duet_worker_errors_total Failed score requests, by gRPC status code.\n");
        out.append("# TYPE duet_worker_errors_total counter\n");
        errors.forEach((code, n) -> out.append("duet_worker_errors_total{code=\"")
                .append(code).append("\"} ").append(n.sum()).append('\n'));
        out.append("# HELP duet_worker_queue_depth Requests waiting for a batch.\n");
        out.append("# TYPE duet_worker_queue_depth gauge\n");
        out.append("duet_worker_queue_depth ").append(queueDepth.getAsInt()).append('\n');
        out.append("# HELP duet_worker_queue_capacity Queue bound; beyond it RESOURCE_EXHAUSTED.\n");
        out.append("# TYPE duet_worker_queue_capacity gauge\n");
        out.append("duet_worker_queue_capacity ").append(queueCapacity).append('\n');
        batchSize.writeTo(out);
        latency.writeTo(out);
        queueWait.writeTo(out);
        compute.writeTo(out);
        return out.toString();
    }
}
