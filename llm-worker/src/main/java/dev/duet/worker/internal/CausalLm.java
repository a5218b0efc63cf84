package dev.duet.worker.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.onnx.SharedSessions;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A decoder-only language model exported to ONNX without a KV cache: either {@code model.onnx}
 * (input ids to logits) or {@code embed.onnx} + {@code decoder.onnx} (ids to embeddings, then
 * embeddings to logits), or both. The split lets callers splice extra vectors between token
 * embeddings (hybrid prompts).
 *
 * <p>Batches are left-padded: {@code attention_mask} 0 on padding and {@code position_ids =
 * max(cumsum(mask) - 1, 0)}, so each row sees exactly what it would see alone.
 */
public final class CausalLm implements AutoCloseable {

    private final SharedSessions.Lease full;
    private final SharedSessions.Lease embed;
    private final SharedSessions.Lease decoder;
    private final long padId;
    private final long bosId;
    private final int maxPositions;
    private final int hiddenSize;

    private CausalLm(
            SharedSessions.Lease full,
            SharedSessions.Lease embed,
            SharedSessions.Lease decoder,
            long padId,
            long bosId,
            int maxPositions,
            int hiddenSize) {
        this.full = full;
        this.embed = embed;
        this.decoder = decoder;
        this.padId = padId;
        this.bosId = bosId;
        this.maxPositions = maxPositions;
        this.hiddenSize = hiddenSize;
    }

