package dev.duet.job.scoring;

import dev.duet.core.crm.CrmModel;
import dev.duet.core.crm.CrmScores;
import dev.duet.core.features.EncodedBatch;
import dev.duet.core.features.FeatureEncoding;
import dev.duet.core.onnx.SharedSessions;
import dev.duet.job.model.ItemDescriptor;
import java.nio.file.Path;
import java.util.Arrays;
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
        FeatureEncoding encoding = model.encoding();
        ItemDescriptor[] history = null;
        FeatureEncoding.ItemColumns[] historyColumns = null;
        for (ScoringRow row : rows) {
            if (row.history() != history) {
                history = row.history();
                historyColumns = new FeatureEncoding.ItemColumns[history.length];
                for (int i = 0; i < history.length; i++) {
                    historyColumns[i] = columns(history[i], encoding);
                }
            }
            encoding.encode(row.sample(), columns(row.item(), encoding), historyColumns, row.user(), batch);
        }
        return model.score(batch);
    }

    /** The entry's columns under {@code encoding}, computed on first use and kept with the entry. */
    static FeatureEncoding.ItemColumns columns(ItemDescriptor item, FeatureEncoding encoding) {
        FeatureEncoding.ItemColumns c = item.columns;
        if (c == null || !c.belongsTo(encoding)) {
            c = encoding.itemColumns(item.itemId, item.year, item.genres == null ? List.of() : Arrays.asList(item.genres));
            item.columns = c;
        }
        return c;
    }

    @Override
    public void close() throws Exception {
        model.close();
    }
}
