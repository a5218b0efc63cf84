package dev.duet.job;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/** Every setting of the job, with its default and what it does (docs/job.md lists them). */
public final class JobOptions {

    private JobOptions() {}

    // Kafka
    public static final ConfigOption<String> BOOTSTRAP =
            key("kafka.bootstrap").stringType().defaultValue("127.0.0.1:9092")
                    .withDescription("Kafka bootstrap servers, host:port[,host:port...].");
    public static final ConfigOption<String> GROUP_ID =
            key("kafka.group-id").stringType().defaultValue("duet-job")
                    .withDescription("Consumer group of the input topics (offsets are committed on checkpoints).");
    public static final ConfigOption<Boolean> BOUNDED =
            key("kafka.bounded").booleanType().defaultValue(false)
                    .withDescription("Stop at the input topics' end offsets as of the job's start (replays and tests); otherwise run forever.");
    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
            key("kafka.transaction-timeout").durationType().defaultValue(Duration.ofMinutes(10))
                    .withDescription("transaction.timeout.ms of the exactly-once producers; must stay under the broker's transaction.max.timeout.ms (15 min by default).");
    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            key("kafka.transactional-id-prefix").stringType().defaultValue("duet-job")
                    .withDescription("Prefix of the sinks' transactional ids; unique per job writing to the same cluster.");
    public static final ConfigOption<String> CLIENT_PROPERTIES =
            key("kafka.client-properties").stringType().defaultValue("")
                    .withDescription("A Java properties file passed to every Kafka client of the job (source and sinks): security.protocol, sasl.*, ssl.* and other client settings; empty for none. Settings the job owns (bootstrap, group, isolation, transactions, serializers) are refused.");
    public static final ConfigOption<String> TOPIC_INTERACTIONS =
            key("topics.interactions").stringType().defaultValue("interactions").withDescription("Input topic of user interactions.");
    public static final ConfigOption<String> TOPIC_REQUESTS =
            key("topics.requests").stringType().defaultValue("requests").withDescription("Input topic of recommendation requests.");
    public static final ConfigOption<String> TOPIC_ITEMS =
            key("topics.items").stringType().defaultValue("items").withDescription("Input topic of the item catalog.");
    public static final ConfigOption<String> TOPIC_CONTROL =
            key("topics.control").stringType().defaultValue("duet-control").withDescription("Control topic: model hot swap commands.");
    public static final ConfigOption<String> TOPIC_RECOMMENDATIONS =
            key("topics.recommendations").stringType().defaultValue("recommendations").withDescription("Output topic, written exactly once.");
    public static final ConfigOption<String> TOPIC_DEAD_LETTERS =
            key("topics.dead-letters").stringType().defaultValue("dead-letters").withDescription("Topic of records that could not be parsed or validated.");

    // Model and scoring
    public static final ConfigOption<String> MODEL_PATH =
            key("model.path").stringType().defaultValue("runs/latest/model.onnx")
                    .withDescription("The CRM: an ONNX file following docs/model-contract.md (or a folder holding model.onnx), as the trainer writes it. The control topic can replace it at run time.");
    public static final ConfigOption<Integer> BATCH_SIZE =
            key("scoring.batch-size").intType().defaultValue(64)
                    .withDescription("Rows (candidates) per ONNX Runtime call; a batch is flushed when it is this full.");
    public static final ConfigOption<Duration> BATCH_MAX_DELAY =
            key("scoring.max-delay").durationType().defaultValue(Duration.ofMillis(20))
                    .withDescription("Longest a sample waits for its batch to fill (processing time).");

    public static final ConfigOption<Integer> INTRA_OP_THREADS =
            key("scoring.intra-op-threads").intType().defaultValue(1)
                    .withDescription("ONNX Runtime threads per CRM call. 1 runs the model on the calling task thread: the subtasks already keep the cores busy, and ONNX Runtime's own pool (0 lets it choose: a thread per core) spins while it waits, which cost about half a core (17 CPU-s in 35 s) in bench pipeline.");

