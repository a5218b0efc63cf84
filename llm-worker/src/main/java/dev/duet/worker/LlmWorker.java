package dev.duet.worker;

import dev.duet.worker.internal.DynamicBatcher;
import dev.duet.worker.internal.LlmScorerService;
import dev.duet.worker.internal.MetricsHttpServer;
import dev.duet.worker.internal.RequestValidator;
import dev.duet.worker.internal.WorkerMetrics;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running LLM worker: the duet.v1.LlmScorer service plus the standard gRPC health service and
 * server reflection, and optionally /metrics over HTTP. {@link #close()} shuts down gracefully:
 * health turns NOT_SERVING, new calls are refused, queued and in-flight batches finish.
 */
public final class LlmWorker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LlmWorker.class);
    private static final String SERVICE = "duet.v1.LlmScorer";

    private final WorkerConfig config;
    private final ScoringBackend backend;
    private final WorkerMetrics metrics;
    private final DynamicBatcher batcher;
    private final HealthStatusManager health;
    private final Server server;
    private final MetricsHttpServer metricsServer;
    private boolean closed;

    private LlmWorker(WorkerConfig config, ScoringBackend backend) throws IOException {
        this.config = config;
        this.backend = backend;
        this.metrics = new WorkerMetrics();
        metrics.modelInfo(backend.modelName(), backend.modelVersion());
        this.batcher = new DynamicBatcher(backend, config.maxBatch(), config.maxWait(),
                config.queueCapacity(), metrics);
        this.health = new HealthStatusManager();
        ServerCredentials credentials = config.tlsCert().isPresent()
                ? TlsServerCredentials.create(config.tlsCert().get().toFile(),
                        config.tlsKey().get().toFile())
                : InsecureServerCredentials.create();
        LlmScorerService service = new LlmScorerService(backend,
                new RequestValidator(config.limits()), batcher, metrics);
        NettyServerBuilder builder = NettyServerBuilder
                .forAddress(new InetSocketAddress(config.host(), config.port()), credentials)
                .addService(service)
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance());
        if (!config.maxConnectionAge().isZero()) {
            builder.maxConnectionAge(config.maxConnectionAge().toMillis(), TimeUnit.MILLISECONDS)
                    .maxConnectionAgeGrace(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
        }
        this.server = builder.build();
        MetricsHttpServer m = null;
        try {
            server.start();
            if (config.metricsPort() >= 0) {
                m = new MetricsHttpServer(config.host(), config.metricsPort(), metrics);
            }
        } catch (IOException | RuntimeException e) {
            server.shutdownNow();
            drainQuietly();
            throw e;
        }
        this.metricsServer = m;
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(SERVICE, ServingStatus.SERVING);
    }

    /** Starts serving {@code backend}; the worker owns the backend and closes it on close. */
    public static LlmWorker start(WorkerConfig config, ScoringBackend backend) throws IOException {
        return new LlmWorker(config, backend);
    }

    /** The bound gRPC port (useful when the config asked for 0). */
    public int port() {
        return server.getPort();
    }

    /** The bound /metrics port, or -1 when metrics are off. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
    }

    public WorkerMetrics metrics() {
        return metrics;
    }

    public ScoringBackend backend() {
        return backend;
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    @Override
    public synchronized void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        health.enterTerminalState();
        server.shutdown();
        long graceMs = config.shutdownGrace().toMillis();
        long start = System.nanoTime();
        boolean drained = batcher.drain(config.shutdownGrace());
        long left = Math.max(100, graceMs - (System.nanoTime() - start) / 1_000_000);
        if (!server.awaitTermination(left, TimeUnit.MILLISECONDS)) {
            server.shutdownNow();
            server.awaitTermination(1, TimeUnit.SECONDS);
        }
        if (!drained) {
            LOG.warn("Shutdown grace of {} ms ran out before the queue drained", graceMs);
        }
        if (metricsServer != null) {
            metricsServer.close();
        }
        backend.close();
    }

    private void drainQuietly() {
        try {
            batcher.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
