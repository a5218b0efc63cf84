package dev.duet.evaluation.corella;

import dev.duet.evaluation.calibration.CrmAnswers;
import dev.duet.evaluation.calibration.Requests;
import dev.duet.core.crm.CrmModel;
import dev.duet.core.data.Dataset;
import dev.duet.core.features.FeatureEncoding;
import dev.duet.core.samples.Sample;
import dev.duet.core.scorer.ScorerBatch;
import dev.duet.core.scorer.ScorerSettings;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.worker.RequestLimits;
import dev.duet.worker.internal.ScorerRequestEncoder;
import dev.duet.worker.internal.SentenceEncoder;
import dev.duet.core.onnx.SharedSessions;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One split as the scorer sees it: the worker requests the job would send for its samples
 * ({@link Requests}, the CRM's answers in them), turned into scorer inputs by the worker's own
 * {@link ScorerRequestEncoder}, with labels and the CRM's probabilities.
 *
 * @param batch the scorer's inputs, one row per sample
 * @param labels per sample
 * @param crm the CRM's probability per sample
 */
public record ScorerData(ScorerBatch batch, float[] labels, float[] crm) {

    private static final int CHUNK = 4096;

    /** The scorer settings for a CRM and an encoder: widths, the CRM's rating normalisation. */
    public static ScorerSettings settings(CrmModel crm, String encoder, int textDim) {
        FeatureEncoding e = crm.encoding();
        float center = 0f;
        float scale = 1f;
        if (!e.implicitFeedback()) {
            // (r - c) / s read back from the encoding itself, so the scorer normalises as the CRM does.
            float at0 = e.normalizeRating(0f);
            float at1 = e.normalizeRating(1f);
            scale = 1f / (at1 - at0);
            center = -at0 * scale;
        }
        return new ScorerSettings(encoder, textDim, crm.vectorDim(), e.historyLength(), center, scale, 1e-3f, null,
                Map.of());
    }

    /** The widths of an encoder's vectors (one embedding of a short text). */
    public static int textDim(SentenceEncoder encoder) throws Exception {
        return encoder.embed(List.of("probe"))[0].length;
    }

    /** Opens the frozen encoder by name, as the worker does. */
    public static SentenceEncoder openEncoder(String name, int threads) throws Exception {
        return SentenceEncoder.open(name, SentenceEncoder.Pooling.MEAN, SharedSessions.Device.CPU, threads, 128);
    }

    /** Scores the samples with the CRM and builds the scorer's rows through the worker's encoder. */
    public static ScorerData of(List<Sample> samples, Dataset dataset, CrmModel crm, CrmAnswers answers,
            ScorerRequestEncoder encoder, PrintStream out, String label) throws Exception {
        List<ScoreRequest> requests = new ArrayList<>(samples.size());
        float[] labels = new float[samples.size()];
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            requests.add(Requests.pointwise(label + "-" + i, s, dataset, answers.probability()[i],
                    answers.userVectors()[i], answers.itemVectors()[i], crm.version()));
            labels[i] = s.label();
        }
        long t = System.nanoTime();
        ScorerBatch batch = encoder.encode(requests).batch();
        out.printf("  %s: %,d requests -> scorer inputs in %.1f s%n", label, requests.size(), (System.nanoTime() - t) / 1e9);
        return new ScorerData(batch, labels, answers.probability());
    }

    /** Requests in the worker's limits by default. */
    public static ScorerRequestEncoder requestEncoder(ScorerSettings settings, SentenceEncoder encoder) {
        return new ScorerRequestEncoder(settings, encoder, 50_000, RequestLimits.defaults());
    }

    public int size() {
        return labels.length;
    }
}
