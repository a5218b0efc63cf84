package dev.duet.evaluation.calibration;

import dev.duet.core.data.Dataset;
import dev.duet.core.samples.Sample;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.worker.InvalidRequestException;
import dev.duet.worker.ScoringBackend;
import dev.duet.worker.internal.TextEncoderBackend;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs an LLM backend in-process over samples in batches, as the worker would (same requests, same
 * backend code), with progress output. A request the backend rejects (e.g. a prompt longer than the
 * model's context) gets the CRM's answer, as the job's fallback would, and is counted.
 */
public final class LlmRunner {

    /**
     * What the LLM answered.
     *
     * @param probability per sample
     * @param headFeatures text-encoder only: the head's input row per sample, else null
     * @param seconds wall time of the backend calls
     * @param rejected requests the backend rejected (answered by the CRM)
     */
    public record Answers(float[] probability, double[][] headFeatures, double seconds, int rejected) {

        /** Mean LLM seconds per request. */
        public double secondsPerCall() {
            return probability.length == 0 ? 0 : seconds / probability.length;
        }
    }

    private final ScoringBackend backend;
    private final int batchSize;
    private final PrintStream out;

    public LlmRunner(ScoringBackend backend, int batchSize, PrintStream out) {
        this.backend = backend;
        this.batchSize = batchSize;
        this.out = out;
    }

    /**
     * Scores every sample. With {@code wantHeadFeatures} and a text-encoder backend, also returns
     * the features its logistic head sees, so calibration can refit the head.
     */
    public Answers run(List<Sample> samples, Dataset dataset, CrmAnswers crm, String crmVersion,
            String label, boolean wantHeadFeatures) throws Exception {
        int n = samples.size();
        float[] probability = new float[n];
        TextEncoderBackend encoder = wantHeadFeatures && backend instanceof TextEncoderBackend t ? t : null;
        double[][] features = encoder == null ? null : new double[n][];
        long nanos = 0;
        int rejected = 0;
        int reportEvery = Math.max(batchSize, n / 10);
        int nextReport = reportEvery;
        out.printf("%s: scoring %,d samples with %s (batches of %d)...%n", label, n, backend.modelName(), batchSize);
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            List<ScoreRequest> batch = new ArrayList<>(to - from);
            List<Integer> rows = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) {
                ScoreRequest r = Requests.pointwise(label + "-" + i, samples.get(i), dataset,
                        crm.probability()[i], crm.userVectors()[i], crm.itemVectors()[i], crmVersion);
                try {
                    backend.validate(r);
                    batch.add(r);
                    rows.add(i);
                } catch (InvalidRequestException e) {
                    rejected++;
                    probability[i] = crm.probability()[i];
                }
            }
            if (!batch.isEmpty()) {
                long start = System.nanoTime();
                List<float[]> scores = backend.scoreBatch(batch);
                nanos += System.nanoTime() - start;
                // Outside the timing: the embeddings are cached by now, and serving never does this.
                List<double[][]> f = encoder == null ? null : encoder.headFeatures(batch);
                for (int k = 0; k < rows.size(); k++) {
                    probability[rows.get(k)] = scores.get(k)[0];
                    if (features != null) {
                        features[rows.get(k)] = f.get(k)[0];
                    }
                }
            }
            if (to >= nextReport || to == n) {
                out.printf("%s: %,d / %,d (%.0f %%), %.1f s in the LLM, %.1f ms per sample%n", label, to, n,
                        100.0 * to / n, nanos / 1e9, nanos / 1e6 / Math.max(1, to));
                nextReport += reportEvery;
            }
        }
        if (features != null) {
            // Rejected requests have no features: calibration must not fit on invented rows.
            for (int i = 0; i < n; i++) {
                if (features[i] == null) {
                    throw new IllegalStateException("text-encoder rejected a request; cannot fit its head");
                }
            }
        }
        return new Answers(probability, features, nanos / 1e9, rejected);
    }
}