    // State
    public static final ConfigOption<Integer> HISTORY_LENGTH =
            key("state.history-length").intType().defaultValue(50)
                    .withDescription("Most recent interactions kept per user (the sample uses the last 10).");
    public static final ConfigOption<Duration> STATE_TTL =
            key("state.ttl").durationType().defaultValue(Duration.ofDays(30))
                    .withDescription("Per-user and per-item state expires this long after its last update; 0 keeps it forever.");
    public static final ConfigOption<Integer> USER_CACHE_SIZE =
            key("state.user-cache-size").intType().defaultValue(10_000)
                    .withDescription("Users whose state each subtask keeps on the heap in front of RocksDB (least recently used evicted; about 3.5 KB each at a history of 50). Writes stay on the heap and reach RocksDB when the user is evicted and before every checkpoint barrier: a user with many events between two checkpoints costs one RocksDB write instead of one per event, and each checkpoint holds exactly what a write per event would have left. The state's time to live then counts from that write, at most one checkpoint interval late. 0 reads and writes RocksDB on every event; not used with job.state-backend HASHMAP, whose state is already on the heap. Metrics of the user operator: userStateCacheHits, userStateCacheMisses, userStateCacheWrites.");
    public static final ConfigOption<Integer> ITEM_CACHE_SIZE =
            key("state.item-cache-size").intType().defaultValue(50_000)
                    .withDescription("Items whose decayed interaction count each popularity subtask keeps on the heap in front of RocksDB (least recently used evicted; about 220 bytes each, 11 MB at the default). Written behind as state.user-cache-size is: an item touched many times between two checkpoints costs one RocksDB write instead of a read and a write per interaction. 0 reads and writes RocksDB on every interaction; not used with job.state-backend HASHMAP. Metrics of the popularity operator: itemStateCacheHits, itemStateCacheMisses, itemStateCacheWrites.");
    public static final ConfigOption<Duration> POPULARITY_HALF_LIFE =
            key("state.popularity-half-life").durationType().defaultValue(Duration.ofDays(7))
                    .withDescription("Half-life (event time) of an item's decayed interaction count.");
    public static final ConfigOption<Double> POPULARITY_UPDATE_TOLERANCE =
            key("state.popularity-update-tolerance").doubleType().defaultValue(0.05)
                    .withDescription("An item's count is broadcast to the user operators when it grew by more than this share"
                            + " over what they hold (they decay it themselves); 0 sends every change.");
    public static final ConfigOption<Integer> CANDIDATE_POOL =
            key("requests.candidate-pool").intType().defaultValue(100)
                    .withDescription("N: a request without candidates has this many retrieved for the CRM to rank: the sequence model's exact top N for the user's history (retrieval.sequence-model), else the N most popular items the user has not seen.");
    public static final ConfigOption<String> SEQUENCE_MODEL_PATH =
            key("retrieval.sequence-model").stringType().defaultValue("")
                    .withDescription("A next-item model (ONNX, docs/model-contract.md \"Next-item models\", e.g. the trainer's SASRec) that retrieves the candidates of requests without their own: its exact top requests.candidate-pool items over the catalog for the user's history, the user's own items left out. Empty: popularity retrieval. The control topic can set or replace it at run time ({\"target\": \"sequence-model\", \"model_path\": ...}).");
    public static final ConfigOption<Integer> RETRIEVAL_BATCH_SIZE =
            key("retrieval.batch-size").intType().defaultValue(16)
                    .withDescription("Requests per sequence-model call; a batch is flushed when it is this full or after scoring.max-delay.");
    public static final ConfigOption<Boolean> RETRIEVAL_SHADOW_POPULARITY =
            key("retrieval.shadow-popularity").booleanType().defaultValue(false)
                    .withDescription("For requests the sequence model serves, keep popularity's top k beside it, not sent, only measured: the hit@k metrics then compare sequence and popularity retrieval on the same interactions, and the output record carries both lists (popularity_items, retrieved_items).");
    public static final ConfigOption<String> CATALOG_SEED =
            key("catalog.seed-file").stringType().defaultValue("")
                    .withDescription("A JSON-lines file in the items topic's format that seeds the catalog; empty for none.");
    public static final ConfigOption<Duration> MAX_OUT_OF_ORDERNESS =
            key("events.max-out-of-orderness").durationType().defaultValue(Duration.ofSeconds(5))
                    .withDescription("Bounded out-of-orderness of the event-time watermarks; later events are counted as late and still update state.");

