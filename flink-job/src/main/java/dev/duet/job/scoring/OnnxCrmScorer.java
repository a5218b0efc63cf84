package dev.duet.job.scoring;

import dev.duet.core.crm.CrmModel;
import dev.duet.core.onnx.SharedSessions;
import dev.duet.core.crm.CrmScores;
import dev.duet.core.features.EncodedBatch;
import java.nio.file.Path;
import java.util.List;

/**
 * The CRM on ONNX Runtime: encodes rows with the feature encoding stored in the model file (the
 * trainer's own encoding) and scores them in one session run. The session is shared by every
 * subtask in the JVM ({@link dev.duet.core.onnx.SharedSessions}).
 */
public final class OnnxCrmScorer implements CrmScorer {

    private final CrmModel model;
    private EncodedBatch batch;

    public OnnxCrmScorer(CrmModel model) {
        this.model = model;
    }

    /** {@link CrmModel#load} on the CPU, the model run on the calling task thread. */
    public static CrmScorerFactory factory() {
        return factory(1);
    }

    /**
     * {@link CrmModel#load} on the CPU with {@code intraOpThreads} ONNX Runtime threads per call
     * (0: ONNX Runtime's default pool, one spinning thread per core).
     */
    public static CrmScorerFactory factory(int intraOpThreads) {
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("scoring.intra-op-threads must be 0 or more, got " + intraOpThreads);
        }
        return path -> new OnnxCrmScorer(CrmModel.load(Path.of(path), SharedSessions.Device.CPU, intraOpThreads));
    }

    @Override
    public String version() {
        return model.version();
    }

    @Override
    public CrmScores score(List<ScoringRow> rows) throws Exception {
        if (batch == null || batch.capacity() < rows.size()) {
            batch = new EncodedBatch(model.encoding(), Math.max(rows.size(), 64));
        }
        batch.clear();
        for (ScoringRow row : rows) {
            model.encoding().encode(row.sample(), row.item(), row.user(), batch);
        }
        return model.score(batch);
    }

    @Override
    public void close() throws Exception {
        model.close();
    }
}