    /** Opens the model files of {@code dir}; fails with the file name when something is missing. */
    public static CausalLm open(Path dir, SharedSessions.Device device, int intraOpThreads)
            throws IOException, OrtException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("Model folder not found: " + dir);
        }
        Path config = dir.resolve("config.json");
        JsonNode cfg =
                Files.isRegularFile(config)
                        ? new ObjectMapper().readTree(config.toFile())
                        : new ObjectMapper().createObjectNode();
        long pad = cfg.path("pad_token_id").asLong(0);
        long bos = cfg.path("bos_token_id").asLong(-1);
        int maxPos = cfg.path("max_position_embeddings").asInt(2048);
        int hidden = cfg.path("hidden_size").asInt(-1);

        Path modelFile = dir.resolve("model.onnx");
        Path embedFile = dir.resolve("embed.onnx");
        Path decoderFile = dir.resolve("decoder.onnx");
        boolean hasFull = Files.isRegularFile(modelFile);
        boolean hasSplit = Files.isRegularFile(embedFile) && Files.isRegularFile(decoderFile);
        if (!hasFull && !hasSplit) {
            throw new IllegalArgumentException(
                    "No model in "
                            + dir
                            + ": expected model.onnx, or embed.onnx and decoder.onnx");
        }
        SharedSessions.Lease full = null;
        SharedSessions.Lease embed = null;
        SharedSessions.Lease decoder = null;
        try {
            if (hasFull) {
                full = SharedSessions.acquire(modelFile, device, intraOpThreads);
            }
            if (hasSplit) {
                embed = SharedSessions.acquire(embedFile, device, intraOpThreads);
                decoder = SharedSessions.acquire(decoderFile, device, intraOpThreads);
                hidden = embeddingWidth(embed.session(), embedFile);
            }
            return new CausalLm(full, embed, decoder, pad, bos, maxPos, hidden);
        } catch (OrtException | RuntimeException e) {
            closeQuietly(full);
            closeQuietly(embed);
            closeQuietly(decoder);
            throw e;
        }
    }

    private static int embeddingWidth(OrtSession session, Path file) throws OrtException {
        NodeInfo out = session.getOutputInfo().values().iterator().next();
        long[] shape = ((TensorInfo) out.getInfo()).getShape();
        if (shape.length != 3 || shape[2] <= 0) {
            throw new IllegalArgumentException(
                    file + " must output [batch, tokens, hidden] with a fixed hidden width");
        }
        return (int) shape[2];
    }

    /** The BOS id to start every prompt with, or -1 when the model has none. */
    public long bosId() {
        return bosId;
    }

    public int maxPositions() {
        return maxPositions;
    }

    /** Width of a token embedding (needed to check projectors); -1 when unknown. */
    public int hiddenSize() {
        return hiddenSize;
    }

    /** Whether vectors can be spliced between tokens (needs embed.onnx + decoder.onnx). */
    public boolean supportsSplicing() {
        return embed != null;
    }

    /**
     * Sum of log P(token | left context) over tokens {@code scoreFrom..end} of every sequence,
     * computed with one model call for the whole batch.
     */
    public double[] logLikelihoods(List<TokenSequence> batch) throws OrtException {
        int rows = batch.size();
        int width = 0;
        boolean spliced = false;
        for (TokenSequence s : batch) {
            width = Math.max(width, s.effectiveLength());
            spliced |= s.hasSplices();
        }
        double[] out = new double[rows];
        try (Logits logits = forward(batch, width, spliced || full == null)) {
            for (int b = 0; b < rows; b++) {
                TokenSequence s = batch.get(b);
                int offset = width - s.effectiveLength();
                double sum = 0;
                for (int j = s.scoreFrom(); j < s.ids().length; j++) {
                    int row = offset + s.effectivePosition(j) - 1;
                    sum += logits.logSoftmax(b, row, (int) s.ids()[j]);
                }
                out[b] = sum;
            }
        }
        return out;
    }

    /** The logits for the token after {@code ids} (used by greedy decoding and tests). */
    public float[] nextTokenLogits(long[] ids) throws OrtException {
        List<TokenSequence> one = List.of(TokenSequence.text(ids, ids.length));
        try (Logits logits = forward(one, ids.length, full == null)) {
            return logits.row(0, ids.length - 1);
        }
    }

    private Logits forward(List<TokenSequence> batch, int width, boolean viaEmbeddings)
            throws OrtException {
        if (viaEmbeddings && embed == null) {
            throw new IllegalStateException(
                    "Hybrid prompts need embed.onnx and decoder.onnx in the model folder");
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int rows = batch.size();
        long[] mask = new long[rows * width];
        long[] positions = new long[rows * width];
        for (int b = 0; b < rows; b++) {
            int len = batch.get(b).effectiveLength();
            int offset = width - len;
            for (int t = 0; t < len; t++) {
                mask[b * width + offset + t] = 1;
                positions[b * width + offset + t] = t;
            }
        }
        long[] shape = {rows, width};
        try (OnnxTensor maskTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
                OnnxTensor posTensor =
                        OnnxTensor.createTensor(env, LongBuffer.wrap(positions), shape)) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            OrtSession session;
            OnnxTensor first;
            if (viaEmbeddings) {
                session = decoder.session();
                // The one place inputs_embeds is built; inputsEmbeds() shows tests the same array.
                first = OnnxTensor.createTensor(env, FloatBuffer.wrap(embeddings(batch, width)),
                        new long[] {rows, width, hiddenSize});
                inputs.put("inputs_embeds", first);
            } else {
                session = full.session();
                first = OnnxTensor.createTensor(env, LongBuffer.wrap(paddedIds(batch, width)),
                        shape);
                inputs.put("input_ids", first);
            }
            try (first) {
                if (session.getInputNames().contains("attention_mask")) {
                    inputs.put("attention_mask", maskTensor);
                }
                if (session.getInputNames().contains("position_ids")) {
                    inputs.put("position_ids", posTensor);
                }
                try (OrtSession.Result result = session.run(inputs)) {
                    OnnxValue value = result.get("logits").orElse(result.get(0));
                    OnnxTensor tensor = (OnnxTensor) value;
                    long[] s = tensor.getInfo().getShape();
                    return new Logits(tensor.getFloatBuffer(), (int) s[1], (int) s[2]);
                }
            }
        }
    }

    /**
     * The {@code inputs_embeds} the decoder receives for {@code batch} (token embeddings from
     * embed.onnx with the spliced vectors in place, left-padded with zeros), as {@link
     * #logLikelihoods} builds them.
     */
    public Embeddings inputsEmbeds(List<TokenSequence> batch) throws OrtException {
        if (embed == null) {
            throw new IllegalStateException("inputs_embeds need embed.onnx and decoder.onnx in the model folder");
        }
        int width = 0;
        for (TokenSequence s : batch) {
            width = Math.max(width, s.effectiveLength());
        }
        return new Embeddings(embeddings(batch, width), batch.size(), width, hiddenSize);
    }

    /** float [rows, width, hidden], row-major. */
    public record Embeddings(float[] values, int rows, int width, int hidden) {}

    private long[] paddedIds(List<TokenSequence> batch, int width) {
        long[] ids = new long[batch.size() * width];
        java.util.Arrays.fill(ids, padId);
        for (int b = 0; b < batch.size(); b++) {
            long[] row = batch.get(b).ids();
            System.arraycopy(row, 0, ids, b * width + width - row.length, row.length);
        }
        return ids;
    }

    /** Token embeddings from embed.onnx with the spliced vectors in place, left-padded with 0. */
    private float[] embeddings(List<TokenSequence> batch, int width) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int rows = batch.size();
        int idWidth = 0;
        for (TokenSequence s : batch) {
            idWidth = Math.max(idWidth, s.ids().length);
        }
        float[] tokens;
        try (OnnxTensor ids = OnnxTensor.createTensor(env,
                        LongBuffer.wrap(paddedIds(batch, idWidth)), new long[] {rows, idWidth});
                OrtSession.Result result = embed.session().run(Map.of("input_ids", ids))) {
            FloatBuffer buf = ((OnnxTensor) result.get(0)).getFloatBuffer();
            tokens = new float[buf.remaining()];
            buf.get(tokens);
        }
        int h = hiddenSize;
        float[] out = new float[rows * width * h];
        for (int b = 0; b < rows; b++) {
            TokenSequence s = batch.get(b);
            int idOffset = idWidth - s.ids().length;
            int pos = width - s.effectiveLength();
            int k = 0;
            for (int j = 0; j < s.ids().length; j++) {
                while (k < s.spliceBefore().length && s.spliceBefore()[k] == j) {
                    System.arraycopy(s.splices()[k], 0, out, (b * width + pos) * h, h);
                    pos++;
                    k++;
                }
                System.arraycopy(tokens, (b * idWidth + idOffset + j) * h, out,
                        (b * width + pos) * h, h);
                pos++;
            }
            while (k < s.spliceBefore().length) {
                System.arraycopy(s.splices()[k], 0, out, (b * width + pos) * h, h);
                pos++;
                k++;
            }
        }
        return out;
    }

    @Override
    public void close() throws OrtException {
        closeQuietly(full);
        closeQuietly(embed);
        closeQuietly(decoder);
    }

    private static void closeQuietly(SharedSessions.Lease lease) {
        if (lease != null) {
            try {
                lease.close();
            } catch (OrtException ignored) {
                // Closing a lease only drops a reference; nothing useful to report here.
            }
        }
    }

    /** Logits [rows, width, vocab] copied out of the native tensor. */
    private static final class Logits implements AutoCloseable {
        private final FloatBuffer values;
        private final int width;
        private final int vocab;

        Logits(FloatBuffer values, int width, int vocab) {
            this.values = values;
            this.width = width;
            this.vocab = vocab;
        }

        float[] row(int b, int t) {
            float[] r = new float[vocab];
            values.get((b * width + t) * vocab, r);
            return r;
        }

        /** log softmax(logits[b, t, :])[token], computed stably in double precision. */
        double logSoftmax(int b, int t, int token) {
            int base = (b * width + t) * vocab;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, values.get(base + v));
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                sum += Math.exp(values.get(base + v) - max);
            }
            return values.get(base + token) - max - Math.log(sum);
        }

        @Override
        public void close() {
            // The buffer is a heap copy; nothing native remains open.
        }
    }
}