    // Routing
    public static final ConfigOption<Double> BUDGET_SHARE =
            key("routing.budget.share").doubleType().defaultValue(0.1)
                    .withDescription("Largest share of samples sent to the LLM, in (0, 1].");
    public static final ConfigOption<Double> BUDGET_RATE =
            key("routing.budget.rate").doubleType().defaultValue(0.0)
                    .withDescription("Largest number of samples per second sent to the LLM by the whole job; 0 for no rate limit.");
    public static final ConfigOption<Double> BUDGET_BURST =
            key("routing.budget.burst").doubleType().defaultValue(20.0)
                    .withDescription("Most unused share tokens a subtask may save up for a burst of hard samples.");
    public static final ConfigOption<Integer> BUDGET_HALF_LIFE =
            key("routing.budget.half-life-samples").intType().defaultValue(5000)
                    .withDescription("Half-life in samples of the score histogram the adaptive threshold is the quantile of.");
    public static final ConfigOption<Double> MIN_ENTROPY =
            key("routing.min-entropy").doubleType().defaultValue(0.5)
                    .withDescription("CoReLLa's entropy rule: least normalised CRM entropy (0..1) of a sample the LLM may get.");
    public static final ConfigOption<Double> MIN_GATE =
            key("routing.min-gate").doubleType().defaultValue(0.5)
                    .withDescription("Least selective-gate score of a sample the LLM may get. Unset with a calibration file from ./duet calibrate: the file's validation gate threshold for the calibrated budget nearest routing.budget.share.");
    public static final ConfigOption<String> GATE_CALIBRATION =
            key("routing.gate-calibration").stringType().defaultValue("")
                    .withDescription("JSON file with the gate weights {cold, tail, uncertainty, bias}, e.g. the calibration file of ./duet calibrate, whose feature scales, entropy floor and gate thresholds then stand in for routing.warm-history, routing.head-popularity, routing.min-entropy and routing.min-gate where those are not set; empty for the documented default weights (1.5, 1.0, 3.0, -2.5).");
    public static final ConfigOption<Integer> WARM_HISTORY =
            key("routing.warm-history").intType().defaultValue(10)
                    .withDescription("History length from which a user is no longer cold for the gate.");
    public static final ConfigOption<Double> HEAD_POPULARITY =
            key("routing.head-popularity").doubleType().defaultValue(100.0)
                    .withDescription("Decayed popularity from which an item is no longer long-tail for the gate.");

    // LLM pool
    public static final ConfigOption<Boolean> LLM_ENABLED =
            key("llm.enabled").booleanType().defaultValue(true)
                    .withDescription("Send hard samples to the LLM pool; false answers every sample with the CRM (entropy and gate are still reported), e.g. while the pool is provisioned.");
    public static final ConfigOption<String> WORKERS =
            key("llm.workers").stringType().defaultValue("127.0.0.1:50051")
                    .withDescription("LLM workers: host:port[,host:port...] balanced round-robin by the job, or dns:///name:port resolved by gRPC and balanced round-robin across its addresses.");
    public static final ConfigOption<Boolean> LLM_TLS =
            key("llm.tls.enabled").booleanType().defaultValue(false)
                    .withDescription("Speak TLS to the workers (they serve it with --tls-cert and --tls-key); plaintext otherwise.");
    public static final ConfigOption<String> LLM_TLS_CA_CERT =
            key("llm.tls.ca-cert").stringType().defaultValue("")
                    .withDescription("PEM file of the certificate authorities the workers' certificates are checked against; empty for the JVM's default trust store.");
    public static final ConfigOption<String> LLM_TLS_AUTHORITY =
            key("llm.tls.authority").stringType().defaultValue("")
                    .withDescription("Host name the workers' certificates must name, when it differs from the host in llm.workers; empty for that host.");
    public static final ConfigOption<Duration> LLM_TIMEOUT =
            key("llm.timeout").durationType().defaultValue(Duration.ofSeconds(2))
                    .withDescription("Async I/O timeout of one hard sample, retries included; then the CRM answers (route fallback).");
    public static final ConfigOption<Duration> LLM_CALL_TIMEOUT =
            key("llm.call-timeout").durationType().defaultValue(Duration.ofMillis(800))
                    .withDescription("gRPC deadline of one attempt.");
    public static final ConfigOption<Integer> LLM_CAPACITY =
            key("llm.capacity").intType().defaultValue(100)
                    .withDescription("Most hard samples in flight per subtask (async I/O capacity).");
    public static final ConfigOption<Integer> LLM_MAX_ATTEMPTS =
            key("llm.max-attempts").intType().defaultValue(3)
                    .withDescription("Attempts per sample on transient errors (UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED), each on the next worker.");
    public static final ConfigOption<Integer> BREAKER_FAILURES =
            key("llm.breaker.failures").intType().defaultValue(5)
                    .withDescription("Consecutive failures that open a worker's circuit breaker.");
    public static final ConfigOption<Duration> BREAKER_OPEN_TIME =
            key("llm.breaker.open-time").durationType().defaultValue(Duration.ofSeconds(5))
                    .withDescription("How long an open breaker rejects calls before one trial call.");
    public static final ConfigOption<Integer> RERANK_CANDIDATES =
            key("llm.rerank-candidates").intType().defaultValue(20)
                    .withDescription("A hard request sends its best this-many CRM candidates (at least k) to the LLM to rerank.");

