package dev.duet.job.operators;

import dev.duet.core.onnx.SharedSessions;
import dev.duet.core.sequence.SequenceModel;
import dev.duet.job.model.EventKind;
import dev.duet.job.model.ItemDescriptor;
import dev.duet.job.model.RetrievalSource;
import dev.duet.job.model.ScoringTask;
import dev.duet.job.scoring.ModelSwapper;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Candidate retrieval, the step between the user operator and CRM scoring: a request without its
 * own candidates gets the sequence model's exact top N ({@code requests.candidate-pool}) for the
 * user's history instead of the popularity candidates the user operator gave it; everything else
 * passes through. Popularity stays when no sequence model is set, and for a user none of whose
 * items the model knows (its list would say nothing about the user); both are counted.
 *
 * <p>Requests are retrieved in micro-batches (one ONNX Runtime call per {@code
 * retrieval.batch-size} requests or per {@code scoring.max-delay}); while a batch is pending,
 * every task waits behind it, so a user's events leave in the order they came. The buffer is
 * flushed before every checkpoint barrier and at the end of input, so it holds no state.
 *
 * <p>Hot swap as in {@link CrmBatchScorer}, by the same {@link ModelSwapper}: a control record
 * naming a sequence model (a {@link EventKind#CONTROL} task from the user operator, passed on in
 * order) starts opening it on a background thread while the current model (or popularity) keeps
 * retrieving; it is installed at the start of the next batch. A path that does not load is logged
 * at ERROR, counted ({@code sequenceModelLoadFailures}) and tried again after 1 s, the delay
 * doubling up to 60 s.
 */
public class CandidateRetrieval extends MicroBatchingOperator {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CandidateRetrieval.class);
    private static final int MAX_OPEN_MODELS = 3;
    /** The path of "no sequence model": popularity retrieval. */
    private static final String NONE = "";

    /**
     * @param sequenceModelPath the configured sequence model ("" for none: popularity)
     * @param candidates N, items retrieved per request
     * @param batchSize requests per sequence-model call
     * @param maxDelayMs longest a request waits for its batch
     * @param intraOpThreads ONNX Runtime threads per call (0: its default)
     * @param shadowPopularity keep popularity's top k beside the sequence model's, for measurement
     */
    public record Settings(String sequenceModelPath, int candidates, int batchSize, long maxDelayMs, int intraOpThreads,
            boolean shadowPopularity) implements Serializable {
        public Settings {
            if (candidates < 1 || batchSize < 1 || maxDelayMs < 0 || intraOpThreads < 0) {
                throw new IllegalArgumentException("retrieval needs N >= 1, a batch size >= 1, a delay >= 0 and threads >= 0");
            }
            sequenceModelPath = sequenceModelPath == null ? NONE : sequenceModelPath;
        }
    }

    /** Opens a sequence model file; shipped with the job graph (tests slow it down). */
    @FunctionalInterface
    interface Opener extends Serializable {
        SequenceModel open(Path file, int intraOpThreads) throws Exception;
    }

    private final Settings settings;
    private final ModelSwapper.Backoff retryDelays;
    private final Opener opener;

    private transient List<ScoringTask> buffer;
    private transient int pending;
    private transient ModelSwapper<SequenceModel> models;
    private transient Histogram batchSizes;
    private transient Counter sequenceRetrievals;
    private transient Counter popularityRetrievals;
    private transient Counter coldUsers;
    private transient Counter unknownHistoryItems;
    private transient Counter failedRetrievals;
    private transient Counter unresolvedCatalog;

    public CandidateRetrieval(Settings settings) {
        this(settings, ModelSwapper.Backoff.DEFAULT, (file, threads) -> SequenceModel.load(file, SharedSessions.Device.CPU, threads));
    }

    /** With other delays between attempts at a model that failed to load, and another opener (tests). */
    CandidateRetrieval(Settings settings, ModelSwapper.Backoff retryDelays, Opener opener) {
        this.settings = settings;
        this.retryDelays = retryDelays;
        this.opener = opener;
    }

    @Override
    public void open() throws Exception {
        super.open();
        buffer = new ArrayList<>();
        // A configured model that does not load stops the start.
        models = new ModelSwapper<>("sequence model", "retrieving", this::load, SequenceModel::version, retryDelays, LOG,
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), settings.sequenceModelPath());
        batchSizes = getMetricGroup().histogram("retrievalBatchSize", new DescriptiveStatisticsHistogram(1000));
        sequenceRetrievals = getMetricGroup().counter("retrievalSequence");
        popularityRetrievals = getMetricGroup().counter("retrievalPopularity");
        coldUsers = getMetricGroup().counter("retrievalColdUsers");
        unknownHistoryItems = getMetricGroup().counter("retrievalUnknownHistoryItems");
        failedRetrievals = getMetricGroup().counter("retrievalFailures");
        unresolvedCatalog = getMetricGroup().counter("retrievalUnresolvedCatalog");
        ModelSwapper<SequenceModel> swapper = models;
        getMetricGroup().counter("sequenceModelSwaps", new SuppliedCounter(swapper::swaps));
        getMetricGroup().counter("sequenceModelLoadFailures", new SuppliedCounter(swapper::failures));
        // Numeric, so every metric reporter exports it (Prometheus reads a String gauge as 0); the
        // version itself is in every output's retrieval_model_version. 0: popularity.
        getMetricGroup().gauge("sequenceModelVersionHash", swapper::versionHash);
        getMetricGroup().gauge("sequenceModelSwapPending", () -> swapper.pending() ? 1 : 0);
    }

    /** The sequence model at {@code path}; none ("") is popularity retrieval. */
    private SequenceModel load(String path) throws Exception {
        if (path.isEmpty()) {
            return null;
        }
        return opener.open(Path.of(path), settings.intraOpThreads());
    }

    @Override
    public void processElement(StreamRecord<ScoringTask> element) throws Exception {
        ScoringTask task = element.getValue();
        if (task.kind == EventKind.CONTROL && task.sequenceModelPath != null) {
            models.request(task.sequenceModelPath);
        }
        boolean retrieve = task.retrievalHistory != null;
        if (retrieve) {
            models.follow(task.sequenceModelPath == null || task.sequenceModelPath.isEmpty()
                    ? settings.sequenceModelPath() : task.sequenceModelPath);
        }
        if (!retrieve && buffer.isEmpty()) {
            output.collect(element);
            return;
        }
        buffer.add(task);
        if (retrieve && ++pending >= settings.batchSize()) {
            flush();
        } else {
            flushWithin(settings.maxDelayMs());
        }
    }

    /** Retrieves for every buffered request in one call, then emits all in order. */
    @Override
    protected void flush() throws Exception {
        if (buffer == null || buffer.isEmpty()) {
            return;
        }
        List<ScoringTask> tasks = buffer;
        buffer = new ArrayList<>();
        pending = 0;
        models.swapIfReady(); // the safe point: no batch is using the current model
        List<ScoringTask> requests = new ArrayList<>();
        for (ScoringTask t : tasks) {
            if (t.retrievalHistory != null) {
                requests.add(t);
            }
        }
        if (!requests.isEmpty()) {
            if (models.model() == null) {
                popularityRetrievals.inc(requests.size());
            } else {
                retrieve(models.currentPath(), models.model(), requests);
            }
        }
        for (ScoringTask t : tasks) {
            t.retrievalHistory = null;
            output.collect(new StreamRecord<>(t, t.timestampMs));
        }
    }

    private void retrieve(String path, SequenceModel model, List<ScoringTask> tasks) throws Exception {
        List<String[]> histories = new ArrayList<>(tasks.size());
        for (ScoringTask t : tasks) {
            histories.add(t.retrievalHistory);
        }
        List<SequenceModel.Retrieved> retrieved;
        try {
            // The user's items are both what the model reads and what it must not retrieve.
            retrieved = model.topN(histories, histories, settings.candidates());
        } catch (Exception e) {
            // Counted and logged; the requests keep their popularity candidates.
            if (failedRetrievals.getCount() == 0) {
                LOG.error("Sequence model {} failed to retrieve; requests keep popularity candidates: {}", path, e.toString());
            }
            failedRetrievals.inc(tasks.size());
            popularityRetrievals.inc(tasks.size());
            return;
        }
        batchSizes.update(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            ScoringTask t = tasks.get(i);
            SequenceModel.Retrieved r = retrieved.get(i);
            unknownHistoryItems.inc(r.unknownHistoryItems());
            CatalogViews.View view = CatalogViews.get(t.catalogHandle);
            if (r.knownHistoryItems() == 0 || r.itemIds().length == 0 || view == null) {
                if (view == null) {
                    unresolvedCatalog.inc();
                } else {
                    coldUsers.inc();
                }
                popularityRetrievals.inc();
                continue;
            }
            int k = Math.max(1, t.k);
            if (settings.shadowPopularity()) {
                t.shadowPopularityItems = firstIds(t.candidates, k);
                t.retrievedItems = Arrays.copyOf(r.itemIds(), Math.min(k, r.itemIds().length));
            }
            ItemDescriptor[] candidates = new ItemDescriptor[r.itemIds().length];
            double[] popularity = new double[candidates.length];
            for (int c = 0; c < candidates.length; c++) {
                candidates[c] = view.item(r.itemIds()[c]);
                popularity[c] = view.popularity(r.itemIds()[c], t.timestampMs);
            }
            t.candidates = candidates;
            t.candidatePopularity = popularity;
            t.retrievalSource = RetrievalSource.SEQUENCE;
            t.retrievalModelVersion = model.version();
            sequenceRetrievals.inc();
        }
    }

    private static String[] firstIds(ItemDescriptor[] items, int k) {
        String[] ids = new String[Math.min(k, items == null ? 0 : items.length)];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = items[i].itemId;
        }
        return ids;
    }

    /** The version retrieving now ("none": popularity), as the gauge shows it. */
    String currentVersion() {
        return models.currentVersion();
    }

    /** Whether a requested model is still loading or waiting for a retry (tests). */
    boolean swapPending() {
        return models.pending();
    }

    /** Whether a requested model has loaded and will be used from the next batch on (tests). */
    boolean swapReady() {
        return models.readyToSwap();
    }

    @Override
    public void close() throws Exception {
        if (models != null) {
            models.close();
            models = null;
        }
        super.close();
    }
}
