package dev.duet.core.testing;

import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.sequence.SequenceModelContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes small next-item models that follow {@link SequenceModelContract}, for tests of every
 * module (it is in core's test-jar): the user vector is the mean of the known history items'
 * embeddings, and an item's score is its embedding's dot product with the user vector. The same
 * arithmetic in Java ({@link #userVector}, {@link #score}) is what tests compare ONNX Runtime with.
 *
 * <pre>
 * H                 = Gather(E, history)                    [B, L, D]   (E[0] = 0: padding adds nothing)
 * user_vector       = ReduceSum(H, 1) / max(count(history > 0), 1)
 * catalog_scores    = user_vector @ E^T                     [B, N + 1]
 * candidate_vectors = Gather(E, candidates)                 [B, C, D]
 * scores            = ReduceSum(candidate_vectors * user_vector[:, None, :], 2)
 * history_vectors   = H
 * </pre>
 */
public final class SequenceModelFixture {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> items;
    private final float[][] embeddings;
    private final int maxHistory;
    private final Map<String, String> metadata;

    private SequenceModelFixture(Builder b) {
        this.items = List.copyOf(b.items);
        this.maxHistory = b.maxHistory;
        this.embeddings = b.embeddings != null ? b.embeddings : random(items.size() + 1, b.dim, b.seed);
        this.metadata = new LinkedHashMap<>();
        if (b.task != null) {
            metadata.put(SequenceModelContract.META_TASK, b.task);
        }
        try {
            metadata.put(SequenceModelContract.META_ITEM_VOCABULARY, JSON.writeValueAsString(items));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        metadata.put(SequenceModelContract.META_MAX_HISTORY, Integer.toString(maxHistory));
        metadata.put(SequenceModelContract.META_EMBEDDING_DIM, Integer.toString(embeddings[0].length));
        metadata.put(SequenceModelContract.META_NAME, "mean-pool-fixture");
        metadata.put(SequenceModelContract.META_VERSION, b.version);
        metadata.put(SequenceModelContract.META_DATASET, "fixture");
        metadata.putAll(b.extraMetadata);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Item ids "i1".."iN". */
    public static List<String> itemIds(int n) {
        List<String> ids = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            ids.add("i" + i);
        }
        return ids;
    }

    /** Writes the model to {@code file} and returns it. */
    public Path write(Path file) throws IOException {
        int rows = embeddings.length;
        int dim = embeddings[0].length;
        OnnxMl.TensorProto.Builder e = floats("E", rows, dim);
        OnnxMl.TensorProto.Builder et = floats("ET", dim, rows);
        for (float[] row : embeddings) {
            for (float v : row) {
                e.addFloatData(v);
            }
        }
        for (int d = 0; d < dim; d++) {
            for (float[] row : embeddings) {
                et.addFloatData(row[d]);
            }
        }
        OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder().setName("mean-pool-sequence-fixture")
                .addInitializer(e)
                .addInitializer(et)
                .addInitializer(longs("axis1", 1))
                .addInitializer(longs("axis2", 2))
                .addInitializer(OnnxMl.TensorProto.newBuilder().setName("zero")
                        .setDataType(OnnxMl.TensorProto.DataType.INT64.getNumber()).addInt64Data(0))
                .addInitializer(OnnxMl.TensorProto.newBuilder().setName("one")
                        .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).addFloatData(1f))
                .addInput(tensor(SequenceModelContract.INPUT_HISTORY, OnnxMl.TensorProto.DataType.INT64, "batch", maxHistory))
                .addInput(tensor(SequenceModelContract.INPUT_CANDIDATES, OnnxMl.TensorProto.DataType.INT64, "batch", "candidates"))
                .addOutput(tensor(SequenceModelContract.OUTPUT_SCORES, OnnxMl.TensorProto.DataType.FLOAT, "batch", "candidates"))
                .addOutput(tensor(SequenceModelContract.OUTPUT_CATALOG_SCORES, OnnxMl.TensorProto.DataType.FLOAT, "batch", rows))
                .addOutput(tensor(SequenceModelContract.OUTPUT_USER_VECTOR, OnnxMl.TensorProto.DataType.FLOAT, "batch", dim))
                .addOutput(tensor(SequenceModelContract.OUTPUT_HISTORY_VECTORS, OnnxMl.TensorProto.DataType.FLOAT, "batch", maxHistory, dim))
                .addOutput(tensor(SequenceModelContract.OUTPUT_CANDIDATE_VECTORS, OnnxMl.TensorProto.DataType.FLOAT, "batch", "candidates", dim));
        graph.addNode(node("Gather", "H", "E", SequenceModelContract.INPUT_HISTORY));
        graph.addNode(node("ReduceSum", "sum", "H", "axis1").addAttribute(intAttribute("keepdims", 0)));
        graph.addNode(node("Greater", "known", SequenceModelContract.INPUT_HISTORY, "zero"));
        graph.addNode(node("Cast", "knownF", "known").addAttribute(intAttribute("to", OnnxMl.TensorProto.DataType.FLOAT.getNumber())));
        graph.addNode(node("ReduceSum", "count", "knownF", "axis1").addAttribute(intAttribute("keepdims", 1)));
        graph.addNode(node("Max", "den", "count", "one"));
        graph.addNode(node("Div", SequenceModelContract.OUTPUT_USER_VECTOR, "sum", "den"));
        graph.addNode(node("MatMul", SequenceModelContract.OUTPUT_CATALOG_SCORES, SequenceModelContract.OUTPUT_USER_VECTOR, "ET"));
        graph.addNode(node("Gather", SequenceModelContract.OUTPUT_CANDIDATE_VECTORS, "E", SequenceModelContract.INPUT_CANDIDATES));
        graph.addNode(node("Unsqueeze", "user3", SequenceModelContract.OUTPUT_USER_VECTOR, "axis1"));
        graph.addNode(node("Mul", "products", SequenceModelContract.OUTPUT_CANDIDATE_VECTORS, "user3"));
        graph.addNode(node("ReduceSum", SequenceModelContract.OUTPUT_SCORES, "products", "axis2").addAttribute(intAttribute("keepdims", 0)));
        graph.addNode(node("Identity", SequenceModelContract.OUTPUT_HISTORY_VECTORS, "H"));
        OnnxMl.ModelProto.Builder model = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("duet-tests")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(graph);
        for (Map.Entry<String, String> m : metadata.entrySet()) {
            model.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(m.getKey()).setValue(m.getValue()));
        }
        Files.write(file, model.build().toByteArray());
        return file;
    }

    /** The model's user vector for right-aligned history rows (Java arithmetic, float). */
    public float[] userVector(long[] historyRows) {
        int dim = embeddings[0].length;
        float[] sum = new float[dim];
        int count = 0;
        for (long r : historyRows) {
            if (r > 0) {
                count++;
            }
            for (int d = 0; d < dim; d++) {
                sum[d] += embeddings[(int) r][d];
            }
        }
        for (int d = 0; d < dim; d++) {
            sum[d] /= Math.max(count, 1);
        }
        return sum;
    }

    /** The model's score of item row {@code row} for a user vector. */
    public float score(float[] user, int row) {
        float s = 0;
        for (int d = 0; d < user.length; d++) {
            s += user[d] * embeddings[row][d];
        }
        return s;
    }

    /** Rows 0..N of the item table (row 0 is padding, all zeros). */
    public float[][] embeddings() {
        return embeddings;
    }

    public List<String> items() {
        return items;
    }

    public int maxHistory() {
        return maxHistory;
    }

    private static float[][] random(int rows, int dim, long seed) {
        Random random = new Random(seed);
        float[][] e = new float[rows][dim];
        for (int r = 1; r < rows; r++) {
            for (int d = 0; d < dim; d++) {
                e[r][d] = (float) random.nextGaussian();
            }
        }
        return e;
    }

    private static OnnxMl.NodeProto.Builder node(String op, String output, String... inputs) {
        OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder().setOpType(op).setName(output + "_" + op).addOutput(output);
        for (String in : inputs) {
            n.addInput(in);
        }
        return n;
    }

    private static OnnxMl.AttributeProto intAttribute(String name, long value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static OnnxMl.TensorProto.Builder floats(String name, int rows, int cols) {
        return OnnxMl.TensorProto.newBuilder().setName(name).setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                .addDims(rows).addDims(cols);
    }

    private static OnnxMl.TensorProto.Builder longs(String name, long value) {
        return OnnxMl.TensorProto.newBuilder().setName(name).setDataType(OnnxMl.TensorProto.DataType.INT64.getNumber())
                .addDims(1).addInt64Data(value);
    }

    /** A tensor value info; each dimension is a name (symbolic) or a size. */
    private static OnnxMl.ValueInfoProto tensor(String name, OnnxMl.TensorProto.DataType type, Object... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (Object d : dims) {
            OnnxMl.TensorShapeProto.Dimension.Builder dim = OnnxMl.TensorShapeProto.Dimension.newBuilder();
            if (d instanceof String s) {
                dim.setDimParam(s);
            } else {
                dim.setDimValue(((Number) d).longValue());
            }
            shape.addDim(dim);
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(
                        OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
                .build();
    }

    /** Builds a fixture; the defaults write a valid next-item model. */
    public static final class Builder {
        private List<String> items = itemIds(50);
        private int dim = 8;
        private int maxHistory = 10;
        private long seed = 1;
        private float[][] embeddings;
        private String task = SequenceModelContract.TASK_NEXT_ITEM;
        private String version = "seq-fixture-v1";
        private final Map<String, String> extraMetadata = new LinkedHashMap<>();

        private Builder() {}

        /** The item ids of rows 1..N. */
        public Builder items(List<String> v) {
            items = v;
            return this;
        }

        public Builder dim(int v) {
            dim = v;
            return this;
        }

        public Builder maxHistory(int v) {
            maxHistory = v;
            return this;
        }

        /** Seed of the random (Gaussian) item table. */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** An explicit item table: rows 0..N, row 0 (padding) must be all zeros. */
        public Builder embeddings(float[][] v) {
            embeddings = v;
            return this;
        }

        /** The task metadata; null writes none (as CTR model files have none). */
        public Builder task(String v) {
            task = v;
            return this;
        }

        public Builder version(String v) {
            version = v;
            return this;
        }

        /** Another metadata entry (overrides the builder's own of the same key). */
        public Builder metadata(String key, String value) {
            extraMetadata.put(key, value);
            return this;
        }

        public SequenceModelFixture build() {
            if (items.isEmpty() || maxHistory < 1 || dim < 1) {
                throw new IllegalArgumentException("a fixture needs items, a history length and a width");
            }
            if (embeddings != null) {
                if (embeddings.length != items.size() + 1) {
                    throw new IllegalArgumentException("embeddings need " + (items.size() + 1) + " rows, got " + embeddings.length);
                }
                for (float v : embeddings[0]) {
                    if (v != 0) {
                        throw new IllegalArgumentException("row 0 (padding) must be all zeros");
                    }
                }
            }
            return new SequenceModelFixture(this);
        }
    }
}
