package dev.duet.worker.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.duet.core.onnx.SharedSessions;
import dev.duet.core.scorer.ScorerBatch;
import dev.duet.core.scorer.ScorerContract;
import dev.duet.core.scorer.ScorerSettings;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Task;
import dev.duet.worker.InvalidRequestException;
import dev.duet.worker.RequestLimits;
import dev.duet.worker.ScoringBackend;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The trained language-model scorer ({@code ./duet train-llm}): the frozen sentence encoder named
 * in {@code scorer.json} embeds the item texts (cached), {@link ScorerRequestEncoder} computes the
 * inputs exactly as in training, and the trained layers ({@code scorer.onnx}) run through ONNX
 * Runtime once per batch. Pointwise replies are probabilities, listwise replies logits.
 */
public final class TrainedScorerBackend implements ScoringBackend {

    private final ScorerRequestEncoder inputs;
    private final SharedSessions.Lease graph;
    private final String name;

    private TrainedScorerBackend(ScorerRequestEncoder inputs, SharedSessions.Lease graph, String name) {
        this.inputs = inputs;
        this.graph = graph;
        this.name = name;
    }

    /**
     * Opens a scorer folder (scorer.onnx + scorer.json).
     *
     * @param folder the folder {@code ./duet train-llm --out} wrote
     */
    public static TrainedScorerBackend open(Path folder, SharedSessions.Device device, int threads, int cacheSize,
            RequestLimits limits) throws Exception {
        if (folder == null || !Files.isDirectory(folder)) {
            throw new IllegalArgumentException("--backend trained needs --model <folder from ./duet train-llm>, got "
                    + folder);
        }
        Path graphFile = folder.resolve(ScorerContract.GRAPH_FILE);
        if (!Files.isRegularFile(graphFile)) {
            throw new IllegalArgumentException(folder + " has no " + ScorerContract.GRAPH_FILE
                    + " (train one with ./duet train-llm --out " + folder + ")");
        }
        ScorerSettings settings = ScorerSettings.read(folder.resolve(ScorerContract.SETTINGS_FILE));
        SentenceEncoder encoder = SentenceEncoder.open(settings.encoder(), SentenceEncoder.Pooling.MEAN, device,
                threads, 128);
        SharedSessions.Lease lease = null;
        try {
            lease = SharedSessions.acquire(graphFile, device, threads);
            for (String input : ScorerContract.INPUTS) {
                if (!lease.session().getInputNames().contains(input)) {
                    throw new IllegalArgumentException(graphFile + " lacks the input '" + input + "'");
                }
            }
            String name = folder.toAbsolutePath().normalize().getFileName() + "/" + encoder.name();
            return new TrainedScorerBackend(new ScorerRequestEncoder(settings, encoder, cacheSize, limits), lease,
                    name);
        } catch (Exception e) {
            encoder.close();
            if (lease != null) {
                lease.close();
            }
            throw e;
        }
    }

    @Override
    public String modelName() {
        return "trained:" + name;
    }

    @Override
    public String modelVersion() {
        return inputs.settings().version();
    }

    @Override
    public void validate(ScoreRequest request) throws InvalidRequestException {
        inputs.validate(request);
    }

    @Override
    public List<float[]> scoreBatch(List<ScoreRequest> requests) throws Exception {
        ScorerRequestEncoder.Encoded encoded = inputs.encode(requests);
        float[][] out = run(encoded.batch());
        List<float[]> replies = new ArrayList<>(requests.size());
        for (int q = 0; q < requests.size(); q++) {
            int from = encoded.firstRow()[q];
            int to = encoded.firstRow()[q + 1];
            boolean pointwise = requests.get(q).getTask() == Task.TASK_POINTWISE;
            float[] scores = new float[to - from];
            for (int r = from; r < to; r++) {
                scores[r - from] = pointwise ? out[1][r] : out[0][r];
            }
            replies.add(scores);
        }
        return replies;
    }

    /** Logits (entry 0) and probabilities (entry 1) of every row, from one graph run. */
    public float[][] run(ScorerBatch batch) throws Exception {
        ScorerSettings s = inputs.settings();
        int n = batch.size();
        ScorerBatch.Tensors t = batch.tensors(0, n);
        long e = s.textDim();
        long k = s.historyLength();
        long d = s.behaviourDim();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            feed.put(ScorerContract.CANDIDATE_TEXT, tensor(env, t.candidateText(), n, e));
            feed.put(ScorerContract.HISTORY_TEXT, tensor(env, t.historyText(), n, k, e));
            feed.put(ScorerContract.HISTORY_RATING, tensor(env, t.historyRating(), n, k));
            feed.put(ScorerContract.HISTORY_MASK, tensor(env, t.historyMask(), n, k));
            feed.put(ScorerContract.USER_BEHAVIOUR, tensor(env, t.userBehaviour(), n, d));
            feed.put(ScorerContract.ITEM_BEHAVIOUR, tensor(env, t.itemBehaviour(), n, d));
            feed.put(ScorerContract.DENSE, tensor(env, t.dense(), n, ScorerContract.DENSE_WIDTH));
            try (OrtSession.Result result = graph.session().run(feed)) {
                float[] logit = new float[n];
                float[] probability = new float[n];
                ((OnnxTensor) result.get(ScorerContract.LOGIT).orElseThrow()).getFloatBuffer().get(logit);
                ((OnnxTensor) result.get(ScorerContract.PROBABILITY).orElseThrow()).getFloatBuffer().get(probability);
                return new float[][] {logit, probability};
            }
        } finally {
            for (OnnxTensor tensor : feed.values()) {
                tensor.close();
            }
        }
    }

    private static OnnxTensor tensor(OrtEnvironment env, float[] values, long... shape) throws Exception {
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
    }

    /** The request encoder (the same one train-llm uses). */
    public ScorerRequestEncoder inputs() {
        return inputs;
    }

    @Override
    public void close() throws Exception {
        try (ScorerRequestEncoder i = inputs) {
            graph.close();
        }
    }
}
