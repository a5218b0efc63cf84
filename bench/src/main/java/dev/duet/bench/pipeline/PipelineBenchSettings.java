package dev.duet.bench.pipeline;

import dev.duet.core.data.SyntheticConfig;
import dev.duet.trainer.model.Dcnv2Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything a pipeline benchmark run needs; build with {@link #builder()}, which validates. */
public final class PipelineBenchSettings {

    final Path out;
    final List<JobConfig> configs;
    final long events;
    final long maxEvents;
    final Duration drain;
    final Duration warmUpDrain;
    final int warmUpDrains;
    final double warmUpJitShare;
    final Duration measure;
    final Duration warmUp;
    final double fixedRate;
    final Duration checkpointInterval;
    final Map<String, String> flinkConf;
    final int parallelism;
    final int requestEvery;
    final int candidates;
    final int k;
    final Path model;
    final Path modelCache;
    final Path data;
    final SyntheticConfig synthetic;
    final Dcnv2Config training;
    final int llmThreads;
    final Duration workerWarmUp;
    final Duration progressEvery;
    final long seed;
    final String command;

    private PipelineBenchSettings(Builder b) {
        out = b.out;
        configs = List.copyOf(b.configs);
        events = b.events;
        maxEvents = b.maxEvents;
        drain = b.drain;
        warmUpDrain = b.warmUpDrain;
        warmUpDrains = b.warmUpDrains;
        warmUpJitShare = b.warmUpJitShare;
        measure = b.measure;
        warmUp = b.warmUp;
        fixedRate = b.fixedRate;
        checkpointInterval = b.checkpointInterval;
        flinkConf = Map.copyOf(b.flinkConf);
        parallelism = b.parallelism;
        requestEvery = b.requestEvery;
        candidates = b.candidates;
        k = b.k;
        model = b.model;
        modelCache = b.modelCache;
        data = b.data;
        synthetic = b.synthetic;
        training = b.training;
        llmThreads = b.llmThreads;
        workerWarmUp = b.workerWarmUp;
        progressEvery = b.progressEvery;
        seed = b.seed;
        command = b.command;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Path out() {
        return out;
    }

    /** Builder with the defaults of {@code ./duet bench pipeline}. */
    public static final class Builder {
        private Path out = Path.of("runs/bench-pipeline");
        private List<JobConfig> configs = List.of(JobConfig.values());
        private long events;
        private long maxEvents = 4_000_000;
        private Duration drain = Duration.ofSeconds(30);
        private Duration warmUpDrain = Duration.ofSeconds(10);
        private int warmUpDrains = 4;
        private double warmUpJitShare = 0.25;
        private Duration measure = Duration.ofSeconds(30);
        private Duration warmUp = Duration.ofSeconds(5);
        private double fixedRate = 5000;
        private Duration checkpointInterval = Duration.ofSeconds(2);
        private Map<String, String> flinkConf = new LinkedHashMap<>();
        private int parallelism = 2;
        private int requestEvery = 20;
        private int candidates = 20;
        private int k = 10;
        private Path model;
        private Path modelCache = Path.of("runs/demo-model");
        private Path data;
        private SyntheticConfig synthetic = SyntheticConfig.builder().build();
        private Dcnv2Config training = Dcnv2Config.builder().build();
        private int llmThreads = 1;
        private Duration workerWarmUp = Duration.ofSeconds(20);
        private Duration progressEvery = Duration.ofSeconds(5);
        private long seed = 7;
        private String command = "./duet bench pipeline";

        private Builder() {}

        public Builder out(Path v) {
            out = v;
            return this;
        }

        /** Configurations to measure, e.g. "a,b,c". */
        public Builder configs(String v) {
            configs = JobConfig.parse(v);
            return this;
        }

        /** Backlog of every throughput phase; 0 sizes it from {@link #drain} (see PipelineBench). */
        public Builder events(long v) {
            events = v;
            return this;
        }

        /** Largest backlog the automatic sizing may write (memory and disk of the broker). */
        public Builder maxEvents(long v) {
            maxEvents = v;
            return this;
        }

        /** How long a throughput phase's backlog should take to drain (sizes it when events is 0). */
        public Builder drain(Duration v) {
            drain = v;
            return this;
        }

        /**
         * About how long the unmeasured first drain of each configuration should take (JIT warm-up;
         * sizes the measured backlog); zero for none.
         */
        public Builder warmUpDrain(Duration v) {
            warmUpDrain = v;
            return this;
        }

        /**
         * Most unmeasured warm-up drains per configuration: another one runs while the JIT compilers
         * still compiled for more than {@link #warmUpJitShare} of the last one's time.
         */
        public Builder warmUpDrains(int v) {
            warmUpDrains = v;
            return this;
        }

        /** JIT compile time per second of a warm-up drain under which the code counts as warm. */
        public Builder warmUpJitShare(double v) {
            warmUpJitShare = v;
            return this;
        }

        /** Measured length of a latency phase (after its warm-up). */
        public Builder measure(Duration v) {
            measure = v;
            return this;
        }

        /** Start of a latency phase whose records are left out of the figures (JIT, first checkpoint). */
        public Builder warmUp(Duration v) {
            warmUp = v;
            return this;
        }

        /** Rate of the extra latency phase of configuration c (the CRM-route target); 0 for none. */
        public Builder fixedRate(double v) {
            fixedRate = v;
            return this;
        }

        public Builder checkpointInterval(Duration v) {
            checkpointInterval = v;
            return this;
        }

        /** Flink settings for every job (e.g. the network buffer timeout); empty runs the job as shipped. */
        public Builder flinkConf(Map<String, String> v) {
            flinkConf = new LinkedHashMap<>(v);
            return this;
        }

        public Builder parallelism(int v) {
            parallelism = v;
            return this;
        }

        /** One request after every this-many interactions. */
        public Builder requestEvery(int v) {
            requestEvery = v;
            return this;
        }

        public Builder candidates(int v) {
            candidates = v;
            return this;
        }

        public Builder k(int v) {
            k = v;
            return this;
        }

        /** A trained model (model.onnx or its folder); null trains one into the model cache (or reuses it). */
        public Builder model(Path v) {
            model = v;
            return this;
        }

        public Builder modelCache(Path v) {
            modelCache = v;
            return this;
        }

        /** A data folder; null for synthetic data. */
        public Builder data(Path v) {
            data = v;
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

        public Builder llmThreads(int v) {
            llmThreads = v;
            return this;
        }

        /** Longest time spent filling the worker's item cache before configuration c. */
        public Builder workerWarmUp(Duration v) {
            workerWarmUp = v;
            return this;
        }

        public Builder progressEvery(Duration v) {
            progressEvery = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** The command line as typed, for the report. */
        public Builder command(String v) {
            command = v;
            return this;
        }

        public PipelineBenchSettings build() {
            require(out != null, "--out is required");
            require(events >= 0, "--events must be 0 (automatic) or positive, got " + events);
            require(maxEvents >= 1000, "the largest backlog must be at least 1000 events");
            require(positive(drain) && positive(measure), "--seconds must be positive");
            require(warmUp != null && !warmUp.isNegative(), "--warm-up-seconds must be zero or positive");
            require(warmUpDrain != null && !warmUpDrain.isNegative(), "--warm-up-drain-seconds must be zero or positive");
            require(warmUpDrains >= 1, "--warm-up-drains must be at least 1, got " + warmUpDrains);
            require(warmUpJitShare > 0, "--warm-up-jit-share must be positive, got " + warmUpJitShare);
            require(fixedRate >= 0 && Double.isFinite(fixedRate), "--crm-rate must be 0 (skip) or positive, got " + fixedRate);
            require(checkpointInterval != null && checkpointInterval.toMillis() >= 100,
                    "--checkpoint-interval-ms must be at least 100");
            require(flinkConf != null && flinkConf.keySet().stream().noneMatch(String::isBlank), "--flink-conf needs KEY=VALUE");
            require(parallelism >= 1, "--parallelism must be at least 1, got " + parallelism);
            require(requestEvery >= 1, "--request-every must be at least 1, got " + requestEvery);
            require(candidates >= 1 && candidates <= 100, "--candidates must be in 1..100, got " + candidates);
            require(k >= 1 && k <= candidates, "--k must be in 1..candidates, got " + k);
            require(modelCache != null && synthetic != null && training != null, "model cache, data and training settings are required");
            require(llmThreads >= 0, "--llm-threads must be 0 or more");
            require(workerWarmUp != null && !workerWarmUp.isNegative(), "the worker warm-up must be zero or positive");
            require(positive(progressEvery), "the progress interval must be positive");
            return new PipelineBenchSettings(this);
        }

        private static boolean positive(Duration d) {
            return d != null && !d.isNegative() && !d.isZero();
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
