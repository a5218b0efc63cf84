package dev.duet.evaluation.nextitem;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.duet.core.data.Dataset;
import dev.duet.core.data.Split;
import dev.duet.core.sequence.SequenceModel;
import dev.duet.evaluation.calibration.ModelKind;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.trainer.nextitem.NextItemCase;
import dev.duet.trainer.nextitem.NextItemData;
import dev.duet.worker.internal.HybridPrompts;
import dev.duet.worker.internal.Prompt;
import java.io.BufferedWriter;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * {@code ./duet export-llm-data --task next-item}: LLaRA-style instruction data, one JSON line per
 * case of a split. The prompt is the causal-LM worker's own listwise hybrid prompt ({@link
 * HybridPrompts}, default template) written as text with LLaRA's placeholder words where the
 * behaviour vectors go ({@code [UserEmb]}, {@code [HistoryEmb]}, {@code [CansEmb]}); each place
 * is listed with its character offset, item and vector (the sequence model's item vectors and its
 * user vector). The candidates are the protocol's 20 (the true item and 19 the user never
 * interacted with, the trainer's sampling, first seed), shown in a seeded shuffled order.
 */
public final class NextItemExport {

    private static final int BATCH = 256;

    private final PrintStream out;

    public NextItemExport(PrintStream out) {
        this.out = out;
    }

    /** Writes the cases of {@code split} to {@code file}; returns how many lines were written. */
    public int write(Dataset dataset, Path modelPath, Split split, Path file) throws Exception {
        ModelKind.requireNextItem("--model", modelPath, "--task ctr exports click samples for a CRM");
        ObjectMapper json = new ObjectMapper();
        HybridPrompts prompts = HybridPrompts.defaults();
        try (SequenceModel model = SequenceModel.load(ModelKind.file(modelPath))) {
            NextItemData data = NextItemData.from(dataset, model.maxHistory());
            NextItemProtocol protocol = NextItemProtocol.of(data, model, 1, out);
            NextItemProtocol.SplitCases cases = protocol.split(split);
            long seed = protocol.seeds().get(0);
            String[][] candidates = cases.candidatesPerSeed().get(0);
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            String label = split.name().toLowerCase();
            int places = 0;
            try (BufferedWriter w = Files.newBufferedWriter(file)) {
                for (int from = 0; from < cases.cases().size(); from += BATCH) {
                    int to = Math.min(cases.cases().size(), from + BATCH);
                    List<String[]> histories = new ArrayList<>();
                    List<String[]> shown = new ArrayList<>();
                    for (int i = from; i < to; i++) {
                        histories.add(cases.cases().get(i).history().toArray(String[]::new));
                        shown.add(shuffle(candidates[i], new Random(seed * 1_000_003L + i)));
                    }
                    SequenceModel.Behaviour b = model.behaviour(histories, shown);
                    for (int i = from; i < to; i++) {
                        int k = i - from;
                        NextItemCase c = cases.cases().get(i);
                        ScoreRequest r = NextItemRequests.listwise(label + "-" + i, c.user(), c.history(),
                                b.historyVectors()[k], shown.get(k), b.candidateVectors()[k],
                                Uncertainty.softmax(b.scores()[k]), b.userVectors()[k], dataset, model.version());
                        ObjectNode line = line(json, prompts, r, c, label, i, seed, model.version());
                        places += line.withArray("behaviour_places").size();
                        w.write(json.writeValueAsString(line));
                        w.newLine();
                    }
                    if (to == cases.cases().size() || (to / BATCH) % 20 == 0) {
                        out.printf("%s: %,d / %,d cases written%n", label, to, cases.cases().size());
                    }
                }
            }
            out.printf("Wrote %,d %s cases (%,d behaviour places) to %s; candidates: seed %d; prompts from the worker's"
                    + " listwise hybrid template%n", cases.cases().size(), label, places, file, seed);
            return cases.cases().size();
        }
    }

    private static ObjectNode line(ObjectMapper json, HybridPrompts prompts, ScoreRequest r, NextItemCase c, String split,
            int index, long seed, String version) {
        Prompt prompt = prompts.listwise(r);
        HybridPrompts.Rendered rendered = HybridPrompts.render(prompt, HybridPrompts.LLARA_PLACEHOLDERS);
        ObjectNode line = json.createObjectNode();
        line.put("id", r.getRequestId());
        line.put("task", "next-item");
        line.put("split", split);
        if (c.user() != null) {
            line.put("user_id", c.user());
        }
        line.put("candidate_seed", seed);
        line.put("sequence_model_version", version);
        line.put("prompt", rendered.text());
        int answer = -1;
        for (int k = 0; k < r.getCandidatesCount(); k++) {
            if (r.getCandidates(k).getItemId().equals(c.next())) {
                answer = k;
            }
        }
        List<String> titles = prompts.candidateTitles(r);
        line.put("answer", titles.get(answer));
        line.put("answer_item_id", c.next());
        line.put("answer_index", answer);
        ArrayNode history = line.putArray("history");
        int first = prompts.firstHistory(r);
        List<String> placeIds = new ArrayList<>();
        for (int h = first; h < r.getHistoryCount(); h++) {
            ObjectNode item = history.addObject();
            item.put("item_id", r.getHistory(h).getItemId());
            item.put("title", r.getHistory(h).getTitle());
            item.put("has_behaviour", r.getHistory(h).getBehaviourCount() > 0);
            if (r.getHistory(h).getBehaviourCount() > 0) {
                placeIds.add(r.getHistory(h).getItemId());
            }
        }
        ArrayNode candidates = line.putArray("candidates");
        for (int k = 0; k < r.getCandidatesCount(); k++) {
            ObjectNode item = candidates.addObject();
            item.put("item_id", r.getCandidates(k).getItemId());
            item.put("title", titles.get(k));
            item.put("has_behaviour", r.getCandidates(k).getBehaviourCount() > 0);
            if (r.getCandidates(k).getBehaviourCount() > 0) {
                placeIds.add(r.getCandidates(k).getItemId());
            }
        }
        // Places in prompt order: the user's (when sent) first, then history, then candidates.
        ArrayNode places = line.putArray("behaviour_places");
        int item = 0;
        for (int p = 0; p < rendered.places().size(); p++) {
            HybridPrompts.Place place = rendered.places().get(p);
            ObjectNode node = places.addObject();
            node.put("kind", place.kind());
            node.put("char_start", place.charStart());
            node.put("length", place.length());
            if (!place.kind().equals(HybridPrompts.USER)) {
                node.put("item_id", placeIds.get(item++));
            }
            ArrayNode vector = node.putArray("vector");
            for (float v : prompt.marks().get(p).behaviour()) {
                vector.add(v);
            }
        }
        return line;
    }

    private static String[] shuffle(String[] ids, Random random) {
        String[] out = ids.clone();
        for (int i = out.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            String t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }
}
