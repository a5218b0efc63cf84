package dev.duet.core.crm;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.duet.core.features.EncodedBatch;
import dev.duet.core.features.FeatureEncoding;
import dev.duet.core.features.ModelContract;
import dev.duet.core.onnx.SharedSessions;
import dev.duet.core.sequence.SequenceModelContract;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The conventional recommender as served: an ONNX model following {@link ModelContract}, run by ONNX
 * Runtime on a session shared by every user in the JVM. The feature encoding comes from the model
 * file's metadata, so a model file is all a consumer needs.
 *
 * <p>Thread-safe: {@link #score} may be called concurrently.
 */
public final class CrmModel implements AutoCloseable {

    private static final Set<String> REQUIRED_INPUTS =
            Set.of(
                    ModelContract.INPUT_CATEGORICAL,
                    ModelContract.INPUT_GENRES,
                    ModelContract.INPUT_HISTORY_ITEMS,
                    ModelContract.INPUT_HISTORY_RATINGS,
                    ModelContract.INPUT_HISTORY_MASK,
                    ModelContract.INPUT_DENSE);

    private final Path file;
    private final SharedSessions.Lease lease;
    private final FeatureEncoding encoding;
    private final String version;
    private final String name;
    private final int dim;

    private CrmModel(Path file, SharedSessions.Lease lease, FeatureEncoding encoding, String name, String version, int dim) {
        this.file = file;
        this.lease = lease;
        this.encoding = encoding;
        this.name = name;
        this.version = version;
        this.dim = dim;
    }

    /** Loads a model file (or a folder holding {@code model.onnx}) on the CPU. */
    public static CrmModel load(Path path) throws OrtException {
        return load(path, SharedSessions.Device.CPU, 0);
    }

    /**
     * Loads a model file (or a folder holding {@code model.onnx}).
     *
     * @throws IllegalArgumentException when the file is missing or does not follow the contract
     */
    public static CrmModel load(Path path, SharedSessions.Device device, int threads) throws OrtException {
        Path file = Files.isDirectory(path) ? path.resolve("model.onnx") : path;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("Model file not found: " + file.toAbsolutePath());
        }
        SharedSessions.Lease lease = SharedSessions.acquire(file, device, threads);
        try {
            OrtSession session = lease.session();
            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            String task = meta.get(SequenceModelContract.META_TASK);
            if (task != null && !task.equals(SequenceModelContract.TASK_CTR)) {
                // Click models written before the task key existed carry none: absence means CTR.
                throw new IllegalArgumentException(file + " is a " + task + " model ('" + SequenceModelContract.META_TASK
                        + "' = '" + task + "'), not a CTR (click) model: give it as the sequence model"
                        + " (retrieval.sequence-model), and a CRM here (docs/model-contract.md)");
            }
            String json = meta.get(ModelContract.META_ENCODING);
            if (json == null) {
                throw new IllegalArgumentException(
                        file + " has no '" + ModelContract.META_ENCODING
                                + "' metadata: not a Duet CRM model (see docs/model-contract.md)");
            }
            for (String input : REQUIRED_INPUTS) {
                if (!session.getInputNames().contains(input)) {
                    throw new IllegalArgumentException(file + " lacks the model input '" + input + "'");
                }
            }
            NodeInfo itemVector = session.getOutputInfo().get(ModelContract.OUTPUT_ITEM_VECTOR);
            if (itemVector == null || !session.getOutputNames().contains(ModelContract.OUTPUT_PROBABILITY)) {
                throw new IllegalArgumentException(
                        file + " lacks the outputs '" + ModelContract.OUTPUT_PROBABILITY + "' and '"
                                + ModelContract.OUTPUT_ITEM_VECTOR + "'");
            }
            long[] shape = ((TensorInfo) itemVector.getInfo()).getShape();
            int dim = (int) shape[shape.length - 1];
            FeatureEncoding encoding = FeatureEncoding.fromJson(json);
            long[] denseShape = ((TensorInfo) session.getInputInfo().get(ModelContract.INPUT_DENSE).getInfo()).getShape();
            long denseWidth = denseShape[denseShape.length - 1];
            if (denseWidth > 0 && denseWidth != encoding.denseWidth()) {
                throw new IllegalArgumentException(file + ": its '" + ModelContract.INPUT_DENSE + "' input has "
                        + denseWidth + " columns, its feature encoding (format " + encoding.format() + ") "
                        + encoding.denseWidth() + " (see docs/model-contract.md)");
            }
            return new CrmModel(
                    file,
                    lease,
                    encoding,
                    meta.getOrDefault(ModelContract.META_NAME, "crm"),
                    meta.getOrDefault(ModelContract.META_VERSION, "unversioned"),
                    dim);
        } catch (RuntimeException | OrtException e) {
            lease.close();
            throw e;
        }
    }

    /** Scores the batch's filled rows in one ONNX Runtime call. */
    public CrmScores score(EncodedBatch batch) throws OrtException {
        int n = batch.size();
        if (n == 0) {
            return new CrmScores(new float[0], new float[0], new float[0], dim);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int f = batch.fields();
        int g = batch.genres();
        int k = batch.history();
        try (OnnxTensor categorical = OnnxTensor.createTensor(env, LongBuffer.wrap(batch.categorical, 0, n * f), new long[] {n, f});
                OnnxTensor genres = OnnxTensor.createTensor(env, FloatBuffer.wrap(batch.genreWeights, 0, n * g), new long[] {n, g});
                OnnxTensor historyItems = OnnxTensor.createTensor(env, LongBuffer.wrap(batch.historyItems, 0, n * k), new long[] {n, k});
                OnnxTensor historyRatings = OnnxTensor.createTensor(env, FloatBuffer.wrap(batch.historyRatings, 0, n * k), new long[] {n, k});
                OnnxTensor historyMask = OnnxTensor.createTensor(env, FloatBuffer.wrap(batch.historyMask, 0, n * k), new long[] {n, k});
                OnnxTensor dense = OnnxTensor.createTensor(env, FloatBuffer.wrap(batch.dense, 0, n * batch.denseWidth()), new long[] {n, batch.denseWidth()})) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put(ModelContract.INPUT_CATEGORICAL, categorical);
            inputs.put(ModelContract.INPUT_GENRES, genres);
            inputs.put(ModelContract.INPUT_HISTORY_ITEMS, historyItems);
            inputs.put(ModelContract.INPUT_HISTORY_RATINGS, historyRatings);
            inputs.put(ModelContract.INPUT_HISTORY_MASK, historyMask);
            inputs.put(ModelContract.INPUT_DENSE, dense);
            try (OrtSession.Result result = lease.session().run(inputs)) {
                float[] probability = floats(result, ModelContract.OUTPUT_PROBABILITY, n);
                float[] users = floats(result, ModelContract.OUTPUT_USER_VECTOR, n * dim);
                float[] items = floats(result, ModelContract.OUTPUT_ITEM_VECTOR, n * dim);
                return new CrmScores(probability, users, items, dim);
            }
        }
    }

    private static float[] floats(OrtSession.Result result, String name, int expected) throws OrtException {
        OnnxValue value = result.get(name).orElse(null);
        if (value == null) {
            return new float[expected];
        }
        FloatBuffer buffer = ((OnnxTensor) value).getFloatBuffer();
        float[] out = new float[buffer.remaining()];
        buffer.get(out);
        if (out.length != expected) {
            throw new IllegalStateException("output '" + name + "' has " + out.length + " values, expected " + expected);
        }
        return out;
    }

    public FeatureEncoding encoding() {
        return encoding;
    }

    /** The model's version from its metadata; every output names the version that scored it. */
    public String version() {
        return version;
    }

    public String name() {
        return name;
    }

    /** Width of the behaviour vectors. */
    public int vectorDim() {
        return dim;
    }

    public Path file() {
        return file;
    }

    /** Releases this model's reference to the shared session. */
    @Override
    public void close() throws OrtException {
        lease.close();
    }
}
