package dev.duet.worker;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small ONNX models for tests with the ONNX protobuf builders. */
final class OnnxGraphs {

    private OnnxGraphs() {}

    /** A projector {@code behaviour [N, in] -> projected [N, out] = behaviour x W + b}. */
    static Path linearProjector(Path file, float[][] weights, float[] bias) throws IOException {
        int in = weights.length;
        int out = bias.length;
        OnnxMl.TensorProto.Builder w = OnnxMl.TensorProto.newBuilder().setName("W")
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                .addDims(in).addDims(out);
        for (float[] row : weights) {
            for (float v : row) {
                w.addFloatData(v);
            }
        }
        OnnxMl.TensorProto.Builder b = OnnxMl.TensorProto.newBuilder().setName("b")
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).addDims(out);
        for (float v : bias) {
            b.addFloatData(v);
        }
        OnnxMl.GraphProto graph = OnnxMl.GraphProto.newBuilder()
                .setName("projector")
                .addInitializer(w)
                .addInitializer(b)
                .addInput(matrix("behaviour", in))
                .addOutput(matrix("projected", out))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("MatMul")
                        .addInput("behaviour").addInput("W").addOutput("xw"))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Add")
                        .addInput("xw").addInput("b").addOutput("projected"))
                .build();
        OnnxMl.ModelProto model = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("duet-tests")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(graph)
                .build();
        Files.write(file, model.toByteArray());
        return file;
    }

    private static OnnxMl.ValueInfoProto matrix(String name, int width) {
        OnnxMl.TensorShapeProto shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(width))
                .build();
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(
                        OnnxMl.TypeProto.Tensor.newBuilder()
                                .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                                .setShape(shape)))
                .build();
    }
}
