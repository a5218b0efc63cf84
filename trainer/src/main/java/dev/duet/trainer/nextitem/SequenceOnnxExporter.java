package dev.duet.trainer.nextitem;

import static dev.duet.core.sequence.SequenceModelContract.INPUT_CANDIDATES;
import static dev.duet.core.sequence.SequenceModelContract.INPUT_HISTORY;
import static dev.duet.core.sequence.SequenceModelContract.OUTPUT_CANDIDATE_VECTORS;
import static dev.duet.core.sequence.SequenceModelContract.OUTPUT_CATALOG_SCORES;
import static dev.duet.core.sequence.SequenceModelContract.OUTPUT_HISTORY_VECTORS;
import static dev.duet.core.sequence.SequenceModelContract.OUTPUT_SCORES;
import static dev.duet.core.sequence.SequenceModelContract.OUTPUT_USER_VECTOR;
import static dev.duet.trainer.nextitem.OnnxGraph.floatAttribute;
import static dev.duet.trainer.nextitem.OnnxGraph.intAttribute;
import static dev.duet.trainer.nextitem.OnnxGraph.intsAttribute;
import static dev.duet.trainer.nextitem.SequenceNetwork.ITEM_EMBEDDING;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.sequence.SequenceModelContract;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Writes a trained {@link SasRecModel} as an ONNX model (opset 17) that follows {@link
 * SequenceModelContract}: the encoder exactly as {@link SasRecModel#encode} computes it at
 * inference (no dropout), the candidate and catalog scores, the user vector and the behaviour
 * vectors, with the item vocabulary and settings in the metadata (docs/model-contract.md,
 * "Next-item models").
 */
public final class SequenceOnnxExporter {

    public static final int OPSET = 17;
    public static final long IR_VERSION = 8;
    private static final String BATCH = "batch";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> RESERVED = Set.of(
            SequenceModelContract.META_TASK, SequenceModelContract.META_ITEM_VOCABULARY,
            SequenceModelContract.META_MAX_HISTORY, SequenceModelContract.META_EMBEDDING_DIM,
            SequenceModelContract.META_NAME);

    private SequenceOnnxExporter() {}

    /**
     * The model as ONNX bytes.
     *
     * @param metadata extra metadata, e.g. {@link SequenceModelContract#META_DATASET}; a given
     *     {@link SequenceModelContract#META_VERSION} replaces the weight digest
     */
    public static byte[] toBytes(SequenceNetwork model, ItemVocabulary vocabulary, Map<String, String> metadata) {
        if (vocabulary.rows() != model.rows()) {
            throw new IllegalArgumentException("the vocabulary has " + vocabulary.rows() + " rows, the model " + model.rows());
        }
        for (String key : metadata.keySet()) {
            if (RESERVED.contains(key)) {
                throw new IllegalArgumentException("metadata key " + key + " is set by the exporter");
            }
        }
        String version = metadata.getOrDefault(SequenceModelContract.META_VERSION, weightDigest(model));
        Map<String, String> props = new LinkedHashMap<>(metadata);
        props.put(SequenceModelContract.META_TASK, SequenceModelContract.TASK_NEXT_ITEM);
        try {
            props.put(SequenceModelContract.META_ITEM_VOCABULARY, JSON.writeValueAsString(vocabulary.ids()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        props.put(SequenceModelContract.META_MAX_HISTORY, Integer.toString(model.config().maxHistory()));
        props.put(SequenceModelContract.META_EMBEDDING_DIM, Integer.toString(model.config().dim()));
        props.put(SequenceModelContract.META_NAME, model.name());
        props.put(SequenceModelContract.META_VERSION, version);
        ModelProto.Builder proto = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("duet-trainer")
                .setProducerVersion(version)
                .setDomain("dev.duet")
                .setModelVersion(1)
                .setDocString("Duet next-item model: " + model.name() + "; see docs/model-contract.md")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph(model).build());
        props.forEach((k, v) -> proto.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return proto.build().toByteArray();
    }

    /** Writes the bytes, replacing the file atomically so that a reader never sees half a model. */
    public static void write(byte[] onnx, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, onnx);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** First 12 hex digits of SHA-256 over the weights in parameter order. */
    static String weightDigest(SequenceNetwork model) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String name : model.parameterNames()) {
                float[] w = model.weights(name);
                ByteBuffer b = ByteBuffer.allocate(w.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(w);
                sha.update(b);
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static OnnxGraph graph(SequenceNetwork m) {
        OnnxGraph g = new OnnxGraph("duet_" + m.name());
        int l = m.config().maxHistory();
        g.input(INPUT_HISTORY, TensorProto.DataType.INT64, BATCH, l);
        g.input(INPUT_CANDIDATES, TensorProto.DataType.INT64, BATCH, "candidates");
        for (String name : m.parameterNames()) {
            g.floats(name, m.weights(name), m.shape(name));
        }
        g.scalarLong("padding", SequenceModelContract.PADDING_ROW);
        g.scalarLong("last_position", l - 1);
        g.longs("axis_1", 1);
        g.longs("axis_2", 2);
        g.node("Equal", "is_padding", INPUT_HISTORY, "padding");
        g.node("Not", "is_item", "is_padding");
        g.node("Cast", "item_mask", new String[] {"is_item"}, intAttribute("to", TensorProto.DataType.FLOAT.getNumber()));
        g.node("Unsqueeze", "timeline", "item_mask", "axis_2");
        g.node("Gather", OUTPUT_HISTORY_VECTORS, ITEM_EMBEDDING, INPUT_HISTORY);
        String sequence = m instanceof SasRecModel sasrec ? sasrecEncoder(g, sasrec) : gruEncoder(g, (Gru4RecModel) m);
        scoring(g, m, sequence);
        return g;
    }

    /**
     * SASRec's encoder from the history vectors and the timeline mask; returns the name of the
     * {@code [B, L, D]} output.
     */
    private static String sasrecEncoder(OnnxGraph g, SasRecModel m) {
        SasRecConfig c = m.config();
        int d = c.dim();
        int l = c.maxHistory();
        float[] causal = new float[l * l];
        float[] eye = new float[l * l];
        for (int i = 0; i < l; i++) {
            for (int j = 0; j <= i; j++) {
                causal[i * l + j] = 1f;
            }
            eye[i * l + i] = 1f;
        }
        g.floats("causal", causal, l, l);
        g.floats("eye", eye, l, l);
        g.scalar("one", 1f);
        g.scalar("masked", -SasRecModel.MASKED);
        g.scalar("sqrt_dim", (float) Math.sqrt(d));
        g.scalar("attention_scale", (float) (1 / Math.sqrt(d)));

        // The attention mask [B, L, L] (0 allowed, -1e9 forbidden).
        g.node("Unsqueeze", "key_is_item", "item_mask", "axis_1");
        g.node("Max", "key_allowed", "key_is_item", "eye");
        g.node("Mul", "allowed", "key_allowed", "causal");
        g.node("Sub", "allowed_minus_one", "allowed", "one");
        g.node("Mul", "attention_mask", "allowed_minus_one", "masked");

        g.node("Mul", "scaled_items", OUTPUT_HISTORY_VECTORS, "sqrt_dim");
        g.node("Add", "positioned", "scaled_items", "position_embedding");
        String x = g.node("Mul", "x0", "positioned", "timeline");
        for (int b = 0; b < c.blocks(); b++) {
            String p = "block" + b + ".";
            String q = layerNorm(g, x, p + "attention_norm");
            String query = linear(g, q, p + "query");
            String key = linear(g, x, p + "key");
            String value = linear(g, x, p + "value");
            g.node("Transpose", p + "key_t", new String[] {key}, intsAttribute("perm", 0, 2, 1));
            g.node("MatMul", p + "logits", query, p + "key_t");
            g.node("Mul", p + "scaled_logits", p + "logits", "attention_scale");
            g.node("Add", p + "masked_logits", p + "scaled_logits", "attention_mask");
            g.node("Softmax", p + "attention", new String[] {p + "masked_logits"}, intAttribute("axis", -1));
            g.node("MatMul", p + "attended_values", p + "attention", value);
            String attended = linear(g, p + "attended_values", p + "output");
            g.node("Add", p + "residual", q, attended);
            String y = layerNorm(g, p + "residual", p + "ffn_norm");
            g.node("Relu", p + "hidden", linear(g, y, p + "ffn1"));
            String ffn = linear(g, p + "hidden", p + "ffn2");
            g.node("Add", p + "ffn_residual", y, ffn);
            x = g.node("Mul", p + "out", p + "ffn_residual", "timeline");
        }
        return layerNorm(g, x, "final_norm");
    }

    /**
     * GRU4Rec's unrolled cell over the history vectors ({@link Gru4RecModel#encode} without dropout):
     * a padding column carries the state over. Returns the name of the {@code [B, L, D]} states.
     */
    private static String gruEncoder(OnnxGraph g, Gru4RecModel m) {
        int d = m.config().dim();
        int l = m.config().maxHistory();
        g.longs("gate_sizes", d, d, d);
        g.longs("first_column", 0);
        g.node("MatMul", "input_xw", OUTPUT_HISTORY_VECTORS, "gru.input_weight");
        g.node("Add", "input_gates", "input_xw", "gru.input_bias");
        // h0 = zeros [B, D], shaped from the batch dimension of the history.
        g.node("Gather", "first_vectors", new String[] {OUTPUT_HISTORY_VECTORS, "first_column"}, intAttribute("axis", 1));
        g.node("Squeeze", "first_vectors_2d", "first_vectors", "axis_1");
        g.scalar("zero", 0f);
        String h = g.node("Mul", "state_init", "first_vectors_2d", "zero");
        String[] states = new String[l];
        for (int t = 0; t < l; t++) {
            String p = "step" + t + ".";
            g.scalarLong(p + "column", t);
            g.node("Gather", p + "gi", new String[] {"input_gates", p + "column"}, intAttribute("axis", 1));
            g.node("Gather", p + "mask", new String[] {"timeline", p + "column"}, intAttribute("axis", 1));
            g.node("MatMul", p + "hw", h, "gru.hidden_weight");
            g.node("Add", p + "gh", p + "hw", "gru.hidden_bias");
            splitGates(g, p + "gi");
            splitGates(g, p + "gh");
            g.node("Add", p + "reset_in", p + "gi_r", p + "gh_r");
            g.node("Sigmoid", p + "reset", p + "reset_in");
            g.node("Add", p + "update_in", p + "gi_z", p + "gh_z");
            g.node("Sigmoid", p + "update", p + "update_in");
            g.node("Mul", p + "reset_gh_n", p + "reset", p + "gh_n");
            g.node("Add", p + "candidate_in", p + "gi_n", p + "reset_gh_n");
            g.node("Tanh", p + "candidate", p + "candidate_in");
            g.node("Sub", p + "h_minus_candidate", h, p + "candidate");
            g.node("Mul", p + "kept", p + "update", p + "h_minus_candidate");
            g.node("Add", p + "next", p + "candidate", p + "kept");
            g.node("Sub", p + "change", p + "next", h);
            g.node("Mul", p + "masked_change", p + "mask", p + "change");
            h = g.node("Add", p + "state", h, p + "masked_change");
            states[t] = g.node("Unsqueeze", p + "state_3d", h, "axis_1");
        }
        return g.node("Concat", "gru_states", states, intAttribute("axis", 1));
    }

    private static void splitGates(OnnxGraph g, String name) {
        g.split(name, "gate_sizes", 1, name + "_r", name + "_z", name + "_n");
    }

    /** The scoring outputs from the {@code [B, L, D]} sequence output. */
    private static void scoring(OnnxGraph g, SequenceNetwork m, String encoded) {
        int d = m.config().dim();
        int l = m.config().maxHistory();
        TensorProto.DataType float32 = TensorProto.DataType.FLOAT;
        g.node("Gather", OUTPUT_USER_VECTOR, new String[] {encoded, "last_position"}, intAttribute("axis", 1));
        g.node("Gemm", OUTPUT_CATALOG_SCORES, new String[] {OUTPUT_USER_VECTOR, ITEM_EMBEDDING}, intAttribute("transB", 1));
        g.node("Gather", OUTPUT_CANDIDATE_VECTORS, ITEM_EMBEDDING, INPUT_CANDIDATES);
        g.node("Unsqueeze", "user_column", OUTPUT_USER_VECTOR, "axis_2");
        g.node("MatMul", "candidate_scores_3d", OUTPUT_CANDIDATE_VECTORS, "user_column");
        g.node("Squeeze", OUTPUT_SCORES, "candidate_scores_3d", "axis_2");

        g.output(OUTPUT_SCORES, float32, BATCH, "candidates");
        g.output(OUTPUT_CATALOG_SCORES, float32, BATCH, m.rows());
        g.output(OUTPUT_USER_VECTOR, float32, BATCH, d);
        g.output(OUTPUT_HISTORY_VECTORS, float32, BATCH, l, d);
        g.output(OUTPUT_CANDIDATE_VECTORS, float32, BATCH, "candidates", d);
    }

    private static String linear(OnnxGraph g, String x, String name) {
        g.node("MatMul", name + "_xw", x, name + ".weight");
        return g.node("Add", name + "_out", name + "_xw", name + ".bias");
    }

    private static String layerNorm(OnnxGraph g, String x, String name) {
        return g.node("LayerNormalization", name + "_out", new String[] {x, name + ".gamma", name + ".beta"},
                intAttribute("axis", -1), floatAttribute("epsilon", SasRecModel.LAYER_NORM_EPSILON));
    }
}
