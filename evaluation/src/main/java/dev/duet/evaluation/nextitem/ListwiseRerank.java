package dev.duet.evaluation.nextitem;

import dev.duet.core.data.Dataset;
import dev.duet.core.sequence.SequenceModel;
import dev.duet.evaluation.calibration.Routing;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.trainer.nextitem.NextItemCase;
import dev.duet.worker.InvalidRequestException;
import dev.duet.worker.RequestLimits;
import dev.duet.worker.ScoringBackend;
import dev.duet.worker.internal.RequestValidator;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The LLM side's listwise rerank of routed next-item cases, through a worker backend in-process:
 * requests built as the job would send them ({@link NextItemRequests}, with the sequence model's
 * vectors), checked as the worker checks them, scored in batches. The candidates are shown in a
 * shuffled order, seeded per case: the protocol lists the true item first, and a prompt that did
 * so would leak it. A request the backend refuses keeps the sequence model's answer and is counted.
 */
final class ListwiseRerank {

    private final ScoringBackend backend;
    private final String backendOption;
    private final SequenceModel model;
    private final Dataset dataset;
    private final int batch;
    private final PrintStream out;
    private final RequestValidator validator = new RequestValidator(RequestLimits.defaults());

    ListwiseRerank(ScoringBackend backend, String backendOption, SequenceModel model, Dataset dataset, int batch,
            PrintStream out) {
        this.backend = backend;
        this.backendOption = backendOption;
        this.model = model;
        this.dataset = dataset;
        this.batch = batch;
        this.out = out;
    }

    /** What the LLM calls cost and how many were refused. */
    static final class Calls {
        long nanos;
        int requests;
        int rejected;
        final Map<String, Integer> reasons = new LinkedHashMap<>();
    }

    /**
     * Asks the LLM side for every case any measure routes at the largest budget, batch by batch,
     * and records its HR@1 credit in the runs.
     */
    void ask(NextItemProtocol.SplitCases split, List<SeedRun> runs, double[][] thresholds, double largest, Calls calls)
            throws Exception {
        List<int[]> needed = new ArrayList<>(); // {seed index, case}
        for (int k = 0; k < runs.size(); k++) {
            boolean[] any = new boolean[split.cases().size()];
            for (int m = 0; m < thresholds.length; m++) {
                boolean[] routed = Routing.route(runs.get(k).uncertainty[m], thresholds[m][thresholds[m].length - 1], largest);
                for (int i = 0; i < any.length; i++) {
                    any[i] |= routed[i];
                }
            }
            for (int i = 0; i < any.length; i++) {
                if (any[i]) {
                    needed.add(new int[] {k, i});
                }
            }
        }
        String label = split.split().name().toLowerCase();
        out.printf("%s: the LLM reranks %,d cases (those routed at %.0f %% by either measure, over %d seeds)...%n",
                label, needed.size(), 100 * largest, runs.size());
        
        int reportEvery = Math.max(batch, needed.size() / 5);
        int nextReport = reportEvery;
        for (int from = 0; from < needed.size(); from += batch) {
            int to = Math.min(needed.size(), from + batch);
            List<String[]> histories = new ArrayList<>();
            List<String[]> shown = new ArrayList<>();
            List<int[]> orders = new ArrayList<>();
            for (int j = from; j < to; j++) {
                int k = needed.get(j)[0];
                int i = needed.get(j)[1];
                NextItemCase c = split.cases().get(i);
                String[] candidates = runs.get(k).candidates[i];
                int[] order = shuffled(candidates.length, new Random(31L * (k + 1) + 1_000_003L * i + label.hashCode()));
                String[] show = new String[candidates.length];
                for (int p = 0; p < order.length; p++) {
                    show[p] = candidates[order[p]];
                }
                histories.add(c.history().toArray(String[]::new));
                shown.add(show);
                orders.add(order);
            }
            SequenceModel.Behaviour behaviour = model.behaviour(histories, shown);
            List<ScoreRequest> requests = new ArrayList<>();
            List<Integer> positions = new ArrayList<>();
            for (int j = from; j < to; j++) {
                int k = needed.get(j)[0];
                int i = needed.get(j)[1];
                int b = j - from;
                NextItemCase c = split.cases().get(i);
                double[] p = Uncertainty.softmax(behaviour.scores()[b]);
                ScoreRequest r = NextItemRequests.listwise(label + "-s" + k + "-" + i, c.user(), c.history(),
                        behaviour.historyVectors()[b], shown.get(b), behaviour.candidateVectors()[b], p,
                        behaviour.userVectors()[b], dataset, model.version());
                try {
                    validator.validate(r);
                    backend.validate(r);
                    requests.add(r);
                    positions.add(j);
                } catch (InvalidRequestException e) {
                    if ("task".equals(e.field())) {
                        throw new IllegalArgumentException("--llm " + backendOption + " (" + backend.modelName()
                                + ") cannot rank candidates listwise (TASK_LISTWISE), which next-item needs: " + e.getMessage());
                    }
                    calls.rejected++;
                    calls.reasons.merge(e.getMessage().replaceAll("request '[^']*': ", "").replaceAll("[0-9]+", "N"), 1, Integer::sum);
                }
            }
            if (!requests.isEmpty()) {
                long start = System.nanoTime();
                List<float[]> scores = backend.scoreBatch(requests);
                calls.nanos += System.nanoTime() - start;
                calls.requests += requests.size();
                for (int q = 0; q < requests.size(); q++) {
                    int j = positions.get(q);
                    int[] order = orders.get(j - from);
                    float[] shownScores = scores.get(q);
                    float[] original = new float[shownScores.length];
                    for (int p = 0; p < order.length; p++) {
                        original[order[p]] = shownScores[p];
                    }
                    runs.get(needed.get(j)[0]).llmCredit[needed.get(j)[1]] = Uncertainty.topOneCredit(original, 0);
                }
            }
            if (to >= nextReport || to == needed.size()) {
                out.printf("%s: %,d / %,d cases, %.1f s in the LLM, %.0f ms per case%n", label, to, needed.size(),
                        calls.nanos / 1e9, calls.nanos / 1e6 / Math.max(1, calls.requests));
                nextReport += reportEvery;
            }
        }
        if (calls.rejected > 0) {
            out.printf("%s: %,d requests rejected by the backend so far (the sequence model's answer stands): %s%n", label,
                    calls.rejected, calls.reasons);
        }
    }

    private static int[] shuffled(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
