package dev.duet.bench.faults;

import dev.duet.core.data.SyntheticConfig;
import dev.duet.trainer.model.Dcnv2Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything a fault-suite run needs; build with {@link #builder()} or {@link #shortRun()}, which validate. */
public final class FaultSuiteSettings {

    final Path out;
    final boolean shortRun;
    final List<Fault> faults;
    final double rate;
    final Duration outage;
    final int workers;
    final Duration checkpointInterval;
    final Duration steady;
    final Duration recoveryTimeout;
    final double maxRecoverySeconds;
    final int probeHistory;
    final int requestEvery;
    final int candidates;
    final int k;
    final SyntheticConfig synthetic;
    final Dcnv2Config training;
    final String jobHeap;
    final String workerHeap;
    final String brokerHeap;
    final Map<String, String> jobOptions;
    final long seed;
    final String command;

    /** Job options the suite sets itself (ports, paths, the processes it controls). */
    static final java.util.Set<String> OWNED_JOB_OPTIONS = java.util.Set.of("kafka.bootstrap", "bootstrap", "llm.workers",
            "workers", "model.path", "model", "catalog.seed-file", "catalog", "job.checkpoint-dir", "job.web-port", "web-port",
            "kafka.group-id", "kafka.transactional-id-prefix", "job.checkpoint-interval", "checkpoint-interval", "job.fresh",
            "fresh", "job.from-savepoint", "from-savepoint");

    private FaultSuiteSettings(Builder b) {
        out = b.out;
        shortRun = b.shortRun;
        faults = List.copyOf(b.faults);
        rate = b.rate;
        outage = b.outage;
        workers = b.workers;
        checkpointInterval = b.checkpointInterval;
        steady = b.steady;
        recoveryTimeout = b.recoveryTimeout;
        maxRecoverySeconds = b.maxRecoverySeconds;
        probeHistory = b.probeHistory;
        requestEvery = b.requestEvery;
        candidates = b.candidates;
        k = b.k;
        synthetic = b.synthetic;
        training = b.training;
        jobHeap = b.jobHeap;
        workerHeap = b.workerHeap;
        brokerHeap = b.brokerHeap;
        jobOptions = Map.copyOf(b.jobOptions);
        seed = b.seed;
        command = b.command;
    }

    /** The operator's run: a minute-long outage, 40 events/s. */
    public static Builder builder() {
        return new Builder();
    }

    /** The short form CI runs ({@code --short}): a 10 s outage, a smaller stream, data and model. */
    public static Builder shortRun() {
        Builder b = new Builder();
        b.shortRun = true;
        b.rate = 20;
        b.outage = Duration.ofSeconds(10);
        b.steady = Duration.ofSeconds(3);
        b.recoveryTimeout = Duration.ofSeconds(60);
        b.synthetic = SyntheticConfig.builder().users(150).items(300).ratings(12_000).build();
        b.training = Dcnv2Config.builder().embeddingDim(8).deepLayers(32).maxEpochs(1).threads(1).build();
        return b;
    }

    public Path out() {
        return out;
    }

    public static final class Builder {
        private Path out = Path.of("runs/faults");
        private boolean shortRun;
        private List<Fault> faults = List.of(Fault.values());
        private double rate = 40;
        private Duration outage = Duration.ofSeconds(60);
        private int workers = 2;
        private Duration checkpointInterval = Duration.ofSeconds(1);
        private Duration steady = Duration.ofSeconds(10);
        private Duration recoveryTimeout = Duration.ofSeconds(120);
        private double maxRecoverySeconds = 5;
        private int probeHistory = 10;
        private int requestEvery = 10;
        private int candidates = 20;
        private int k = 10;
        private SyntheticConfig synthetic = SyntheticConfig.builder().users(400).items(600).ratings(40_000).build();
        private Dcnv2Config training = Dcnv2Config.builder().embeddingDim(8).deepLayers(32).maxEpochs(2).threads(1).build();
        private String jobHeap = "640m";
        private String workerHeap = "256m";
        private String brokerHeap = "384m";
        private Map<String, String> jobOptions = new LinkedHashMap<>();
        private long seed = 20;
        private String command = "./duet bench faults";

        private Builder() {}

        public Builder out(Path v) {
            out = v;
            return this;
        }

        public Builder faults(List<Fault> v) {
            faults = v;
            return this;
        }

        /** Input events (interactions and requests) per second. */
        public Builder rate(double v) {
            rate = v;
            return this;
        }

        /** How long every worker stays down in {@link Fault#WORKERS_DOWN}. */
        public Builder outage(Duration v) {
            outage = v;
            return this;
        }

        public Builder workers(int v) {
            workers = v;
            return this;
        }

        public Builder checkpointInterval(Duration v) {
            checkpointInterval = v;
            return this;
        }

        /** Steady stream before the first fault and after each one's recovery. */
        public Builder steady(Duration v) {
            steady = v;
            return this;
        }

        /** Longest wait for the LLM route (and the probe) after a fault is repaired. */
        public Builder recoveryTimeout(Duration v) {
            recoveryTimeout = v;
            return this;
        }

        public Builder synthetic(SyntheticConfig v) {
            synthetic = v;
            return this;
        }

        public Builder training(Dcnv2Config v) {
            training = v;
            return this;
        }

        /** Job options (docs/job.md) added to the job's command line, e.g. routing.budget.rate=20. */
        public Builder jobOptions(Map<String, String> v) {
            jobOptions = new LinkedHashMap<>(v);
            return this;
        }

        public Builder command(String v) {
            command = v;
            return this;
        }

        public FaultSuiteSettings build() {
            if (out == null) {
                throw new IllegalArgumentException("--out is required");
            }
            if (faults == null || faults.isEmpty()) {
                throw new IllegalArgumentException("at least one fault is needed");
            }
            if (!(rate > 0) || rate > 2000) {
                throw new IllegalArgumentException("--rate must be in (0, 2000] events/s, got " + rate);
            }
            if (outage.isNegative() || outage.isZero()) {
                throw new IllegalArgumentException("--outage-s must be positive");
            }
            if (workers < 2 && faults.contains(Fault.WORKER_RESTART)) {
                throw new IllegalArgumentException("--workers must be at least 2 for worker-restart (one keeps serving), got " + workers);
            }
            if (workers < 1 || workers > 8) {
                throw new IllegalArgumentException("--workers must be in [1, 8], got " + workers);
            }
            if (checkpointInterval.toMillis() < 100) {
                throw new IllegalArgumentException("the checkpoint interval must be at least 100 ms");
            }
            for (String key : jobOptions.keySet()) {
                if (OWNED_JOB_OPTIONS.contains(key)) {
                    throw new IllegalArgumentException("--job-option " + key + " is set by the suite itself");
                }
            }
            if (requestEvery < 1 || k < 1 || candidates < k) {
                throw new IllegalArgumentException("need requestEvery >= 1 and candidates >= k >= 1");
            }
            return new FaultSuiteSettings(this);
        }
    }
}
