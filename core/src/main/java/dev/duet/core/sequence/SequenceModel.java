package dev.duet.core.sequence;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.features.ModelContract;
import dev.duet.core.onnx.SharedSessions;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A next-item (sequence) model as served: an ONNX file following {@link SequenceModelContract},
 * run by ONNX Runtime on a session shared by every user in the JVM ({@link SharedSessions}). The
 * item vocabulary and settings come from the file's metadata, so the file is all a consumer needs.
 *
 * <p>Two uses: {@link #score} rates given candidates as the user's next item, and {@link #topN}
 * retrieves the exact best N items of the whole catalog (from {@code catalog_scores}, the user's
 * own items and padding excluded). Both take a batch of users and run one ONNX Runtime call.
 *
 * <p>Ids the model does not know: history items are skipped (the rest of the history keeps its
 * order); candidates get {@link #UNKNOWN_CANDIDATE_SCORE}, below every candidate the model knows.
 * Both are counted ({@link #unknownHistoryItems()}, {@link #unknownCandidates()}).
 *
 * <p>Thread-safe: calls may run concurrently.
 */
public final class SequenceModel implements AutoCloseable {

    /** The score of a candidate the model has no row for: it ranks below every known candidate. */
    public static final float UNKNOWN_CANDIDATE_SCORE = Float.NEGATIVE_INFINITY;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final SharedSessions.Lease lease;
    private final String name;
    private final String version;
    private final String dataset;
    private final int maxHistory;
    private final int dim;
    /** Row r holds the id of item row r; row 0 (padding) is null. */
    private final String[] itemIds;
    private final Map<String, Integer> rows;
    private final AtomicLong unknownHistoryItems = new AtomicLong();
    private final AtomicLong unknownCandidates = new AtomicLong();

    private SequenceModel(Path file, SharedSessions.Lease lease, Map<String, String> meta, String[] itemIds, int maxHistory,
            int dim) {
        this.file = file;
        this.lease = lease;
        this.name = meta.getOrDefault(SequenceModelContract.META_NAME, "sequence");
        this.version = meta.getOrDefault(SequenceModelContract.META_VERSION, "unversioned");
        this.dataset = meta.getOrDefault(SequenceModelContract.META_DATASET, "");
        this.maxHistory = maxHistory;
        this.dim = dim;
        this.itemIds = itemIds;
        this.rows = new HashMap<>(itemIds.length * 2);
        for (int r = 1; r < itemIds.length; r++) {
            rows.put(itemIds[r], r);
        }
    }

    /** Loads a model file (or a folder holding {@code model.onnx}) on the CPU. */
    public static SequenceModel load(Path path) throws OrtException {
        return load(path, SharedSessions.Device.CPU, 0);
    }

    /**
     * Loads a model file (or a folder holding {@code model.onnx}).
     *
     * @throws IllegalArgumentException naming the file when it is missing or is not a next-item
     *     model following the contract (a CTR model given here says so)
     */
    public static SequenceModel load(Path path, SharedSessions.Device device, int threads) throws OrtException {
        Path file = Files.isDirectory(path) ? path.resolve("model.onnx") : path;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("Sequence model file not found: " + file.toAbsolutePath());
        }
        SharedSessions.Lease lease = SharedSessions.acquire(file, device, threads);
        try {
            OrtSession session = lease.session();
            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            checkTask(file, meta);
            for (String input : List.of(SequenceModelContract.INPUT_HISTORY, SequenceModelContract.INPUT_CANDIDATES)) {
                if (!session.getInputNames().contains(input)) {
                    throw new IllegalArgumentException(file + " lacks the next-item model input '" + input + "'");
                }
            }
            for (String output : List.of(SequenceModelContract.OUTPUT_SCORES, SequenceModelContract.OUTPUT_CATALOG_SCORES)) {
                if (!session.getOutputNames().contains(output)) {
                    throw new IllegalArgumentException(file + " lacks the next-item model output '" + output + "'");
                }
            }
            String[] itemIds = vocabulary(file, meta.get(SequenceModelContract.META_ITEM_VOCABULARY));
            int maxHistory = positive(file, meta, SequenceModelContract.META_MAX_HISTORY);
            int dim = positive(file, meta, SequenceModelContract.META_EMBEDDING_DIM);
            NodeInfo catalog = session.getOutputInfo().get(SequenceModelContract.OUTPUT_CATALOG_SCORES);
            long[] shape = ((TensorInfo) catalog.getInfo()).getShape();
            long width = shape[shape.length - 1];
            if (width > 0 && width != itemIds.length) {
                throw new IllegalArgumentException(file + ": output '" + SequenceModelContract.OUTPUT_CATALOG_SCORES + "' has "
                        + width + " columns but the item vocabulary has " + (itemIds.length - 1) + " items (expected "
                        + itemIds.length + " columns: padding row 0 plus one per item)");
            }
            return new SequenceModel(file, lease, meta, itemIds, maxHistory, dim);
        } catch (RuntimeException | OrtException e) {
            lease.close();
            throw e;
        }
    }

    /** A CTR model carries no task key (or "ctr"); anything but "next-item" is refused here. */
    private static void checkTask(Path file, Map<String, String> meta) {
        String task = meta.get(SequenceModelContract.META_TASK);
        if (task == null || task.equals(SequenceModelContract.TASK_CTR)) {
            String why = task == null
                    ? "no '" + SequenceModelContract.META_TASK + "' metadata"
                    : "'" + SequenceModelContract.META_TASK + "' = '" + task + "'";
            String crm = meta.containsKey(ModelContract.META_ENCODING) ? " (it carries a feature encoding)" : "";
            throw new IllegalArgumentException(file + " is a CTR (click) model" + crm + ", not a next-item model ("
                    + why + "): give it as the CRM, and a sequence model here (docs/model-contract.md)");
        }
        if (!task.equals(SequenceModelContract.TASK_NEXT_ITEM)) {
            throw new IllegalArgumentException(file + " has '" + SequenceModelContract.META_TASK + "' = '" + task
                    + "', expected '" + SequenceModelContract.TASK_NEXT_ITEM + "'");
        }
    }

    private static String[] vocabulary(Path file, String json) {
        String key = SequenceModelContract.META_ITEM_VOCABULARY;
        if (json == null) {
            throw new IllegalArgumentException(file + " has no '" + key + "' metadata (the item ids of rows 1..N)");
        }
        JsonNode array;
        try {
            array = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": metadata '" + key + "' is not JSON: " + e.getMessage());
        }
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw new IllegalArgumentException(file + ": metadata '" + key + "' must be a non-empty JSON array of item ids");
        }
        String[] ids = new String[array.size() + 1];
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode id = array.get(i);
            if (!id.isTextual() && !id.isIntegralNumber()) {
                throw new IllegalArgumentException(file + ": metadata '" + key + "' entry " + i + " is not an id: " + id);
            }
            if (!seen.add(id.asText())) {
                throw new IllegalArgumentException(file + ": metadata '" + key + "' repeats the item '" + id.asText() + "'");
            }
            ids[i + 1] = id.asText();
        }
        return ids;
    }

    private static int positive(Path file, Map<String, String> meta, String key) {
        String text = meta.get(key);
        if (text == null) {
            throw new IllegalArgumentException(file + " has no '" + key + "' metadata");
        }
        try {
            int value = Integer.parseInt(text.trim());
            if (value < 1) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": metadata '" + key + "' must be a positive integer, got '" + text + "'");
        }
    }

    /** The item's row (1..N), or {@link SequenceModelContract#PADDING_ROW} when the model does not know it. */
    public int row(String itemId) {
        Integer r = rows.get(itemId);
        return r == null ? SequenceModelContract.PADDING_ROW : r;
    }

    /** Whether the model has a row for the item. */
    public boolean knows(String itemId) {
        return rows.containsKey(itemId);
    }

    /** The id of item row {@code row} (1..N). */
    public String itemId(int row) {
        if (row < 1 || row >= itemIds.length) {
            throw new IndexOutOfBoundsException("item row " + row + " outside 1.." + (itemIds.length - 1));
        }
        return itemIds[row];
    }

    /**
     * A user's history as the model's input row: the last {@link #maxHistory()} items it knows,
     * oldest first, right-aligned, padding on the left. Unknown items are skipped and counted.
     *
     * @param items the user's items, oldest first
     */
    public HistoryRow historyRow(String[] items) {
        long[] row = new long[maxHistory];
        int at = maxHistory;
        int unknown = 0;
        for (int i = items.length - 1; i >= 0 && at > 0; i--) {
            Integer r = rows.get(items[i]);
            if (r == null) {
                unknown++;
            } else {
                row[--at] = r;
            }
        }
        unknownHistoryItems.addAndGet(unknown);
        return new HistoryRow(row, maxHistory - at, unknown);
    }

    /**
     * One user's history as model rows.
     *
     * @param rows right-aligned item rows, length {@link #maxHistory()}
     * @param known how many of them are items (the rest is padding)
     * @param unknown items of the history skipped because the model does not know them (counted
     *     among the most recent items read until the row was full)
     */
    public record HistoryRow(long[] rows, int known, int unknown) {}

    /**
     * Scores each user's candidates as the next item, in one ONNX Runtime call. A candidate the
     * model does not know gets {@link #UNKNOWN_CANDIDATE_SCORE} and is counted.
     *
     * @param histories each user's items, oldest first
     * @param candidates each user's candidate ids (any number, may differ per user)
     */
    public CandidateScores score(List<String[]> histories, List<String[]> candidates) throws OrtException {
        int b = histories.size();
        if (candidates.size() != b) {
            throw new IllegalArgumentException(b + " histories but " + candidates.size() + " candidate lists");
        }
        float[][] scores = new float[b][];
        if (b == 0) {
            return new CandidateScores(scores, 0);
        }
        int width = 1;
        for (String[] c : candidates) {
            width = Math.max(width, c.length);
        }
        long[] candidateRows = new long[b * width];
        int unknown = 0;
        for (int u = 0; u < b; u++) {
            String[] c = candidates.get(u);
            for (int i = 0; i < c.length; i++) {
                int r = row(c[i]);
                if (r == SequenceModelContract.PADDING_ROW) {
                    unknown++;
                }
                candidateRows[u * width + i] = r;
            }
        }
        unknownCandidates.addAndGet(unknown);
        float[] out = run(historyRows(histories), b, candidateRows, width, SequenceModelContract.OUTPUT_SCORES, b * width);
        for (int u = 0; u < b; u++) {
            String[] c = candidates.get(u);
            scores[u] = new float[c.length];
            for (int i = 0; i < c.length; i++) {
                scores[u][i] = candidateRows[u * width + i] == SequenceModelContract.PADDING_ROW
                        ? UNKNOWN_CANDIDATE_SCORE
                        : out[u * width + i];
            }
        }
        return new CandidateScores(scores, unknown);
    }

    /**
     * Scores of each user's candidates, in the order given.
     *
     * @param unknownCandidates candidates in this call the model had no row for (scored {@link
     *     #UNKNOWN_CANDIDATE_SCORE})
     */
    public record CandidateScores(float[][] scores, int unknownCandidates) {}

    /**
     * Scores each user's candidates like {@link #score} and also returns the behaviour vectors a
     * hybrid LLM prompt carries (LLaRA): the user's sequence vector, each history item's and each
     * candidate's item vector, in one ONNX Runtime call.
     *
     * @param histories each user's items, oldest first
     * @param candidates each user's candidate ids
     * @throws IllegalStateException naming the file when the model lacks the vector outputs
     */
    public Behaviour behaviour(List<String[]> histories, List<String[]> candidates) throws OrtException {
        int b = histories.size();
        if (candidates.size() != b) {
            throw new IllegalArgumentException(b + " histories but " + candidates.size() + " candidate lists");
        }
        for (String output : List.of(SequenceModelContract.OUTPUT_USER_VECTOR, SequenceModelContract.OUTPUT_HISTORY_VECTORS,
                SequenceModelContract.OUTPUT_CANDIDATE_VECTORS)) {
            if (!lease.session().getOutputNames().contains(output)) {
                throw new IllegalStateException(file + " lacks the output '" + output
                        + "': it gives no behaviour vectors for hybrid prompts (docs/model-contract.md)");
            }
        }
        if (b == 0) {
            return new Behaviour(new float[0][], new float[0][], new float[0][][], new float[0][][], 0);
        }
        int width = 1;
        for (String[] c : candidates) {
            width = Math.max(width, c.length);
        }
        long[] history = new long[b * maxHistory];
        int[][] historyIndex = new int[b][];
        for (int u = 0; u < b; u++) {
            String[] items = histories.get(u);
            HistoryRow row = historyRow(items);
            System.arraycopy(row.rows(), 0, history, u * maxHistory, maxHistory);
            historyIndex[u] = readPositions(items);
        }
        long[] candidateRows = new long[b * width];
        int unknown = 0;
        for (int u = 0; u < b; u++) {
            String[] c = candidates.get(u);
            for (int i = 0; i < c.length; i++) {
                int r = row(c[i]);
                unknown += r == SequenceModelContract.PADDING_ROW ? 1 : 0;
                candidateRows[u * width + i] = r;
            }
        }
        unknownCandidates.addAndGet(unknown);
        Map<String, float[]> out = run(history, b, candidateRows, width, Map.of(
                SequenceModelContract.OUTPUT_SCORES, b * width,
                SequenceModelContract.OUTPUT_USER_VECTOR, b * dim,
                SequenceModelContract.OUTPUT_HISTORY_VECTORS, b * maxHistory * dim,
                SequenceModelContract.OUTPUT_CANDIDATE_VECTORS, b * width * dim));
        float[] scoreValues = out.get(SequenceModelContract.OUTPUT_SCORES);
        float[] userValues = out.get(SequenceModelContract.OUTPUT_USER_VECTOR);
        float[] historyValues = out.get(SequenceModelContract.OUTPUT_HISTORY_VECTORS);
        float[] candidateValues = out.get(SequenceModelContract.OUTPUT_CANDIDATE_VECTORS);
        float[][] scores = new float[b][];
        float[][] users = new float[b][];
        float[][][] historyVectors = new float[b][][];
        float[][][] candidateVectors = new float[b][][];
        for (int u = 0; u < b; u++) {
            users[u] = Arrays.copyOfRange(userValues, u * dim, (u + 1) * dim);
            historyVectors[u] = new float[histories.get(u).length][];
            for (int column = 0; column < maxHistory; column++) {
                int index = historyIndex[u][column];
                if (index >= 0) {
                    int at = (u * maxHistory + column) * dim;
                    historyVectors[u][index] = Arrays.copyOfRange(historyValues, at, at + dim);
                }
            }
            String[] c = candidates.get(u);
            scores[u] = new float[c.length];
            candidateVectors[u] = new float[c.length][];
            for (int i = 0; i < c.length; i++) {
                boolean known = candidateRows[u * width + i] != SequenceModelContract.PADDING_ROW;
                scores[u][i] = known ? scoreValues[u * width + i] : UNKNOWN_CANDIDATE_SCORE;
                if (known) {
                    int at = (u * width + i) * dim;
                    candidateVectors[u][i] = Arrays.copyOfRange(candidateValues, at, at + dim);
                }
            }
        }
        return new Behaviour(scores, users, historyVectors, candidateVectors, unknown);
    }

    /**
     * Candidate scores with the behaviour vectors of a hybrid prompt.
     *
     * @param scores {@code [users][candidates]}, as {@link #score} gives them
     * @param userVectors {@code [users][D]}: the sequence encoder's output
     * @param historyVectors {@code [users][history items given]}: each item's vector, null for an item
     *     the model did not read (unknown to it, or older than its last {@link #maxHistory()} known items)
     * @param candidateVectors {@code [users][candidates]}: null for a candidate the model does not know
     * @param unknownCandidates candidates in this call the model had no row for
     */
    public record Behaviour(float[][] scores, float[][] userVectors, float[][][] historyVectors,
            float[][][] candidateVectors, int unknownCandidates) {}

    /** For each column of {@link #historyRow}, the index in {@code items} it came from (-1: padding). */
    private int[] readPositions(String[] items) {
        int[] index = new int[maxHistory];
        Arrays.fill(index, -1);
        int at = maxHistory;
        for (int i = items.length - 1; i >= 0 && at > 0; i--) {
            if (rows.containsKey(items[i])) {
                index[--at] = i;
            }
        }
        return index;
    }

    /**
     * Retrieves each user's exact top {@code n} items over the whole catalog by {@code
     * catalog_scores}, best first (ties: lower row first), in one ONNX Runtime call. Padding and
     * the items in {@code exclude} (the user's own, seen items) are never returned.
     *
     * @param histories each user's items, oldest first (the model reads the last it knows)
     * @param exclude each user's items not to retrieve (may be longer than the model's history)
     */
    public List<Retrieved> topN(List<String[]> histories, List<String[]> exclude, int n) throws OrtException {
        int b = histories.size();
        if (exclude.size() != b) {
            throw new IllegalArgumentException(b + " histories but " + exclude.size() + " exclusion lists");
        }
        if (n < 1) {
            throw new IllegalArgumentException("n must be positive, got " + n);
        }
        if (b == 0) {
            return List.of();
        }
        HistoryRow[] encoded = new HistoryRow[b];
        long[] history = new long[b * maxHistory];
        for (int u = 0; u < b; u++) {
            encoded[u] = historyRow(histories.get(u));
            System.arraycopy(encoded[u].rows(), 0, history, u * maxHistory, maxHistory);
        }
        int columns = itemIds.length;
        float[] catalog = run(history, b, new long[b], 1, SequenceModelContract.OUTPUT_CATALOG_SCORES, b * columns);
        Retrieved[] result = new Retrieved[b];
        for (int u = 0; u < b; u++) {
            int[] excluded = excludedRows(exclude.get(u));
            int[] best = TopRows.select(catalog, u * columns, columns, n, excluded);
            String[] ids = new String[best.length];
            float[] scores = new float[best.length];
            for (int i = 0; i < best.length; i++) {
                ids[i] = itemIds[best[i]];
                scores[i] = catalog[u * columns + best[i]];
            }
            result[u] = new Retrieved(ids, scores, encoded[u].known(), encoded[u].unknown());
        }
        return Arrays.asList(result);
    }

    /**
     * One user's retrieved items, best first.
     *
     * @param knownHistoryItems history items the model read (0: it saw only padding, so the list
     *     says nothing about this user)
     * @param unknownHistoryItems history items skipped because the model does not know them
     */
    public record Retrieved(String[] itemIds, float[] scores, int knownHistoryItems, int unknownHistoryItems) {}

    private int[] excludedRows(String[] items) {
        int[] out = new int[items.length];
        int n = 0;
        for (String id : items) {
            Integer r = rows.get(id);
            if (r != null) {
                out[n++] = r;
            }
        }
        return Arrays.copyOf(out, n);
    }

    private long[] historyRows(List<String[]> histories) {
        long[] history = new long[histories.size() * maxHistory];
        for (int u = 0; u < histories.size(); u++) {
            System.arraycopy(historyRow(histories.get(u)).rows(), 0, history, u * maxHistory, maxHistory);
        }
        return history;
    }

    /** One ONNX Runtime call that fetches only {@code output}. */
    private float[] run(long[] history, int b, long[] candidates, int width, String output, int expected) throws OrtException {
        return run(history, b, candidates, width, Map.of(output, expected)).get(output);
    }

    /** One ONNX Runtime call that fetches the given outputs (name to expected value count). */
    private Map<String, float[]> run(long[] history, int b, long[] candidates, int width, Map<String, Integer> outputs)
            throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor historyTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(history), new long[] {b, maxHistory});
                OnnxTensor candidateTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(candidates), new long[] {b, width})) {
            Map<String, OnnxTensor> inputs = Map.of(
                    SequenceModelContract.INPUT_HISTORY, historyTensor,
                    SequenceModelContract.INPUT_CANDIDATES, candidateTensor);
            try (OrtSession.Result result = lease.session().run(inputs, outputs.keySet())) {
                Map<String, float[]> values = new HashMap<>();
                for (Map.Entry<String, Integer> o : outputs.entrySet()) {
                    String output = o.getKey();
                    int expected = o.getValue();
                    OnnxValue value = result.get(output).orElseThrow(() -> new IllegalStateException(file + " gave no '" + output + "'"));
                    FloatBuffer buffer = ((OnnxTensor) value).getFloatBuffer();
                    if (buffer.remaining() != expected) {
                        throw new IllegalStateException(file + ": output '" + output + "' has " + buffer.remaining()
                                + " values, expected " + expected);
                    }
                    float[] out = new float[expected];
                    buffer.get(out);
                    values.put(output, out);
                }
                return values;
            }
        }
    }

    /** Items in the catalog (N, padding not counted). */
    public int catalogSize() {
        return itemIds.length - 1;
    }

    /** L: the history length the model reads. */
    public int maxHistory() {
        return maxHistory;
    }

    /** D: the width of the user and item vectors. */
    public int embeddingDim() {
        return dim;
    }

    /** The model's version from its metadata; outputs it retrieved for name it. */
    public String version() {
        return version;
    }

    public String name() {
        return name;
    }

    public String dataset() {
        return dataset;
    }

    public Path file() {
        return file;
    }

    /** History items skipped since load because the model does not know them. */
    public long unknownHistoryItems() {
        return unknownHistoryItems.get();
    }

    /** Candidates scored {@link #UNKNOWN_CANDIDATE_SCORE} since load. */
    public long unknownCandidates() {
        return unknownCandidates.get();
    }

    /** Releases this model's reference to the shared session. */
    @Override
    public void close() throws OrtException {
        lease.close();
    }
}
