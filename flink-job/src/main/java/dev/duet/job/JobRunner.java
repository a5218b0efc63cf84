package dev.duet.job;

import dev.duet.core.crm.CrmModel;
import dev.duet.core.sequence.SequenceModel;
import dev.duet.job.kafka.KafkaIo;
import dev.duet.job.llm.LlmPool;
import dev.duet.job.operators.UserHistory;
import dev.duet.job.scoring.OnnxCrmScorer;
import java.nio.file.Path;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Configures an environment for the job (RocksDB, incremental checkpoints) and runs it against Kafka. */
public final class JobRunner {

    private JobRunner() {}

    /**
     * Flink settings the job needs wherever it runs: the state backend ({@code job.state-backend},
     * RocksDB with incremental checkpoints by default, its working files in {@code job.rocksdb-dir}
     * when set), and the checkpoint folder only when {@code job.checkpoint-dir} is given.
     * {@code flink run} uses only these, so the cluster's own addresses and checkpoint storage stand.
     */
    public static Configuration jobConfiguration(Configuration options) {
        Configuration flink = new Configuration();
        boolean rocksDb = options.get(JobOptions.STATE_BACKEND) == JobOptions.StateBackend.ROCKSDB;
        flink.set(StateBackendOptions.STATE_BACKEND, rocksDb ? "rocksdb" : "hashmap");
        flink.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, rocksDb);
        if (options.contains(JobOptions.CHECKPOINT_DIR)) {
            flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, options.get(JobOptions.CHECKPOINT_DIR));
        }
        // Kept when the job is cancelled too (a crash leaves them anyway): the job resumes from them.
        flink.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        String rocksDbDir = options.get(JobOptions.ROCKSDB_DIR);
        if (rocksDb && !rocksDbDir.isBlank()) {
            flink.set(RocksDBOptions.LOCAL_DIRECTORIES, rocksDbDir);
        }
        return flink;
    }

    /**
     * {@link #jobConfiguration} plus what a local MiniCluster needs: the job's own defaults where a
     * cluster would give its settings (parallelism, checkpoint folder and interval: the options'
     * values, set or default), the dashboard on the configured port, and every server (REST, RPC,
     * blob, data exchange) on 127.0.0.1 rather than all interfaces.
     */
    public static Configuration flinkConfiguration(Configuration options) {
        Configuration flink = jobConfiguration(options);
        flink.set(CoreOptions.DEFAULT_PARALLELISM, options.get(JobOptions.PARALLELISM));
        flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, options.get(JobOptions.CHECKPOINT_DIR));
        flink.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, options.get(JobOptions.CHECKPOINT_INTERVAL));
        flink.set(RestOptions.PORT, options.get(JobOptions.WEB_PORT));
        flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        flink.set(RestOptions.ADDRESS, "127.0.0.1");
        for (String key : new String[] {
            "jobmanager.bind-host", "jobmanager.rpc.address", "taskmanager.bind-host", "taskmanager.host",
            "blob.server.bind-host"
        }) {
            flink.setString(key, "127.0.0.1");
        }
        return flink;
    }

    /**
     * Applies object reuse, the buffer timeout and exactly-once checkpointing to an environment.
     * Parallelism and the checkpoint interval are the environment's (on a cluster: its
     * {@code parallelism.default} or {@code flink run -p}, its {@code execution.checkpointing.interval})
     * unless {@code job.parallelism} or {@code job.checkpoint-interval} is given. Without any
     * interval the job's default applies: its exactly-once output is committed only on checkpoints.
     */
    public static void configure(StreamExecutionEnvironment env, Configuration options) {
        if (options.contains(JobOptions.PARALLELISM)) {
            env.setParallelism(options.get(JobOptions.PARALLELISM));
        }
        if (options.get(JobOptions.OBJECT_REUSE)) {
            env.getConfig().enableObjectReuse();
        } else {
            env.getConfig().disableObjectReuse();
        }
        env.setBufferTimeout(options.get(JobOptions.BUFFER_TIMEOUT).toMillis());
        if (options.contains(JobOptions.CHECKPOINT_INTERVAL) || !env.getCheckpointConfig().isCheckpointingEnabled()) {
            env.enableCheckpointing(options.get(JobOptions.CHECKPOINT_INTERVAL).toMillis());
        }
        env.getCheckpointConfig().setCheckpointingConsistencyMode(CheckpointingMode.EXACTLY_ONCE);
    }

    /**
     * Checks what can be checked before starting: the model loads and follows the contract, the
     * worker list parses, the gate calibration and catalog seed read. Throws with a clear message.
     */
    public static void validate(Configuration options) throws Exception {
        for (var option : JobOptions.all()) {
            options.get(option); // a malformed value fails here, naming the key
        }
        try (CrmModel model = CrmModel.load(Path.of(options.get(JobOptions.MODEL_PATH)))) {
            model.version();
        }
        String sequenceModel = options.get(JobOptions.SEQUENCE_MODEL_PATH);
        if (!sequenceModel.isEmpty()) {
            try (SequenceModel model = SequenceModel.load(Path.of(sequenceModel))) {
                model.version();
            }
        }
        LlmPool.parseTargets(options.get(JobOptions.WORKERS));
        DuetJob.llmTls(options);
        KafkaIo.clientProperties(options);
        DuetJob.routingSettings(options);
        String seed = options.get(JobOptions.CATALOG_SEED);
        if (!seed.isEmpty()) {
            UserHistory.readSeed(Path.of(seed));
        }
    }

    /** Builds the job with Kafka sources and sinks into {@code env}. */
    public static void addKafkaJob(StreamExecutionEnvironment env, Configuration options) throws Exception {
        configure(env, options);
        new DuetJob(
                        KafkaIo.source(options),
                        KafkaIo.exactlyOnceSink(options, options.get(JobOptions.TOPIC_RECOMMENDATIONS), "recommendations"),
                        KafkaIo.exactlyOnceSink(options, options.get(JobOptions.TOPIC_DEAD_LETTERS), "dead-letters"),
                        options,
                        OnnxCrmScorer.factory(options.get(JobOptions.INTRA_OP_THREADS)))
                .build(env);
    }
}
