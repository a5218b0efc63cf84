package dev.duet.trainer.nextitem;

import ai.djl.ndarray.types.DataType;
import dev.duet.core.data.Split;
import dev.duet.core.sequence.SequenceModelContract;
import dev.duet.trainer.eval.Machine;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The next-item pipeline as a Java API (the command {@code ./duet train --task next-item}, the demo
 * and the RL work call it): item vocabulary from the training split, the candidate protocol of
 * PROTOCOL.md section 2, popularity, item-kNN and SASRec in one harness, the epoch and the kNN decay
 * chosen on validation, SASRec exported to ONNX, and the report tree ({@code report.json}).
 *
 * <p>Training sets process-wide PyTorch state (the random seed and the intra-op thread count) and
 * DJL allows one gradient collector at a time: run one training per JVM at a time. Set {@code
 * OMP_WAIT_POLICY=PASSIVE} in the environment of a process that calls this (docs/training.md).
 */
public final class NextItemTraining {

    /**
     * What a run produced. Close it to free the model's native memory.
     *
     * @param model the trained SASRec (the best validation epoch's weights)
     * @param vocabulary item ids of the model's rows 1..N
     * @param onnx the model as ONNX bytes, following {@link SequenceModelContract}
     * @param report the report tree (keys in docs/model-contract.md and README)
     * @param epochs SASRec's per-epoch figures
     * @param gru4recOnnx GRU4Rec as ONNX bytes (same contract), empty when it was not trained
     */
    public record Result(SasRecModel model, ItemVocabulary vocabulary, byte[] onnx, Map<String, Object> report,
            List<SasRecTrainer.Epoch> epochs, byte[] gru4recOnnx) implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }
    }

    private NextItemTraining() {}

    /** Trains and evaluates on {@code data}; progress lines go to {@code out}. */
    public static Result train(NextItemData data, NextItemOptions options, PrintStream out) {
        long started = System.nanoTime();
        SasRecConfig config = options.sasrec();
        int length = config.maxHistory();
        ItemVocabulary vocabulary = ItemVocabulary.fit(data.cases(Split.TRAIN));
        EncodedCases train = EncodedCases.encode(data.cases(Split.TRAIN), data, vocabulary, length);
        EncodedCases valid = EncodedCases.encode(data.cases(Split.VALID), data, vocabulary, length);
        EncodedCases test = EncodedCases.encode(data.cases(Split.TEST), data, vocabulary, length);
        out.printf("Next-item cases (%s): train %,d, valid %,d, test %,d; %,d items in the training split%n",
                data.splitRule(), train.size(), valid.size(), test.size(), vocabulary.size());
        if (valid.unknownTargets() + test.unknownTargets() > 0) {
            out.printf("  targets unknown to the training split (counted as misses): valid %d, test %d%n",
                    valid.unknownTargets(), test.unknownTargets());
        }
        List<CandidateSets> validSets = new ArrayList<>();
        List<CandidateSets> testSets = new ArrayList<>();
        for (long seed : options.candidateSeeds()) {
            validSets.add(CandidateSets.draw(valid, vocabulary.size(), options.candidates(), seed));
            testSets.add(CandidateSets.draw(test, vocabulary.size(), options.candidates(), seed));
        }

        Map<String, Object> seconds = new LinkedHashMap<>();
        Map<String, Object> models = new LinkedHashMap<>();
        long t = System.nanoTime();
        PopularityScorer popularity = PopularityScorer.fit(train, vocabulary.rows());
        seconds.put("popularity", (System.nanoTime() - t) / 1e9);
        models.put(popularity.name(), figures(popularity, valid, validSets, test, testSets, out));

        t = System.nanoTime();
        ItemKnnScorer knn = ItemKnnScorer.fit(train, vocabulary.rows(), options.knnDecays().get(0));
        Map<String, Object> decays = new LinkedHashMap<>();
        double bestHr = -1;
        for (double decay : options.knnDecays()) {
            NextItemMetrics.Figures v = NextItemMetrics.evaluate(knn.withDecay(decay), valid, validSets);
            decays.put(Double.toString(decay), v.hr1Mean());
            if (v.hr1Mean() > bestHr) {
                bestHr = v.hr1Mean();
                knn = knn.withDecay(decay);
            }
        }
        seconds.put("item_knn", (System.nanoTime() - t) / 1e9);
        out.printf("item-kNN: recency decay %.2f chosen on validation HR@1 (tried %s)%n", knn.decay(), decays);
        models.put(knn.name(), figures(knn, valid, validSets, test, testSets, out));

        out.println("Training SASRec (" + config + ")...");
        SasRecTrainer.Trained<SasRecModel> sasrec = SasRecTrainer.train(config, vocabulary.rows(), train, valid, validSets,
                progress("sasrec", out));
        seconds.put("sasrec", sasrec.seconds());
        out.printf("SASRec: best epoch %d of %d, %.1f s%n", sasrec.bestEpoch(), sasrec.epochs().size(), sasrec.seconds());
        models.put(sasrec.model().name(), figures(sasrec.model(), valid, validSets, test, testSets, out));

        SasRecTrainer.Trained<Gru4RecModel> gru = null;
        if (options.gru4rec()) {
            out.println("Training GRU4Rec (the same settings; one GRU layer, blocks unused)...");
            gru = SasRecTrainer.train(new Gru4RecModel(config, vocabulary.rows(), DataType.FLOAT32),
                    train, valid, validSets, progress("gru4rec", out));
            seconds.put("gru4rec", gru.seconds());
            out.printf("GRU4Rec: best epoch %d of %d, %.1f s%n", gru.bestEpoch(), gru.epochs().size(), gru.seconds());
            models.put(gru.model().name(), figures(gru.model(), valid, validSets, test, testSets, out));
        }

        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(SequenceModelContract.META_DATASET, data.name());
        byte[] onnx = SequenceOnnxExporter.toBytes(sasrec.model(), vocabulary, metadata);
        byte[] gruOnnx = gru == null ? new byte[0] : SequenceOnnxExporter.toBytes(gru.model(), vocabulary, metadata);
        seconds.put("total", (System.nanoTime() - started) / 1e9);

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("task", SequenceModelContract.TASK_NEXT_ITEM);
        report.put("dataset", data.name());
        report.put("split", data.splitRule());
        report.put("cases", data.counts());
        report.put("items", vocabulary.size());
        Map<String, Object> unknown = new LinkedHashMap<>();
        unknown.put("valid", valid.unknownTargets());
        unknown.put("test", test.unknownTargets());
        report.put("unknown_targets", unknown);
        Map<String, Object> nextItem = new LinkedHashMap<>();
        nextItem.put("candidates", options.candidates());
        nextItem.put("seeds", options.candidateSeeds());
        nextItem.put("candidate_rule", "the true next item plus " + (options.candidates() - 1)
                + " items drawn uniformly without repetition among the training catalog's items the user never interacted with"
                + (data.interactedByUser().isEmpty() ? " (no user ids in this data: not in the case's history nor its target)" : "")
                + "; HR@1 mean and sample std over the seeds; HR@10 and NDCG@10 ranked over the whole catalog");
        nextItem.put("models", models);
        report.put("next_item", nextItem);
        Map<String, Object> sasrecFacts = new LinkedHashMap<>();
        report.put("sasrec", facts(config, sasrec));
        if (gru != null) {
            report.put("gru4rec", facts(config, gru));
        }
        Map<String, Object> knnFacts = new LinkedHashMap<>();
        knnFacts.put("decay", knn.decay());
        knnFacts.put("valid_hr@1_by_decay", decays);
        report.put("item_knn", knnFacts);
        report.put("train_seconds", sasrec.seconds());
        report.put("seconds", seconds);
        report.put("machine", Machine.describe());
        if (gru != null) {
            gru.model().close();
        }
        return new Result(sasrec.model(), vocabulary, onnx, report, sasrec.epochs(), gruOnnx);
    }

    private static Map<String, Object> facts(SasRecConfig config, SasRecTrainer.Trained<?> trained) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("config", config.toString());
        facts.put("version", SequenceOnnxExporter.weightDigest(trained.model()));
        facts.put("best_epoch", trained.bestEpoch());
        facts.put("epochs_run", trained.epochs().size());
        facts.put("epochs", trained.epochs().stream().map(NextItemTraining::epoch).toList());
        return facts;
    }

    private static SasRecTrainer.Listener progress(String model, PrintStream out) {
        return new SasRecTrainer.Listener() {
            @Override
            public void onEpoch(SasRecTrainer.Epoch e) {
                out.printf("  %s epoch %2d: train loss %.4f, valid HR@1 %.4f, NDCG@10 %.4f, %.1f s%s%n",
                        model, e.epoch(), e.trainLoss(), e.validHr1(), e.validNdcg10(), e.seconds(), e.best() ? "  (best so far)" : "");
            }

            @Override
            public void onProgress(int epoch, int done, int total, double meanLoss) {
                out.printf("  %s epoch %2d: %3d%% (%d/%d batches), loss %.4f%n", model, epoch, 100 * done / total, done, total, meanLoss);
            }
        };
    }

    private static Map<String, Object> figures(NextItemScorer model, EncodedCases valid, List<CandidateSets> validSets,
            EncodedCases test, List<CandidateSets> testSets, PrintStream out) {
        NextItemMetrics.Figures v = NextItemMetrics.evaluate(model, valid, validSets);
        NextItemMetrics.Figures t = NextItemMetrics.evaluate(model, test, testSets);
        out.printf("  %-10s valid HR@1 %.4f +- %.4f, HR@10 %.4f, NDCG@10 %.4f | test HR@1 %.4f +- %.4f, HR@10 %.4f, NDCG@10 %.4f%n",
                model.name(), v.hr1Mean(), v.hr1Std(), v.hr10(), v.ndcg10(), t.hr1Mean(), t.hr1Std(), t.hr10(), t.ndcg10());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("valid", v.toReport());
        m.put("test", t.toReport());
        return m;
    }

    private static Map<String, Object> epoch(SasRecTrainer.Epoch e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", e.epoch());
        m.put("train_loss", e.trainLoss());
        m.put("valid_hr@1", e.validHr1());
        m.put("valid_ndcg@10", e.validNdcg10());
        m.put("seconds", e.seconds());
        return m;
    }
}
