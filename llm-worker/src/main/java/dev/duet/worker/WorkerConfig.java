package dev.duet.worker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** How a worker serves: address, batching, queue bound, metrics, TLS, request limits. */
public final class WorkerConfig {

    private final String host;
    private final int port;
    private final int maxBatch;
    private final Duration maxWait;
    private final int queueCapacity;
    private final int metricsPort;
    private final Path tlsCert;
    private final Path tlsKey;
    private final Duration shutdownGrace;
    private final Duration maxConnectionAge;
    private final RequestLimits limits;

    private WorkerConfig(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.maxBatch = b.maxBatch;
        this.maxWait = b.maxWait;
        this.queueCapacity = b.queueCapacity;
        this.metricsPort = b.metricsPort;
        this.tlsCert = b.tlsCert;
        this.tlsKey = b.tlsKey;
        this.shutdownGrace = b.shutdownGrace;
        this.maxConnectionAge = b.maxConnectionAge;
        this.limits = b.limits;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String host() {
        return host;
    }

    /** The gRPC port; 0 picks a free one (see {@link LlmWorker#port()}). */
    public int port() {
        return port;
    }

    /** Most requests scored in one model call. */
    public int maxBatch() {
        return maxBatch;
    }

    /** Longest a request waits for others to join its batch. */
    public Duration maxWait() {
        return maxWait;
    }

    /** Requests waiting for a batch beyond this many are refused with RESOURCE_EXHAUSTED. */
    public int queueCapacity() {
        return queueCapacity;
    }

    /** The HTTP port of /metrics; -1 disables it, 0 picks a free one. */
    public int metricsPort() {
        return metricsPort;
    }

    public Optional<Path> tlsCert() {
        return Optional.ofNullable(tlsCert);
    }

    public Optional<Path> tlsKey() {
        return Optional.ofNullable(tlsKey);
    }

    /** How long shutdown waits for in-flight batches to finish. */
    public Duration shutdownGrace() {
        return shutdownGrace;
    }

    /**
     * Connections older than this are asked to reconnect (a gRPC GOAWAY; calls in flight finish),
     * so that clients balancing over a DNS name re-resolve it and reach new replicas; zero: never.
     */
    public Duration maxConnectionAge() {
        return maxConnectionAge;
    }

    public RequestLimits limits() {
        return limits;
    }

    /** Builder; {@link #build()} rejects inconsistent settings with a message naming the option. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 0;
        private int maxBatch = 16;
        private Duration maxWait = Duration.ofMillis(5);
        private int queueCapacity = 256;
        private int metricsPort = -1;
        private Path tlsCert;
        private Path tlsKey;
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private Duration maxConnectionAge = Duration.ZERO;
        private RequestLimits limits = RequestLimits.defaults();

        public Builder host(String v) {
            this.host = v;
            return this;
        }

        public Builder port(int v) {
            this.port = v;
            return this;
        }

        public Builder maxBatch(int v) {
            this.maxBatch = v;
            return this;
        }

        public Builder maxWait(Duration v) {
            this.maxWait = v;
            return this;
        }

        public Builder queueCapacity(int v) {
            this.queueCapacity = v;
            return this;
        }

        public Builder metricsPort(int v) {
            this.metricsPort = v;
            return this;
        }

        public Builder tls(Path cert, Path key) {
            this.tlsCert = cert;
            this.tlsKey = key;
            return this;
        }

        public Builder shutdownGrace(Duration v) {
            this.shutdownGrace = v;
            return this;
        }

        public Builder maxConnectionAge(Duration v) {
            this.maxConnectionAge = v;
            return this;
        }

        public Builder limits(RequestLimits v) {
            this.limits = v;
            return this;
        }

        public WorkerConfig build() {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host must not be empty");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in 0..65535, got " + port);
            }
            if (metricsPort < -1 || metricsPort > 65535) {
                throw new IllegalArgumentException(
                        "metrics port must be -1 (off) or in 0..65535, got " + metricsPort);
            }
            if (maxBatch < 1) {
                throw new IllegalArgumentException("max batch must be at least 1, got " + maxBatch);
            }
            if (maxWait == null || maxWait.isNegative()) {
                throw new IllegalArgumentException("max wait must be zero or positive");
            }
            if (queueCapacity < 1) {
                throw new IllegalArgumentException(
                        "queue capacity must be at least 1, got " + queueCapacity);
            }
            if (shutdownGrace == null || shutdownGrace.isNegative()) {
                throw new IllegalArgumentException("shutdown grace must be zero or positive");
            }
            if (maxConnectionAge == null || maxConnectionAge.isNegative()) {
                throw new IllegalArgumentException("max connection age must be zero (off) or positive");
            }
            if ((tlsCert == null) != (tlsKey == null)) {
                throw new IllegalArgumentException("TLS needs both a certificate and a key file");
            }
            if (tlsCert != null) {
                requireFile("TLS certificate", tlsCert);
                requireFile("TLS key", tlsKey);
            }
            if (limits == null) {
                throw new IllegalArgumentException("limits must not be null");
            }
            return new WorkerConfig(this);
        }

        private static void requireFile(String what, Path file) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(what + " file not found: " + file);
            }
        }
    }
}
