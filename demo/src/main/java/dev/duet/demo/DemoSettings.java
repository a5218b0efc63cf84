package dev.duet.demo;

import dev.duet.core.data.SyntheticConfig;
import dev.duet.trainer.model.Dcnv2Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Everything a demo run needs; build with {@link #builder()}, which validates. */
public final class DemoSettings {

    /** LLM backends the demo can start in-process. */
    public enum LlmBackend {
        TEXT_ENCODER("text-encoder"),
        CAUSAL_LM("causal-lm"),
        TRAINED("trained");

        final String cliName;

        LlmBackend(String cliName) {
            this.cliName = cliName;
        }

        static LlmBackend parse(String name) {
            for (LlmBackend b : values()) {
                if (b.cliName.equals(name)) {
                    return b;
                }
            }
            throw new IllegalArgumentException("--llm must be trained, text-encoder or causal-lm, got '" + name + "'");
        }
    }

    final int events;
    final double rate;
    final Duration requestDelay;
    final int requestEvery;
    final int candidates;
    final int k;
    final int badRecords;
    final Duration timeout;
    final Path out;
    final Path model;
    /** A next-item model for candidate retrieval, or null: popularity retrieves. */
    final Path sequenceModel;
    final boolean trainSequenceModel;
    /** Share of requests sent without candidates, so that the job retrieves them. */
    final double retrievalShare;
    final Path data;
    final Path modelCache;
    final SyntheticConfig synthetic;
    final Dcnv2Config training;
    final LlmBackend llm;
    final String llmModel;
    final int llmThreads;
    /** A calibration file from ./duet calibrate (gate and text-encoder head), or null. */
    final Path calibration;
    final int dashboardPort;
    final Duration llmTimeout;
    final Duration warmUp;
    final Duration llmCallTimeout;
    final boolean keepRunning;
    final double budgetShare;
    final Duration checkpointInterval;
    final int parallelism;
    final Duration progressEvery;
    final long seed;

    private DemoSettings(Builder b) {
        events = b.events;
        rate = b.rate;
        requestDelay = b.requestDelay;
        requestEvery = b.requestEvery;
        candidates = b.candidates;
        k = b.k;
        badRecords = b.badRecords;
        out = b.out;
        model = b.model;
        sequenceModel = b.sequenceModel;
        trainSequenceModel = b.trainSequenceModel;
        retrievalShare = b.retrievalShare;
        data = b.data;
        modelCache = b.modelCache;
        synthetic = b.synthetic;
        training = b.training;
        llm = b.llm;
        llmModel = b.llmModel;
        llmThreads = b.llmThreads;
        calibration = b.calibration;
        dashboardPort = b.dashboardPort;
        llmTimeout = b.llmTimeout;
        warmUp = b.warmUp;
        llmCallTimeout = b.llmCallTimeout;
        keepRunning = b.keepRunning;
        budgetShare = b.budgetShare;
        checkpointInterval = b.checkpointInterval;
        parallelism = b.parallelism;
        progressEvery = b.progressEvery;
        seed = b.seed;
        // Without an explicit timeout: the replay's own length plus time to drain at a slow 50
        // events/s at least (a busy two-core machine), and never less than 3 minutes for that.
        timeout = b.timeout != null ? b.timeout
                : Duration.ofSeconds((long) Math.ceil(events / rate) + Math.max(180, events / 50));
    }

    public static Builder builder() {
        return new Builder();
    }

    public Path out() {
        return out;
    }

    public int events() {
        return events;
    }

    public int badRecords() {
        return badRecords;
    }

    public double budgetShare() {
        return budgetShare;
    }

    public boolean keepRunning() {
        return keepRunning;
    }

    /** Builder with the defaults of {@code ./duet demo}. */
    public static final class Builder {
        private int events = 20_000;
        private double rate = 500;
        private Duration requestDelay = Duration.ofMillis(250);
        private int requestEvery = 10;
        private int candidates = 20;
        private int k = 10;
        private int badRecords = 6;
        private Duration timeout;
        private Path out = Path.of("runs/demo");
        private Path model;
        private Path sequenceModel;
        private boolean trainSequenceModel = true;
        private double retrievalShare = 0.5;
        private Path data;
        private Path modelCache = Path.of("runs/demo-model");
        private SyntheticConfig synthetic = SyntheticConfig.builder().build();
        private Dcnv2Config training = Dcnv2Config.builder().build();
        private LlmBackend llm = LlmBackend.TEXT_ENCODER;
        private String llmModel;
        private int llmThreads = 1;
        private Path calibration;
        private int dashboardPort = 8081;
        // Roomier than the job's production defaults (2 s, 800 ms): the demo shares two cores
        // between the broker, the job and the worker, and a fallback should mean a problem.
        private Duration llmTimeout = Duration.ofSeconds(4);
        private Duration warmUp = Duration.ofSeconds(20);
        private Duration llmCallTimeout = Duration.ofMillis(1500);
        private boolean keepRunning;
        private double budgetShare = 0.1;
        private Duration checkpointInterval = Duration.ofSeconds(1);
        private int parallelism = 2;
        private Duration progressEvery = Duration.ofSeconds(5);
        private long seed = 7;

        private Builder() {}

        /** Inputs replayed: interactions plus requests (bad records come on top). */
        public Builder events(int v) {
            events = v;
            return this;
        }

        /**
         * How long after the interaction it follows a request is sent (the job reads the two
         * topics independently: a request sent in the same millisecond may be read first).
         */
        public Builder requestDelay(Duration v) {
            requestDelay = v;
            return this;
        }

        /** Replay rate, events per second. */
        public Builder rate(double v) {
            rate = v;
            return this;
        }

        /** One request follows every this-many interactions. */
        public Builder requestEvery(int v) {
            requestEvery = v;
            return this;
        }

        /** Candidates per request, drawn from the catalog. */
        public Builder candidates(int v) {
            candidates = v;
            return this;
        }

        public Builder k(int v) {
            k = v;
            return this;
        }

        /** Malformed records injected to show the dead-letter path. */
        public Builder badRecords(int v) {
            badRecords = v;
            return this;
        }

        /** Longest wait for every input to be accounted for; null for replay time + 3 min. */
        public Builder timeout(Duration v) {
            timeout = v;
            return this;
        }

        public Builder out(Path v) {
            out = v;
            return this;
        }

        /** A trained model (model.onnx or its folder); null trains one (or reuses the cached one). */
        public Builder model(Path v) {
            model = v;
            return this;
        }

        /** A next-item model (docs/model-contract.md) that retrieves candidates; null: popularity. */
        public Builder sequenceModel(Path v) {
            sequenceModel = v;
            return this;
        }

        /** Without a given sequence model: train one on the data (true) or let popularity retrieve. */
        public Builder trainSequenceModel(boolean v) {
            trainSequenceModel = v;
            return this;
        }

        /** Share of requests sent without candidates (the job retrieves theirs), in [0, 1]. */
        public Builder retrievalShare(double v) {
            retrievalShare = v;
            return this;
        }

        /** A data folder; null for synthetic data. */
        public Builder data(Path v) {
            data = v;
            return this;
        }

        /** Where a model trained by the demo is kept for the next run. */
        public Builder modelCache(Path v) {
            modelCache = v;
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

        public Builder llm(LlmBackend v) {
            llm = v;
            return this;
        }

        public Builder llm(String cliName) {
            llm = LlmBackend.parse(cliName);
            return this;
        }

        /** text-encoder: a bundled name or folder; causal-lm: the model folder. */
        public Builder llmModel(String v) {
            llmModel = v;
            return this;
        }

        /** ONNX Runtime threads of the worker (0: let it choose). */
        public Builder llmThreads(int v) {
            llmThreads = v;
            return this;
        }

        /**
         * A calibration file from {@code ./duet calibrate}: the job routes with its gate and
         * thresholds, the text-encoder worker scores with its head; null for the defaults.
         */
        public Builder calibration(Path v) {
            calibration = v;
            return this;
        }

        /** Flink dashboard port; 0 picks a free one. */
        public Builder dashboardPort(int v) {
            dashboardPort = v;
            return this;
        }

        /** Async I/O timeout of one hard sample (retries included); then the CRM answers. */
        public Builder llmTimeout(Duration v) {
            llmTimeout = v;
            return this;
        }

        /** Longest time spent filling the worker's item cache before the replay (zero: none). */
        public Builder warmUp(Duration v) {
            warmUp = v;
            return this;
        }

        /** gRPC deadline of one attempt. */
        public Builder llmCallTimeout(Duration v) {
            llmCallTimeout = v;
            return this;
        }

        public Builder keepRunning(boolean v) {
            keepRunning = v;
            return this;
        }

        public Builder budgetShare(double v) {
            budgetShare = v;
            return this;
        }

        public Builder checkpointInterval(Duration v) {
            checkpointInterval = v;
            return this;
        }

        public Builder parallelism(int v) {
            parallelism = v;
            return this;
        }

        public Builder progressEvery(Duration v) {
            progressEvery = v;
            return this;
        }

        /** Seed of the requests' candidates and the bad records' places. */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public DemoSettings build() {
            require(events >= 1, "--events must be at least 1, got " + events);
            require(rate > 0 && Double.isFinite(rate), "--rate must be positive, got " + rate);
            require(requestDelay != null && !requestDelay.isNegative() && requestDelay.toMillis() <= 60_000,
                    "--request-delay-ms must be in 0..60000, got " + (requestDelay == null ? null : requestDelay.toMillis()));
            require(requestEvery >= 1, "--request-every must be at least 1, got " + requestEvery);
            require(candidates >= 1 && candidates <= 100, "--candidates must be in 1..100 (the worker's limit), got " + candidates);
            require(k >= 1 && k <= candidates, "--k must be in 1..candidates (" + candidates + "), got " + k);
            require(retrievalShare >= 0 && retrievalShare <= 1, "--retrieval-share must be in [0, 1], got " + retrievalShare);
            require(sequenceModel == null || Files.exists(sequenceModel),
                    "--sequence-model " + sequenceModel + ": no such file or folder (./duet train --task next-item writes one)");
            require(badRecords >= 0 && badRecords <= events, "--bad-records must be in 0..events, got " + badRecords);
            require(timeout == null || !timeout.isNegative() && !timeout.isZero(), "--timeout must be positive");
            require(out != null, "--out is required");
            require(modelCache != null, "the model cache folder is required");
            require(synthetic != null && training != null, "synthetic and training settings are required");
            require(llm != LlmBackend.CAUSAL_LM || llmModel != null, "--llm causal-lm needs --llm-model DIR");
            require(llmThreads >= 0, "--llm-threads must be 0 or more");
            require(calibration == null || Files.isRegularFile(calibration),
                    "--calibration " + calibration + ": no such file (./duet calibrate writes one)");
            require(dashboardPort >= 0 && dashboardPort <= 65535, "--dashboard-port must be in 0..65535, got " + dashboardPort);
            require(llmTimeout != null && llmCallTimeout != null && llmCallTimeout.toMillis() >= 1
                    && llmCallTimeout.compareTo(llmTimeout) <= 0, "the LLM call timeout must be positive and at most the LLM timeout");
            require(warmUp != null && !warmUp.isNegative(), "the warm-up time must be zero or positive");
            require(budgetShare > 0 && budgetShare <= 1, "--budget must be in (0, 1], got " + budgetShare);
            require(checkpointInterval != null && checkpointInterval.toMillis() >= 100, "the checkpoint interval must be at least 100 ms");
            require(parallelism >= 1, "--parallelism must be at least 1, got " + parallelism);
            require(progressEvery != null && progressEvery.toMillis() >= 100, "the progress interval must be at least 100 ms");
            return new DemoSettings(this);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
