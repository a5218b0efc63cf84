package dev.duet.trainer.corella;

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
import dev.duet.core.scorer.ScorerContract;
import dev.duet.core.scorer.ScorerSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Writes the trained part of the scorer as its own small ONNX graph (opset 17, IR 8): the
 * {@link ScorerContract} inputs, the computation of {@link ScorerNetwork#forward} and the blend,
 * outputs {@code logit} and {@code probability}. The frozen encoder stays the packaged one the
 * settings name; the worker runs it first.
 */
public final class ScorerExporter {

    private static final int OPSET = 17;
    private static final long IR_VERSION = 8;
    private static final String BATCH = "batch";

    private ScorerExporter() {}

    /** Writes scorer.onnx (atomically) into {@code folder}; returns the file. */
    public static Path export(TrainedScorer scorer, Map<String, String> metadata, Path folder) throws IOException {
        Files.createDirectories(folder);
        Path file = folder.resolve(ScorerContract.GRAPH_FILE);
        ModelProto.Builder proto = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("duet-trainer")
                .setProducerVersion(scorer.parameters().digest())
                .setDomain("dev.duet")
                .setModelVersion(1)
                .setDocString("Duet trained scorer (the layers above a frozen text encoder); see docs/collaboration.md")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph(scorer));
        metadata.forEach((k, v) -> proto.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        Path tmp = Files.createTempFile(folder, ScorerContract.GRAPH_FILE, ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                proto.build().writeTo(out);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return file;
    }

    static GraphProto graph(TrainedScorer scorer) {
        ScorerSettings s = scorer.settings();
        ScorerParameters p = scorer.parameters();
        ScorerConfig c = scorer.config();
        Graph g = new Graph();
        int e = s.textDim();
        int k = s.historyLength();
        int d = s.behaviourDim();
        g.input(ScorerContract.CANDIDATE_TEXT, e);
        g.input(ScorerContract.HISTORY_TEXT, k, e);
        g.input(ScorerContract.HISTORY_RATING, k);
        g.input(ScorerContract.HISTORY_MASK, k);
        g.input(ScorerContract.USER_BEHAVIOUR, d);
        g.input(ScorerContract.ITEM_BEHAVIOUR, d);
        g.input(ScorerContract.DENSE, ScorerContract.DENSE_WIDTH);
        for (String name : ScorerParameters.NAMES) {
            if (!ScorerParameters.TRAINING_ONLY.contains(name)) {
                g.floats(name, p.get(name), p.shape(name));
            }
        }
        g.longs("axis_1", 1);
        g.longs("axis_2", 2);
        g.longs("slice_start", 0);
        g.longs("slice_end", 1);
        g.floats("dense_scale", new ScorerNetwork(s, c).denseScale(), 1, ScorerContract.DENSE_WIDTH);
        g.scalar("one", 1f);
        g.scalar("big", 1e4f);
        g.scalar("inv_sqrt_dim", (float) (1.0 / Math.sqrt(c.dim())));
        g.scalar("blend_scorer", (float) scorer.blendScorer());
        g.scalar("blend_crm", (float) scorer.blendCrm());
        g.scalar("blend_bias", (float) scorer.blendBias());

        g.node("MatMul", "ct_w", ScorerContract.CANDIDATE_TEXT, "text_w");
        g.node("Add", "ct", "ct_w", "text_b");
        g.node("MatMul", "ht_w", ScorerContract.HISTORY_TEXT, "text_w");
        g.node("Add", "ht", "ht_w", "text_b");
        g.node("MatMul", "ib_w", ScorerContract.ITEM_BEHAVIOUR, "item_beh_w");
        g.node("Add", "item", "ct", "ib_w");
        g.node("Unsqueeze", "r3", ScorerContract.HISTORY_RATING, "axis_2");
        g.node("Mul", "r_w", "r3", "rating_w");
        g.node("Add", "hr", "ht", "r_w");
        g.node("MatMul", "query", "item", "attn_w");
        g.node("Unsqueeze", "query3", "query", "axis_1");
        g.node("Mul", "ht_q", "ht", "query3");
        g.keep(g.node("ReduceSum", "scores_raw", "ht_q", "axis_2"), false);
        g.node("Mul", "scores", "scores_raw", "inv_sqrt_dim");
        g.node("Sub", "mask_m1", ScorerContract.HISTORY_MASK, "one");
        g.node("Mul", "mask_pen", "mask_m1", "big");
        g.node("Add", "scores_masked", "scores", "mask_pen");
        g.attributes(g.node("Softmax", "attention_soft", "scores_masked"), intAttribute("axis", 1));
        g.node("Mul", "attention", "attention_soft", ScorerContract.HISTORY_MASK);
        g.node("Unsqueeze", "attention3", "attention", "axis_2");
        g.node("Mul", "hr_a", "hr", "attention3");
        g.keep(g.node("ReduceSum", "pooled", "hr_a", "axis_1"), false);
        g.keep(g.node("ReduceSum", "count_raw", ScorerContract.HISTORY_MASK, "axis_1"), true);
        g.node("Max", "count", "count_raw", "one");
        g.node("Unsqueeze", "mask3", ScorerContract.HISTORY_MASK, "axis_2");
        g.node("Mul", "hr_m", "hr", "mask3");
        g.keep(g.node("ReduceSum", "hr_sum", "hr_m", "axis_1"), false);
        g.node("Div", "user_text", "hr_sum", "count");
        g.node("MatMul", "user_beh", ScorerContract.USER_BEHAVIOUR, "user_beh_w");
        g.node("Unsqueeze", "c3", ScorerContract.CANDIDATE_TEXT, "axis_1");
        g.node("Mul", "h_c", ScorerContract.HISTORY_TEXT, "c3");
        g.keep(g.node("ReduceSum", "cos", "h_c", "axis_2"), false);
        g.node("Mul", "a_r", "attention", ScorerContract.HISTORY_RATING);
        g.keep(g.node("ReduceSum", "attended_rating", "a_r", "axis_1"), true);
        g.node("Mul", "cos_r", "cos", ScorerContract.HISTORY_RATING);
        g.node("Mul", "cos_r_m", "cos_r", ScorerContract.HISTORY_MASK);
        g.keep(g.node("ReduceSum", "cos_r_sum", "cos_r_m", "axis_1"), true);
        g.node("Div", "rated_similarity", "cos_r_sum", "count");
        g.node("Mul", "cos_m", "cos", ScorerContract.HISTORY_MASK);
        g.keep(g.node("ReduceSum", "cos_sum", "cos_m", "axis_1"), true);
        g.node("Div", "mean_similarity", "cos_sum", "count");
        g.node("Mul", "dense_scaled", ScorerContract.DENSE, "dense_scale");
        g.node("Mul", "item_pooled", "item", "pooled");
        g.node("Mul", "item_user", "item", "user_beh");
        g.attributes(g.node("Concat", "x", "item", "pooled", "item_pooled", "user_text", "user_beh", "item_user",
                "attended_rating", "rated_similarity", "mean_similarity", "dense_scaled"), intAttribute("axis", 1));
        g.node("MatMul", "h1_w", "x", "mlp_w1");
        g.node("Add", "h1_z", "h1_w", "mlp_b1");
        g.node("Relu", "h1", "h1_z");
        g.node("MatMul", "z_w", "h1", "mlp_w2");
        g.node("Add", "z_b", "z_w", "mlp_b2");
        g.node("Slice", "crm_logit", ScorerContract.DENSE, "slice_start", "slice_end", "axis_1");
        g.node("Mul", "crm_term", "crm_logit", "crm_w");
        g.node("Add", "z2", "z_b", "crm_term");
        g.node("Squeeze", "z", "z2", "axis_1");
        g.node("Squeeze", "crm_logit_1d", "crm_logit", "axis_1");
        g.node("Mul", "blend_z", "z", "blend_scorer");
        g.node("Mul", "blend_c", "crm_logit_1d", "blend_crm");
        g.node("Add", "blend_zc", "blend_z", "blend_c");
        g.node("Add", ScorerContract.LOGIT, "blend_zc", "blend_bias");
        g.node("Sigmoid", ScorerContract.PROBABILITY, ScorerContract.LOGIT);
        g.output(ScorerContract.LOGIT);
        g.output(ScorerContract.PROBABILITY);
        return g.build();
    }

    private static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    /** A graph under construction; node names follow their single output. */
    private static final class Graph {
        private final GraphProto.Builder graph = GraphProto.newBuilder().setName("duet_scorer");

        void input(String name, int... widths) {
            graph.addInput(valueInfo(name, widths));
        }

        void output(String name, int... widths) {
            graph.addOutput(valueInfo(name, widths));
        }

        private static ValueInfoProto valueInfo(String name, int... widths) {
            TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                    .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH));
            for (int w : widths) {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(w));
            }
            return ValueInfoProto.newBuilder().setName(name)
                    .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                            .setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
                    .build();
        }

        void floats(String name, float[] values, int... shape) {
            TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber());
            for (int s : shape) {
                t.addDims(s);
            }
            ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values);
            graph.addInitializer(t.setRawData(ByteString.copyFrom(bytes)));
        }

        void longs(String name, long... values) {
            graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber())
                    .addDims(values.length).addAllInt64Data(java.util.Arrays.stream(values).boxed().toList()));
        }

        void scalar(String name, float value) {
            graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber())
                    .addFloatData(value));
        }

        int node(String op, String output, String... inputs) {
            NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName(output + "_" + op).addOutput(output);
            for (String input : inputs) {
                node.addInput(input);
            }
            graph.addNode(node);
            return graph.getNodeCount() - 1;
        }

        void keep(int nodeIndex, boolean keepDims) {
            attributes(nodeIndex, intAttribute("keepdims", keepDims ? 1 : 0));
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
