package dev.duet.trainer.bench;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * This machine's practical floating-point rate: a large single-precision matrix product run by
 * the same ONNX Runtime (and its MLAS kernels) that scores the CRM, so the CRM's distance from it is
 * a like-for-like number.
 */
public final class MatMulPeak {

    private MatMulPeak() {}

    /** FLOP/s of [m, k] x [k, n] products, best of {@code rounds} timed runs after warm-up. */
    public static double measure(int m, int k, int n, int rounds) throws Exception {
        Path file = Files.createTempFile("duet-matmul", ".onnx");
        try {
            Files.write(file, model(k, n).toByteArray());
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            float[] input = new float[m * k];
            Random random = new Random(1);
            for (int i = 0; i < input.length; i++) {
                input[i] = random.nextFloat();
            }
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                    OrtSession session = env.createSession(file.toString(), options);
                    OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {m, k})) {
                double best = Double.MAX_VALUE;
                for (int r = 0; r < rounds + 3; r++) {
                    long start = System.nanoTime();
                    try (OrtSession.Result result = session.run(Map.of("x", x))) {
                        result.get(0);
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    if (r >= 3) {
                        best = Math.min(best, seconds);
                    }
                }
                return 2.0 * m * k * n / best;
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static OnnxMl.ModelProto model(int k, int n) {
        ByteBuffer weights = ByteBuffer.allocate(k * n * 4).order(ByteOrder.LITTLE_ENDIAN);
        Random random = new Random(2);
        for (int i = 0; i < k * n; i++) {
            weights.putFloat(random.nextFloat() - 0.5f);
        }
        weights.flip();
        OnnxMl.TensorProto w = OnnxMl.TensorProto.newBuilder().setName("w").addDims(k).addDims(n)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).setRawData(ByteString.copyFrom(weights)).build();
        OnnxMl.GraphProto graph = OnnxMl.GraphProto.newBuilder()
                .setName("matmul")
                .addInitializer(w)
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("MatMul").addInput("x").addInput("w").addOutput("y"))
                .addInput(value("x", -1, k))
                .addOutput(value("y", -1, n))
                .build();
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(17)).build();
    }

    private static OnnxMl.ValueInfoProto value(String name, long rows, long cols) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        shape.addDim(rows < 0 ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch").build()
                : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(rows).build());
        shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(cols));
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).setShape(shape))).build();
    }
}
