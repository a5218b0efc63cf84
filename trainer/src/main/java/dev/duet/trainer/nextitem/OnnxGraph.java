package dev.duet.trainer.nextitem;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** An ONNX graph under construction; a node is named after its single output. */
final class OnnxGraph {

    private final GraphProto.Builder graph;

    OnnxGraph(String name) {
        graph = GraphProto.newBuilder().setName(name);
    }

    /** An input or output; a dimension is a fixed size (Integer) or a symbolic name (String). */
    void input(String name, TensorProto.DataType type, Object... dims) {
        graph.addInput(valueInfo(name, type, dims));
    }

    void output(String name, TensorProto.DataType type, Object... dims) {
        graph.addOutput(valueInfo(name, type, dims));
    }

    private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Integer size) {
                dim.setDimValue(size);
            } else {
                dim.setDimParam((String) d);
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
                .build();
    }

    /** A float initializer of the given shape. */
    void floats(String name, float[] values, int... shape) {
        if (Arrays.stream(shape).reduce(1, (a, b) -> a * b) != values.length) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for shape " + Arrays.toString(shape));
        }
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber());
        for (int s : shape) {
            t.addDims(s);
        }
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        graph.addInitializer(t.setRawData(ByteString.copyFrom(bytes)));
    }

    void scalar(String name, float value) {
        graph.addInitializer(TensorProto.newBuilder().setName(name)
                .setDataType(TensorProto.DataType.FLOAT.getNumber()).addFloatData(value));
    }

    void scalarLong(String name, long value) {
        graph.addInitializer(TensorProto.newBuilder().setName(name)
                .setDataType(TensorProto.DataType.INT64.getNumber()).addInt64Data(value));
    }

    void longs(String name, long... values) {
        graph.addInitializer(TensorProto.newBuilder().setName(name)
                .setDataType(TensorProto.DataType.INT64.getNumber()).addDims(values.length)
                .addAllInt64Data(Arrays.stream(values).boxed().toList()));
    }

    /** Adds a node and returns its output's name. */
    String node(String op, String output, String[] inputs, AttributeProto... attributes) {
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName(output + "_" + op).addOutput(output);
        for (String input : inputs) {
            node.addInput(input);
        }
        for (AttributeProto a : attributes) {
            node.addAttribute(a);
        }
        graph.addNode(node);
        return output;
    }

    String node(String op, String output, String... inputs) {
        return node(op, output, inputs, new AttributeProto[0]);
    }

    /** A Split node (opset 13+: the sizes are an input) with one output per part. */
    void split(String input, String sizes, long axis, String... outputs) {
        NodeProto.Builder node = NodeProto.newBuilder().setOpType("Split").setName(input + "_Split")
                .addInput(input).addInput(sizes).addAttribute(intAttribute("axis", axis));
        for (String output : outputs) {
            node.addOutput(output);
        }
        graph.addNode(node);
    }

    static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto floatAttribute(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    static AttributeProto intsAttribute(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    GraphProto build() {
        return graph.build();
    }
}
