package dev.duet.evaluation.nextitem;

import dev.duet.core.data.Dataset;
import dev.duet.core.data.Split;
import dev.duet.core.scorer.ScorerBatch;
import dev.duet.core.scorer.ScorerContract;
import dev.duet.core.scorer.ScorerSettings;
import dev.duet.core.sequence.SequenceModel;
import dev.duet.evaluation.calibration.ModelKind;
import dev.duet.evaluation.corella.ScorerData;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.trainer.corella.ScorerConfig;
import dev.duet.trainer.corella.ScorerExporter;
import dev.duet.trainer.corella.ScorerTrainer;
import dev.duet.trainer.corella.TrainedScorer;
import dev.duet.trainer.eval.Machine;
import dev.duet.trainer.nextitem.NextItemCase;
import dev.duet.trainer.nextitem.NextItemData;
import dev.duet.worker.internal.ScorerRequestEncoder;
import dev.duet.worker.internal.SentenceEncoder;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code ./duet train-llm --task next-item}: a reranker the LLM side can learn for next-item (LLaRA's
 * hybrid idea on the project's trainable scorer): the frozen text encoder embeds the item titles,
 * and the scorer's trained layers read the history titles, the candidate's title, and the sequence
 * model's user and item vectors through their projections. It is trained on the TRAINING split's
 * cases (each with the protocol's 20 candidates: label 1 for the true item, 0 for the 19 others);
 * the epoch and the blend {@code w z + logit(p_sequence)} with the sequence model's probability
 * ({@link #rankingBlend}) are chosen on validation HR@1. Writes {@code scorer.onnx} and {@code scorer.json}
 * for the worker's {@code trained} backend: a text ENCODER with trained layers, not an LLM.
 */
public final class NextItemReranker {

    private static final int BATCH = 256;

    /** What to train. */
    public record Options(String encoder, int maxTrainCases, int maxEpochs, int dim, long seed, int threads) {}

    private final Options options;
    private final PrintStream out;

    public NextItemReranker(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Trains, exports into {@code outDir} and returns the report tree. */
    public Map<String, Object> train(Dataset dataset, Path modelPath, Path outDir) throws Exception {
        ModelKind.requireNextItem("--crm", modelPath, "train-llm --task next-item trains on a sequence model's cases");
        long started = System.nanoTime();
        try (SequenceModel model = SequenceModel.load(ModelKind.file(modelPath));
                SentenceEncoder encoder = ScorerData.openEncoder(options.encoder(), options.threads())) {
            NextItemData data = NextItemData.from(dataset, model.maxHistory());
            NextItemProtocol.SplitCases train = NextItemProtocol.of(data, model, 1, out).split(Split.TRAIN);
            NextItemProtocol validProtocol = NextItemProtocol.of(data, model, 0, out);
            NextItemProtocol.SplitCases valid = validProtocol.split(Split.VALID);
            ScorerSettings settings = new ScorerSettings(options.encoder(), ScorerData.textDim(encoder), model.embeddingDim(),
                    model.maxHistory(), 0f, 1f, 1e-3f, null, Map.of());
            ScorerRequestEncoder requests = ScorerData.requestEncoder(settings, encoder);

            int[] chosen = sample(train.cases().size(), options.maxTrainCases(), new Random(options.seed()));
            out.printf("Reranker: %,d of %,d training cases (seed %d), %d candidates each; validation %,d cases x %d seeds%n",
                    chosen.length, train.cases().size(), options.seed(), validProtocol.candidates(), valid.cases().size(),
                    validProtocol.seeds().size());
            Rows trainRows = rows(model, dataset, train, List.<String[][]>of(train.candidatesPerSeed().get(0)), chosen, requests, "train");
            int[] all = new int[valid.cases().size()];
            Arrays.setAll(all, i -> i);
            Rows validRows = rows(model, dataset, valid, valid.candidatesPerSeed(), all, requests, "valid");
            int c = validProtocol.candidates();
            float[] validSeqLogit = crmLogits(validRows.batch);

            ScorerConfig config = ScorerConfig.builder().maxEpochs(options.maxEpochs()).dim(options.dim())
                    .patience(2).hardnessPower(0).useCrmLogit(false).useUserBehaviour(true).seed(options.seed()).build();
            out.println("Training the reranker: " + config);
            ScorerTrainer.Result result = new ScorerTrainer(settings, config, out, "next-item reranker")
                    .train(trainRows.batch, trainRows.labels, validRows.batch,
                            z -> hr1(blended(z, validSeqLogit, rankingBlend(z, validSeqLogit, c)), c));
            float[] z = result.scorer().rawLogits(validRows.batch);
            double[] blend = rankingBlend(z, validSeqLogit, c);
            double validReranker = hr1(blended(z, validSeqLogit, blend), c);
            double validAlone = hr1(z, c);
            double validSequence = hr1(validSeqLogit, c);
            out.printf("Reranker: best epoch %d; valid HR@1 (all cases, %d seeds): blend %.4f, trained layers alone %.4f,"
                    + " sequence model %.4f; blend %.3f z + %.3f logit(p_seq) + %.3f%n", result.bestEpoch(),
                    validProtocol.seeds().size(), validReranker, validAlone, validSequence, blend[0], blend[1], blend[2]);

            Map<String, Object> details = new LinkedHashMap<>();
            details.put("task", "next-item");
            details.put("sequence_model", Map.of("file", model.file().toString(), "version", model.version()));
            details.put("config", config.toString());
            details.put("best_epoch", result.bestEpoch());
            details.put("blend", Map.of("scorer", blend[0], "sequence_logit", blend[1], "bias", blend[2]));
            ScorerSettings versioned = settings.withVersion(result.scorer().parameters().digest(), details);
            TrainedScorer exported = new TrainedScorer(versioned, config, result.scorer().parameters(), blend[0], blend[1],
                    blend[2]);
            Files.createDirectories(outDir);
            ScorerExporter.export(exported, Map.of("duet.scorer_version", versioned.version(), "duet.encoder",
                    options.encoder(), "duet.model_task", "next-item-reranker"), outDir);
            versioned.write(outDir.resolve(ScorerContract.SETTINGS_FILE));

            Map<String, Object> report = new LinkedHashMap<>();
            report.put("task", "next-item");
            report.put("dataset", data.name());
            report.put("what_it_is", BackendKind.describe("trained", ""));
            report.put("sequence_model", Map.of("file", model.file().toString(), "version", model.version()));
            report.put("train_cases", chosen.length);
            report.put("train_rows", trainRows.labels.length);
            report.put("valid_cases", valid.cases().size());
            report.put("config", config.toString());
            report.put("best_epoch", result.bestEpoch());
            report.put("epochs", result.epochs().stream().map(e -> Map.of("epoch", e.epoch(), "train_loss", e.trainLoss(),
                    "valid_hr@1", e.validScore(), "seconds", e.seconds())).toList());
            report.put("blend", details.get("blend"));
            report.put("valid_hr@1", Map.of("reranker", validReranker, "trained_layers_alone", validAlone,
                    "sequence_model", validSequence));
            report.put("version", versioned.version());
            report.put("seconds", (System.nanoTime() - started) / 1e9);
            report.put("machine", Machine.describe());
            out.printf("Exported %s and %s (version %s) into %s%n", ScorerContract.GRAPH_FILE, ScorerContract.SETTINGS_FILE,
                    versioned.version(), outDir);
            return report;
        }
    }

    /** Scorer rows of the chosen cases under each candidate set: one request per case, one row per candidate. */
    private record Rows(ScorerBatch batch, float[] labels) {}

    private Rows rows(SequenceModel model, Dataset dataset, NextItemProtocol.SplitCases split, List<String[][]> candidateSets,
            int[] chosen, ScorerRequestEncoder encoder, String label) throws Exception {
        List<ScoreRequest> requests = new ArrayList<>();
        List<Float> labels = new ArrayList<>();
        long t = System.nanoTime();
        for (String[][] candidates : candidateSets) {
            for (int from = 0; from < chosen.length; from += BATCH) {
                int to = Math.min(chosen.length, from + BATCH);
                List<String[]> histories = new ArrayList<>();
                List<String[]> lists = new ArrayList<>();
                for (int j = from; j < to; j++) {
                    histories.add(split.cases().get(chosen[j]).history().toArray(String[]::new));
                    lists.add(candidates[chosen[j]]);
                }
                SequenceModel.Behaviour b = model.behaviour(histories, lists);
                for (int j = from; j < to; j++) {
                    int k = j - from;
                    NextItemCase c = split.cases().get(chosen[j]);
                    requests.add(NextItemRequests.listwise(label + "-" + chosen[j], c.user(), c.history(), b.historyVectors()[k],
                            lists.get(k), b.candidateVectors()[k], Uncertainty.softmax(b.scores()[k]), b.userVectors()[k],
                            dataset, model.version()));
                    for (String id : lists.get(k)) {
                        labels.add(id.equals(c.next()) ? 1f : 0f);
                    }
                }
            }
        }
        ScorerBatch batch = encoder.encode(requests).batch();
        float[] y = new float[labels.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels.get(i);
        }
        out.printf("  %s: %,d requests -> %,d scorer rows in %.1f s%n", label, requests.size(), batch.size(),
                (System.nanoTime() - t) / 1e9);
        return new Rows(batch, y);
    }

    private static float[] crmLogits(ScorerBatch batch) {
        float[] z = new float[batch.size()];
        for (int i = 0; i < z.length; i++) {
            z[i] = batch.crmLogit(i);
        }
        return z;
    }

    /** Weights of the trained layers' logit tried against the sequence model's (weight 1): HR@1 decides. */
    static final double[] BLEND_WEIGHTS = {0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5};

    /**
     * The blend {@code w z + logit(p_sequence)} with the {@code w} of the best validation HR@1
     * (the smallest on ties: the sequence model stands unless the layers add to it). A logistic fit
     * of the blend, as the CTR scorer does, optimises the wrong thing for a ranking of 20.
     */
    static double[] rankingBlend(float[] z, float[] seq, int c) {
        double bestW = 0;
        double best = Double.NEGATIVE_INFINITY;
        for (double w : BLEND_WEIGHTS) {
            double hr = hr1(blended(z, seq, new double[] {w, 1, 0}), c);
            if (hr > best + 1e-12) {
                best = hr;
                bestW = w;
            }
        }
        return new double[] {bestW, 1, 0};
    }

    private static float[] blended(float[] z, float[] seq, double[] blend) {
        float[] out = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = (float) (blend[0] * z[i] + blend[1] * seq[i] + blend[2]);
        }
        return out;
    }

    /** HR@1 over consecutive groups of {@code c} rows, the true item first in each group. */
    static double hr1(float[] scores, int c) {
        double sum = 0;
        int groups = scores.length / c;
        for (int g = 0; g < groups; g++) {
            sum += Uncertainty.topOneCredit(Arrays.copyOfRange(scores, g * c, (g + 1) * c), 0);
        }
        return groups == 0 ? Double.NaN : sum / groups;
    }

    /** {@code k} distinct indices of 0..n-1 (all when k >= n), ascending. */
    private static int[] sample(int n, int k, Random random) {
        if (k <= 0 || k >= n) {
            int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            return all;
        }
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(n - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] out = Arrays.copyOf(order, k);
        Arrays.sort(out);
        return out;
    }
}
