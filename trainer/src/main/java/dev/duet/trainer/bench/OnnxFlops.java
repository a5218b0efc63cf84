package dev.duet.trainer.bench;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts the floating-point operations per sample of an ONNX model's matrix products (MatMul and
 * Gemm against a weight initializer: 2 x in x out each). Element-wise operations and lookups are
 * left out: in DCNv2 they are a few percent of the matrix work, so this is a slight undercount and
 * the distance to the hardware limit it yields is, if anything, flattering.
 */
public final class OnnxFlops {

    private OnnxFlops() {}

    public static long perSample(Path model) throws IOException {
        OnnxMl.ModelProto proto;
        try (InputStream in = Files.newInputStream(model)) {
            proto = OnnxMl.ModelProto.parseFrom(in);
        }
        Map<String, long[]> shapes = new HashMap<>();
        for (OnnxMl.TensorProto t : proto.getGraph().getInitializerList()) {
            shapes.put(t.getName(), t.getDimsList().stream().mapToLong(Long::longValue).toArray());
        }
        long flops = 0;
        for (OnnxMl.NodeProto node : proto.getGraph().getNodeList()) {
            if ((node.getOpType().equals("MatMul") || node.getOpType().equals("Gemm")) && node.getInputCount() >= 2) {
                long[] w = shapes.get(node.getInput(1));
                if (w != null && w.length == 2) {
                    flops += 2 * w[0] * w[1];
                }
            }
        }
        return flops;
    }
}
