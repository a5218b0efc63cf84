package dev.duet.evaluation.nextitem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.data.Split;
import dev.duet.core.sequence.SequenceModel;
import dev.duet.trainer.nextitem.CandidateSets;
import dev.duet.trainer.nextitem.EncodedCases;
import dev.duet.trainer.nextitem.ItemVocabulary;
import dev.duet.trainer.nextitem.NextItemCase;
import dev.duet.trainer.nextitem.NextItemData;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

/**
 * The trainer's next-item harness as the LLM evaluation and the export see it: the cases of a split
 * (PROTOCOL.md section 2, {@link NextItemData}) and their candidate sets per sampling seed, drawn
 * with the trainer's {@link CandidateSets} over the model's own item vocabulary, so the same seed
 * gives the same candidates the trainer's report measured.
 *
 * <p>The candidate ids of a case put the true next item first; a target the model does not know
 * keeps its id (the model scores it minus infinity and counts it; the LLM can still read its title).
 */
public final class NextItemProtocol {

    private final NextItemData data;
    private final ItemVocabulary vocabulary;
    private final int maxHistory;
    private final int candidates;
    private final List<Long> seeds;

    private NextItemProtocol(NextItemData data, ItemVocabulary vocabulary, int maxHistory, int candidates, List<Long> seeds) {
        this.data = data;
        this.vocabulary = vocabulary;
        this.maxHistory = maxHistory;
        this.candidates = candidates;
        this.seeds = List.copyOf(seeds);
    }

    /**
     * The protocol for a model on a data set: candidates and seeds from the model folder's trainer
     * report ({@code next_item.candidates}, {@code next_item.seeds}) when present, else 20 and
     * 1..{@code seedCount}; {@code seedCount} > 0 overrides the report's seeds.
     */
    public static NextItemProtocol of(NextItemData data, SequenceModel model, int seedCount, PrintStream out) throws IOException {
        List<String> ids = new ArrayList<>(model.catalogSize());
        for (int r = 1; r <= model.catalogSize(); r++) {
            ids.add(model.itemId(r));
        }
        ItemVocabulary vocabulary = ItemVocabulary.of(ids);
        if (!ItemVocabulary.fit(data.cases(Split.TRAIN)).ids().equals(ids)) {
            out.println("Note: the model's item vocabulary is not the one of this data's training split (trained on other"
                    + " data?): candidates are drawn from the model's items, and differ from the trainer's report.");
        }
        int candidates = 20;
        List<Long> seeds = LongStream.rangeClosed(1, 5).boxed().toList();
        Path report = model.file().toAbsolutePath().getParent().resolve("report.json");
        if (Files.isRegularFile(report)) {
            JsonNode n = new ObjectMapper().readTree(report.toFile()).path("next_item");
            if (n.path("candidates").isInt()) {
                candidates = n.path("candidates").asInt();
            }
            if (n.path("seeds").isArray() && !n.path("seeds").isEmpty()) {
                List<Long> s = new ArrayList<>();
                n.path("seeds").forEach(v -> s.add(v.asLong()));
                seeds = s;
            }
        }
        if (seedCount > 0) {
            seeds = LongStream.rangeClosed(1, seedCount).boxed().toList();
        }
        return new NextItemProtocol(data, vocabulary, model.maxHistory(), candidates, seeds);
    }

    /** One split's cases and, per seed, each case's candidate ids (the true item first). */
    public record SplitCases(Split split, List<NextItemCase> cases, List<String[][]> candidatesPerSeed, int unknownTargets) {}

    public SplitCases split(Split split) {
        List<NextItemCase> cases = data.cases(split);
        EncodedCases encoded = EncodedCases.encode(cases, data, vocabulary, maxHistory);
        List<String[][]> perSeed = new ArrayList<>();
        for (long seed : seeds) {
            int[][] rows = CandidateSets.draw(encoded, vocabulary.size(), candidates, seed).candidates();
            String[][] ids = new String[rows.length][];
            for (int i = 0; i < rows.length; i++) {
                ids[i] = new String[rows[i].length];
                ids[i][0] = cases.get(i).next();
                for (int k = 1; k < rows[i].length; k++) {
                    ids[i][k] = vocabulary.id(rows[i][k]);
                }
            }
            perSeed.add(ids);
        }
        return new SplitCases(split, cases, perSeed, encoded.unknownTargets());
    }

    public int candidates() {
        return candidates;
    }

    public List<Long> seeds() {
        return seeds;
    }

    public NextItemData data() {
        return data;
    }
}
