package dev.duet.worker.internal;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;

/**
 * Serves {@code GET /metrics} (and {@code /-/healthy}) with the Prometheus Java client's HTTP
 * exporter, bound to the worker's host only.
 */
public final class MetricsHttpServer implements AutoCloseable {

    private final HTTPServer server;

    public MetricsHttpServer(String host, int port, WorkerMetrics metrics) throws IOException {
        server = HTTPServer.builder()
                .hostname(host)
                .port(port)
                .registry(metrics.registry())
                .buildAndStart();
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