    // Runtime
    public static final ConfigOption<Integer> PARALLELISM =
            key("job.parallelism").intType().defaultValue(2)
                    .withDescription("Parallelism of every operator. On a cluster (flink run, the Kubernetes operator) the cluster's parallelism.default or flink run -p when not given; the default is ./duet job's.");
    public static final ConfigOption<Boolean> OBJECT_REUSE =
            key("job.object-reuse").booleanType().defaultValue(true)
                    .withDescription("Hand records between chained operators without copying them (Flink's object reuse). Safe for this job: its operators never change or keep a record after emitting it, except to hand it on. Without it every hop deep-copies each task (ScoringTask with its history) by reflection.");
    public static final ConfigOption<Duration> BUFFER_TIMEOUT =
            key("job.buffer-timeout").durationType().defaultValue(Duration.ofMillis(10))
                    .withDescription("Longest a record waits in a network buffer before it is sent (Flink's buffer timeout; Flink's own default is 100 ms). Each exchange adds up to this much latency when buffers do not fill; lower values send smaller buffers more often, which costs CPU (10 ms showed no throughput cost in docs/benchmarks.md and cut the median latency at 5,000 events/s from about 75 to 25-29 ms).");
    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            key("job.checkpoint-interval").durationType().defaultValue(Duration.ofSeconds(10))
                    .withDescription("Exactly-once checkpoint interval; outputs become visible to read_committed consumers on checkpoints. On a cluster its execution.checkpointing.interval when not given (this default only if the cluster sets none).");
    /** Where keyed state lives. */
    public enum StateBackend {
        ROCKSDB,
        HASHMAP
    }

    public static final ConfigOption<StateBackend> STATE_BACKEND =
            key("job.state-backend").enumType(StateBackend.class).defaultValue(StateBackend.ROCKSDB)
                    .withDescription("Where per-user and per-item state lives: ROCKSDB (on local disk, incremental checkpoints; state may outgrow the heap) or HASHMAP (on the heap: in docs/benchmarks.md the checkpoint's synchronous part on the task thread is 8 ms median against RocksDB's 46, no checkpoint latency spikes after start-up, CRM-route p99 53 and 174 ms at 5,000 events/s in two runs, the second set by its first seconds, against 122 to 246 with RocksDB and the state caches; for deployments whose state fits in memory).");
    public static final ConfigOption<String> ROCKSDB_DIR =
            key("job.rocksdb-dir").stringType().defaultValue("")
                    .withDescription("Folder of RocksDB's working files (Flink's state.backend.rocksdb.localdir); empty leaves Flink's choice (its io.tmp.dirs, or what the cluster sets). These files are rebuilt from the last checkpoint after a failure, so they need speed, not durability, yet every checkpoint's synchronous part on the task thread waits while RocksDB flushes and syncs them (a native checkpoint, in incremental and full mode alike). In docs/benchmarks.md, on tmpfs (/dev/shm) instead of the machine's disk that part took about half as long (user chain 18 to 24 against 34 to 46 ms median at 5,000 events/s, item popularity 10 to 13 against 26 to 28), while the CRM-route p99 stayed within the runs' spread (58 to 71 against 59 to 100 ms). tmpfs keeps the files in memory, so use it only where the state fits; otherwise the fastest local disk.");
    public static final ConfigOption<String> CHECKPOINT_DIR =
            key("job.checkpoint-dir").stringType().defaultValue("file:///tmp/duet-checkpoints")
                    .withDescription("Where checkpoints go (a URI); incremental with RocksDB. On a cluster its execution.checkpointing.dir when not given; the default is ./duet job's.");
    public static final ConfigOption<Boolean> FRESH =
            key("job.fresh").booleanType().defaultValue(false)
                    .withDescription("`job` command: start with empty state instead of resuming from the latest completed checkpoint in job.checkpoint-dir (input offsets still come from the consumer group).");
    public static final ConfigOption<String> FROM_SAVEPOINT =
            key("job.from-savepoint").stringType().defaultValue("")
                    .withDescription("`job` command: restore this savepoint or retained checkpoint (a chk-N or savepoint folder, or its _metadata file) instead of the latest completed checkpoint; empty for the latest.");
    public static final ConfigOption<Integer> WEB_PORT =
            key("job.web-port").intType().defaultValue(8081)
                    .withDescription("Port of the Flink dashboard of the local MiniCluster (`job` command only).");
    public static final ConfigOption<Integer> RANKING_USERS =
            key("metrics.ranking-users").intType().defaultValue(100_000)
                    .withDescription("Users per subtask whose last answered request (its top k, route and retrieval source) is kept on the heap for the live hit@k metrics (least recently used evicted, not checkpointed: after a restore, or for an evicted user, an interaction counts as untracked until the user's next request).");
    public static final ConfigOption<Integer> METRICS_WINDOW =
            key("metrics.window").intType().defaultValue(10_000)
                    .withDescription("Labelled samples per route the live AUC and LogLoss are computed over.");

    /** All options, in declaration order. */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field f : JobOptions.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigOption.class) {
                try {
                    options.add((ConfigOption<?>) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return options;
    }
}
