package dev.duet.trainer.model;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import dev.duet.core.features.FeatureEncoding;
import dev.duet.core.features.ModelContract;
import java.io.IOException;
import java.io.OutputStream;
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

/**
 * Writes a trained {@link Dcnv2Model} as an ONNX model (opset 17, IR version 8) that follows
 * {@link ModelContract}: the same inputs as {@link dev.duet.core.features.EncodedBatch}, the
 * probability and both behaviour vectors as outputs, and the feature encoding in the metadata, so
 * that the file alone is enough to serve the model. docs/model-contract.md describes the contract.
 */
public final class OnnxExporter {

    public static final int OPSET = 17;
    public static final long IR_VERSION = 8;
    private static final String BATCH = "batch";

    private OnnxExporter() {}

    /**
     * Exports the model; the file is replaced atomically, so a reader never sees half a model.
     *
     * @param metadata extra metadata, e.g. {@link ModelContract#META_DATASET}; a given {@link
     *     ModelContract#META_VERSION} replaces the computed one
     * @return the model version written into the metadata
     */
    public static String export(Dcnv2Model model, FeatureEncoding encoding,
            Map<String, String> metadata, Path file) throws IOException {
        checkCompatible(model, encoding);
        for (String reserved : new String[] {ModelContract.META_ENCODING, ModelContract.META_NAME}) {
            if (metadata.containsKey(reserved)) {
                throw new IllegalArgumentException("metadata key " + reserved + " is set by the exporter");
            }
        }
        String version = metadata.getOrDefault(ModelContract.META_VERSION, weightDigest(model));
        Map<String, String> props = new LinkedHashMap<>(metadata);
        props.put(ModelContract.META_ENCODING, encoding.toJson());
        props.put(ModelContract.META_NAME, model.name());
        props.put(ModelContract.META_VERSION, version);

        ModelProto.Builder proto = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("duet-trainer")
                .setProducerVersion(version)
                .setDomain("dev.duet")
                .setModelVersion(1)
                .setDocString("Duet CRM: DCNv2 click-through model; see docs/model-contract.md")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph(model));
        props.forEach((k, v) -> proto.addMetadataProps(
                StringStringEntryProto.newBuilder().setKey(k).setValue(v)));

        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                proto.build().writeTo(out);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return version;
    }

    private static void checkCompatible(Dcnv2Model model, FeatureEncoding encoding) {
        if (model.tableRows() != encoding.embeddingRows()
                || model.fieldCount() != encoding.fieldCount()
                || model.genreCount() != encoding.genreCount()
                || model.historyLength() != encoding.historyLength()
                || model.denseWidth() != encoding.denseWidth()) {
            throw new IllegalArgumentException("model shapes (rows " + model.tableRows() + ", fields "
                    + model.fieldCount() + ", genres " + model.genreCount() + ", history "
                    + model.historyLength() + ", dense " + model.denseWidth() + ") do not match the encoding (rows "
                    + encoding.embeddingRows() + ", fields " + encoding.fieldCount() + ", genres "
                    + encoding.genreCount() + ", history " + encoding.historyLength() + ", dense " + encoding.denseWidth() + ")");
        }
    }

    /** First 12 hex digits of SHA-256 over the weights: equal weights, equal version. */
    static String weightDigest(Dcnv2Model model) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(floatBytes(model.dense()));
            sha.update(floatBytes(model.table()));
            return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static GraphProto graph(Dcnv2Model m) {
        Graph g = new Graph();
        int f = m.fieldCount();
        int d = m.embeddingDim();
        int d0 = m.inputWidth();
        g.input(ModelContract.INPUT_CATEGORICAL, TensorProto.DataType.INT64, f);
        g.input(ModelContract.INPUT_GENRES, TensorProto.DataType.FLOAT, m.genreCount());
        g.input(ModelContract.INPUT_HISTORY_ITEMS, TensorProto.DataType.INT64, m.historyLength());
        g.input(ModelContract.INPUT_HISTORY_RATINGS, TensorProto.DataType.FLOAT, m.historyLength());
        g.input(ModelContract.INPUT_HISTORY_MASK, TensorProto.DataType.FLOAT, m.historyLength());
        g.input(ModelContract.INPUT_DENSE, TensorProto.DataType.FLOAT, m.denseWidth());

        g.floats("embedding", m.table(), 0, m.tableRows(), d);
        g.floats("genre_embedding", m.dense(), m.layout().group("genre.embedding").offset(),
                m.genreCount(), d);
        g.longs("fields_shape", -1, (long) f * d);
        g.longs("axis_1", 1);
        g.longs("axis_2", 2);
        g.scalar("one", 1f);
        g.scalarLong("user_column", FeatureEncoding.USER);
        g.scalarLong("item_column", FeatureEncoding.ITEM);

        // Field embeddings [B, F, D], flattened to [B, F*D].
        g.node("Gather", "field_embeddings", "embedding", ModelContract.INPUT_CATEGORICAL);
        g.node("Reshape", "fields_flat", "field_embeddings", "fields_shape");
        g.node("MatMul", "genre_vector", ModelContract.INPUT_GENRES, "genre_embedding");

        // History pools: masked mean and rating-weighted masked mean over [B, K, D].
        g.node("Gather", "history_embeddings", "embedding", ModelContract.INPUT_HISTORY_ITEMS);
        g.node("ReduceSum", "history_count", ModelContract.INPUT_HISTORY_MASK, "axis_1");
        g.node("Max", "history_denominator", "history_count", "one");
        g.node("Div", "mean_weights", ModelContract.INPUT_HISTORY_MASK, "history_denominator");
        g.node("Mul", "masked_ratings", ModelContract.INPUT_HISTORY_MASK,
                ModelContract.INPUT_HISTORY_RATINGS);
        g.node("Div", "rating_weights", "masked_ratings", "history_denominator");
        for (String pool : new String[] {"mean", "rating"}) {
            g.node("Unsqueeze", pool + "_weights_3d", pool + "_weights", "axis_2");
            g.node("Mul", pool + "_terms", "history_embeddings", pool + "_weights_3d");
            g.attributes(g.node("ReduceSum", pool + "_pool", pool + "_terms", "axis_1"),
                    intAttribute("keepdims", 0));
        }
        java.util.List<String> x0Parts = new java.util.ArrayList<>(
                java.util.List.of("fields_flat", "genre_vector", "mean_pool", "rating_pool"));
        x0Parts.addAll(historyFeatures(g, m));
        x0Parts.add(ModelContract.INPUT_DENSE);
        g.attributes(g.node("Concat", "x0", x0Parts.toArray(String[]::new)), intAttribute("axis", 1));

        String x = "x0";
        for (int l = 0; l < m.crossLayers(); l++) {
            String w = "cross_" + l + "_weight";
            String b = "cross_" + l + "_bias";
            g.floats(w, m.dense(), m.layout().group("cross." + l + ".weight").offset(), d0, d0);
            g.floats(b, m.dense(), m.layout().group("cross." + l + ".bias").offset(), d0);
            g.node("MatMul", "cross_" + l + "_xw", x, w);
            g.node("Add", "cross_" + l + "_z", "cross_" + l + "_xw", b);
            g.node("Mul", "cross_" + l + "_x0z", "x0", "cross_" + l + "_z");
            g.node("Add", "cross_" + l + "_out", "cross_" + l + "_x0z", x);
            x = "cross_" + l + "_out";
        }
        String h = "x0";
        int in = d0;
        int[] deep = m.deepLayers();
        for (int t = 0; t < deep.length; t++) {
            String w = "deep_" + t + "_weight";
            String b = "deep_" + t + "_bias";
            g.floats(w, m.dense(), m.layout().group("deep." + t + ".weight").offset(), in, deep[t]);
            g.floats(b, m.dense(), m.layout().group("deep." + t + ".bias").offset(), deep[t]);
            g.node("MatMul", "deep_" + t + "_xw", h, w);
            g.node("Add", "deep_" + t + "_z", "deep_" + t + "_xw", b);
            g.node("Relu", "deep_" + t + "_out", "deep_" + t + "_z");
            h = "deep_" + t + "_out";
            in = deep[t];
        }
        String head = x;
        int headWidth = d0;
        if (deep.length > 0) {
            g.attributes(g.node("Concat", "head", x, h), intAttribute("axis", 1));
            head = "head";
            headWidth += in;
        }
        g.floats("output_weight", m.dense(), m.layout().group("output.weight").offset(), headWidth, 1);
        g.floats("output_bias", m.dense(), m.layout().group("output.bias").offset(), 1);
        g.node("MatMul", "logit_xw", head, "output_weight");
        g.node("Add", "logit_2d", "logit_xw", "output_bias");
        g.node("Squeeze", "logit", "logit_2d", "axis_1");
        g.node("Sigmoid", ModelContract.OUTPUT_PROBABILITY, "logit");

        // Behaviour vectors: user embedding plus rating-weighted pool, and the item embedding.
        g.attributes(g.node("Gather", "user_embedding", "field_embeddings", "user_column"),
                intAttribute("axis", 1));
        g.node("Add", ModelContract.OUTPUT_USER_VECTOR, "user_embedding", "rating_pool");
        g.attributes(g.node("Gather", ModelContract.OUTPUT_ITEM_VECTOR, "field_embeddings",
                "item_column"), intAttribute("axis", 1));

        g.output(ModelContract.OUTPUT_PROBABILITY);
        g.output(ModelContract.OUTPUT_USER_VECTOR, d);
        g.output(ModelContract.OUTPUT_ITEM_VECTOR, d);
        return g.build();
    }

    /**
     * The nodes of the model's {@link HistoryFeature}s; returns the names of their x0 parts in
     * x0's order (liked pool, not-liked pool, attention pool, target dot products).
     */
    private static java.util.List<String> historyFeatures(Graph g, Dcnv2Model m) {
        java.util.Set<HistoryFeature> features = m.historyFeatures();
        java.util.List<String> parts = new java.util.ArrayList<>();
        boolean likedPools = features.contains(HistoryFeature.LIKED_POOLS);
        boolean targetDots = features.contains(HistoryFeature.TARGET_DOTS);
        if (features.isEmpty()) {
            return parts;
        }
        g.scalar("zero", 0f);
        g.attributes(g.node("Gather", "target_embedding", "field_embeddings", "item_column"),
                intAttribute("axis", 1));
        if (likedPools || targetDots) {
            // liked = mask where the normalised rating is above 0, not liked = the rest of the mask.
            g.node("Greater", "rating_positive", ModelContract.INPUT_HISTORY_RATINGS, "zero");
            g.attributes(g.node("Cast", "rating_positive_float", "rating_positive"),
                    intAttribute("to", TensorProto.DataType.FLOAT.getNumber()));
            g.node("Mul", "liked_mask", ModelContract.INPUT_HISTORY_MASK, "rating_positive_float");
            g.node("Sub", "disliked_mask", ModelContract.INPUT_HISTORY_MASK, "liked_mask");
            boolean ownTables = features.contains(HistoryFeature.LIKED_TABLES);
            if (ownTables) {
                // The liked tables' rows are the item field's indices: history row - item offset.
                ParameterGroup liked = m.layout().group("history.liked");
                g.floats("history_liked_table", m.dense(), liked.offset(), liked.rows(), liked.cols());
                ParameterGroup disliked = m.layout().group("history.disliked");
                g.floats("history_disliked_table", m.dense(), disliked.offset(), disliked.rows(),
                        disliked.cols());
                g.scalarLong("item_offset", m.itemOffset());
                g.node("Sub", "history_item_indices", ModelContract.INPUT_HISTORY_ITEMS, "item_offset");
            }
            for (String pool : new String[] {"liked", "disliked"}) {
                String source = "history_embeddings";
                if (ownTables) {
                    source = pool + "_history_embeddings";
                    g.node("Gather", source, "history_" + pool + "_table", "history_item_indices");
                }
                g.node("ReduceSum", pool + "_count", pool + "_mask", "axis_1");
                g.node("Max", pool + "_denominator", pool + "_count", "one");
                g.node("Div", pool + "_weights", pool + "_mask", pool + "_denominator");
                g.node("Unsqueeze", pool + "_weights_3d", pool + "_weights", "axis_2");
                g.node("Mul", pool + "_terms", source, pool + "_weights_3d");
                g.attributes(g.node("ReduceSum", pool + "_pool", pool + "_terms", "axis_1"),
                        intAttribute("keepdims", 0));
            }
            if (likedPools) {
                parts.add("liked_pool");
                parts.add("disliked_pool");
            }
        }
        if (features.contains(HistoryFeature.ATTENTION)) {
            int d = m.embeddingDim();
            g.floats("attention_weight", m.dense(), m.layout().group("attention.weight").offset(), d, d);
            g.scalar("masked_logit", -1e9f);
            // logits u . e_k with u = e_t W_a; padding gets -1e9 (weight exactly 0 after the
            // softmax), and the weights are multiplied by the mask so an empty history pools to 0.
            g.node("MatMul", "attention_query", "target_embedding", "attention_weight");
            g.node("Unsqueeze", "attention_query_3d", "attention_query", "axis_1");
            g.node("Mul", "attention_products", "history_embeddings", "attention_query_3d");
            g.attributes(g.node("ReduceSum", "attention_logits", "attention_products", "axis_2"),
                    intAttribute("keepdims", 0));
            g.node("Sub", "padding", "one", ModelContract.INPUT_HISTORY_MASK);
            g.node("Mul", "padding_logits", "padding", "masked_logit");
            g.node("Add", "attention_masked_logits", "attention_logits", "padding_logits");
            g.attributes(g.node("Softmax", "attention_softmax", "attention_masked_logits"),
                    intAttribute("axis", 1));
            g.node("Mul", "attention_alpha", "attention_softmax", ModelContract.INPUT_HISTORY_MASK);
            g.node("Mul", "attention_weights", "attention_alpha", ModelContract.INPUT_HISTORY_RATINGS);
            g.node("Unsqueeze", "attention_weights_3d", "attention_weights", "axis_2");
            g.node("Mul", "attention_terms", "history_embeddings", "attention_weights_3d");
            g.attributes(g.node("ReduceSum", "attention_pool", "attention_terms", "axis_1"),
                    intAttribute("keepdims", 0));
            parts.add("attention_pool");
        }
        if (targetDots) {
            for (String pool : new String[] {"liked", "disliked"}) {
                g.node("Mul", "target_" + pool + "_products", "target_embedding", pool + "_pool");
                g.node("ReduceSum", "target_" + pool + "_dot", "target_" + pool + "_products", "axis_1");
            }
            parts.add("target_liked_dot");
            parts.add("target_disliked_dot");
        }
        return parts;
    }

    private static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(value)
                .build();
    }

    private static ByteBuffer floatBytes(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer;
    }

    /** A graph under construction; node names follow their single output. */
    private static final class Graph {
        private final GraphProto.Builder graph = GraphProto.newBuilder().setName("duet_dcnv2");

        void input(String name, TensorProto.DataType type, int width) {
            graph.addInput(valueInfo(name, type, width));
        }

        void output(String name, int... widths) {
            graph.addOutput(valueInfo(name, TensorProto.DataType.FLOAT, widths));
        }

        private static ValueInfoProto valueInfo(String name, TensorProto.DataType type,
                int... widths) {
            TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                    .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH));
            for (int w : widths) {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(w));
            }
            return ValueInfoProto.newBuilder()
                    .setName(name)
                    .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                            .setElemType(type.getNumber())
                            .setShape(shape)))
                    .build();
        }

        /** A float initializer of the given shape from {@code values[offset..]}. */
        void floats(String name, float[] values, int offset, int... shape) {
            int count = 1;
            TensorProto.Builder t = TensorProto.newBuilder()
                    .setName(name)
                    .setDataType(TensorProto.DataType.FLOAT.getNumber());
            for (int s : shape) {
                t.addDims(s);
                count *= s;
            }
            ByteBuffer bytes = ByteBuffer.allocate(count * 4).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values, offset, count);
            graph.addInitializer(t.setRawData(ByteString.copyFrom(bytes)));
        }

        void longs(String name, long... values) {
            graph.addInitializer(TensorProto.newBuilder()
                    .setName(name)
                    .setDataType(TensorProto.DataType.INT64.getNumber())
                    .addDims(values.length)
                    .addAllInt64Data(java.util.Arrays.stream(values).boxed().toList()));
        }

        void scalar(String name, float value) {
            graph.addInitializer(TensorProto.newBuilder()
                    .setName(name)
                    .setDataType(TensorProto.DataType.FLOAT.getNumber())
                    .addFloatData(value));
        }

        void scalarLong(String name, long value) {
            graph.addInitializer(TensorProto.newBuilder()
                    .setName(name)
                    .setDataType(TensorProto.DataType.INT64.getNumber())
                    .addInt64Data(value));
        }

        int node(String op, String output, String... inputs) {
            NodeProto.Builder node = NodeProto.newBuilder()
                    .setOpType(op)
                    .setName(output + "_" + op)
                    .addOutput(output);
            for (String input : inputs) {
                node.addInput(input);
            }
            graph.addNode(node);
            return graph.getNodeCount() - 1;
        }

        void attributes(int nodeIndex, AttributeProto... attributes) {
            NodeProto.Builder node = graph.getNodeBuilder(nodeIndex);
            for (AttributeProto a : attributes) {
                node.addAttribute(a);
            }
        }

        GraphProto build() {
            return graph.build();
        }
    }
}
