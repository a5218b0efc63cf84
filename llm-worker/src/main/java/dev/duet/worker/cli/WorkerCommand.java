package dev.duet.worker.cli;

import dev.duet.worker.LlmWorker;
import dev.duet.worker.ScoringBackend;
import dev.duet.worker.WorkerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code worker}: serves duet.v1.LlmScorer until interrupted, then drains and stops. */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Run the gRPC LLM worker (causal-lm, text-encoder or openai backend).")
final class WorkerCommand implements Callable<Integer> {

    @Mixin
    BackendOptions backend;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to bind. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--port", defaultValue = "50051",
            description = "gRPC port (0 picks a free one). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--max-batch", defaultValue = "16",
            description = "Most requests per model call. Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(names = "--max-wait-ms", defaultValue = "5",
            description = "Longest wait for a batch to fill. Default: ${DEFAULT-VALUE}.")
    long maxWaitMs;

    @Option(names = "--queue", defaultValue = "256",
            description = "Queue bound; beyond it RESOURCE_EXHAUSTED. Default: ${DEFAULT-VALUE}.")
    int queue;

    @Option(names = "--metrics-port", defaultValue = "-1",
            description = "HTTP port of /metrics (-1 off, 0 free port). Default: ${DEFAULT-VALUE}.")
    int metricsPort;

    @Option(names = "--tls-cert", description = "PEM certificate chain; enables TLS with --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", description = "PEM private key (PKCS#8).")
    Path tlsKey;

    @Option(names = "--shutdown-grace-s", defaultValue = "30",
            description = "How long shutdown waits for in-flight batches. Default: ${DEFAULT-VALUE}.")
    long graceSeconds;

    @Option(names = "--max-connection-age-s", defaultValue = "0",
            description = "Ask clients to reconnect after this many seconds (calls in flight finish), so that"
                    + " clients balancing over a DNS name find new replicas; 0: never. Default: ${DEFAULT-VALUE}.")
    long maxConnectionAgeSeconds;

    @Override
    public Integer call() throws Exception {
        WorkerConfig config = WorkerConfig.builder().host(host).port(port).maxBatch(maxBatch)
                .maxWait(Duration.ofMillis(maxWaitMs)).queueCapacity(queue)
                .metricsPort(metricsPort).tls(tlsCert, tlsKey)
                .shutdownGrace(Duration.ofSeconds(graceSeconds))
                .maxConnectionAge(Duration.ofSeconds(maxConnectionAgeSeconds)).limits(backend.limits()).build();
        ScoringBackend scoring = backend.create();
        LlmWorker worker;
        try {
            worker = LlmWorker.start(config, scoring);
        } catch (Exception e) {
            scoring.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("duet worker: shutting down, draining in-flight batches...");
            try {
                worker.close();
            } catch (Exception e) {
                System.err.println("duet worker: shutdown: " + Main.describe(e));
            }
        }, "duet-worker-shutdown"));
        System.err.printf("duet worker: %s (version %s) on %s:%d%s, max batch %d, max wait %d ms,"
                        + " queue %d%s%n",
                scoring.modelName(), scoring.modelVersion(), host, worker.port(),
                tlsCert != null ? " (TLS)" : "", maxBatch, maxWaitMs, queue,
                worker.metricsPort() >= 0
                        ? ", metrics http://" + host + ":" + worker.metricsPort() + "/metrics"
                        : "");
        worker.awaitTermination();
        return 0;
    }
}
