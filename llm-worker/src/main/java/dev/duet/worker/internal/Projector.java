package dev.duet.worker.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.duet.core.onnx.SharedSessions;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Maps the CRM's behaviour vectors into the LLM's token-embedding space (LLaRA's projector): an
 * ONNX model from float [N, d_in] to float [N, hidden], run once per batch for every vector.
 */
public final class Projector implements AutoCloseable {

    private final SharedSessions.Lease lease;
    private final String inputName;
    private final int inputWidth;
    private final int outputWidth;

    private Projector(SharedSessions.Lease lease, String inputName, int inputWidth, int outputWidth) {
        this.lease = lease;
        this.inputName = inputName;
        this.inputWidth = inputWidth;
        this.outputWidth = outputWidth;
    }

    /** Opens the projector and checks that it outputs vectors of the model's embedding width. */
    public static Projector open(
            Path file, SharedSessions.Device device, int intraOpThreads, int hiddenSize)
            throws OrtException {
        SharedSessions.Lease lease = SharedSessions.acquire(file, device, intraOpThreads);
        try {
            OrtSession s = lease.session();
            if (s.getInputInfo().size() != 1 || s.getOutputInfo().size() < 1) {
                throw new IllegalArgumentException(
                        "Projector " + file + " must have one input [N, d_in] and one output");
            }
            var in = s.getInputInfo().entrySet().iterator().next();
            long[] inShape = ((TensorInfo) in.getValue().getInfo()).getShape();
            long[] outShape =
                    ((TensorInfo) s.getOutputInfo().values().iterator().next().getInfo())
                            .getShape();
            if (inShape.length != 2 || outShape.length != 2) {
                throw new IllegalArgumentException(
                        "Projector " + file + " must map [N, d_in] to [N, hidden]");
            }
            if (outShape[1] > 0 && outShape[1] != hiddenSize) {
                throw new IllegalArgumentException(
                        "Projector "
                                + file
                                + " outputs width "
                                + outShape[1]
                                + " but the model's token embeddings have width "
                                + hiddenSize);
            }
            return new Projector(lease, in.getKey(), (int) inShape[1], hiddenSize);
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /** The behaviour width it expects, or -1 when the model leaves it open. */
    public int inputWidth() {
        return inputWidth;
    }

    /** Projects every vector with one model call; all must have the same width. */
    public float[][] project(List<float[]> vectors) throws OrtException {
        if (vectors.isEmpty()) {
            return new float[0][];
        }
        int d = vectors.get(0).length;
        float[] flat = new float[vectors.size() * d];
        for (int i = 0; i < vectors.size(); i++) {
            if (vectors.get(i).length != d) {
                throw new IllegalArgumentException("behaviour vectors in one batch differ in width");
            }
            System.arraycopy(vectors.get(i), 0, flat, i * d, d);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(flat),
                        new long[] {vectors.size(), d});
                OrtSession.Result result = lease.session().run(Map.of(inputName, in))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[][] projected = new float[vectors.size()][outputWidth];
            for (float[] row : projected) {
                out.get(row);
            }
            return projected;
        }
    }

    @Override
    public void close() throws OrtException {
        lease.close();
    }
}
