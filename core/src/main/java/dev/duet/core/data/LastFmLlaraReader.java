package dev.duet.core.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * LLaRA's LastFM: {@code train.tsv}, {@code val.tsv}, {@code test.tsv} with header {@code seq
 * len_seq next} (seq = space-separated artist ids padded with the catalog size) and {@code
 * id2name.txt} ({@code id::name}). Implicit feedback; the files give the split.
 */
public final class LastFmLlaraReader implements DatasetReader {

    @Override
    public String layout() {
        return "LLaRA LastFM";
    }

    @Override
    public boolean accepts(Path folder) {
        return Files.isRegularFile(folder.resolve("train.tsv"))
                && Files.isRegularFile(folder.resolve("id2name.txt"));
    }

    @Override
    public Dataset read(Path folder) throws IOException {
        Map<String, ItemInfo> items = new HashMap<>();
        DelimitedFile.forEach(
                folder.resolve("id2name.txt"),
                StandardCharsets.UTF_8,
                "::",
                0,
                (f, row) -> {
                    row.expectFields(2);
                    String id = row.nonEmpty(0, "id");
                    row.integer(0, "id");
                    items.put(id, new ItemInfo(id, row.text(1, "name"), 0, List.of()));
                });
        String padding = Integer.toString(items.size());
        List<SequenceCase> cases = new ArrayList<>();
        readSplit(folder.resolve("train.tsv"), Split.TRAIN, padding, items, cases);
        readSplit(folder.resolve("val.tsv"), Split.VALID, padding, items, cases);
        readSplit(folder.resolve("test.tsv"), Split.TEST, padding, items, cases);
        return new Dataset(folder.getFileName().toString(), List.of(), cases, items, Map.of(), true);
    }

    private static void readSplit(
            Path file, Split split, String padding, Map<String, ItemInfo> items, List<SequenceCase> out)
            throws IOException {
        DelimitedFile.forEach(
                file,
                StandardCharsets.UTF_8,
                "\t",
                1,
                (f, row) -> {
                    row.expectFields(3);
                    String[] seq = row.nonEmpty(0, "seq").split("\\s+");
                    long length = row.integer(1, "len_seq");
                    String next = row.nonEmpty(2, "next");
                    if (!items.containsKey(next)) {
                        throw row.error("next item " + next + " is not in id2name.txt");
                    }
                    List<String> history = new ArrayList<>();
                    for (String id : seq) {
                        if (id.equals(padding)) {
                            continue;
                        }
                        if (!items.containsKey(id)) {
                            throw row.error("history item " + id + " is not in id2name.txt");
                        }
                        history.add(id);
                    }
                    // SASRec-style data writes len_seq 1 for an empty (all-padding) history.
                    boolean emptyHistory = history.isEmpty() && length == 1;
                    if (history.size() != length && !emptyHistory) {
                        throw row.error(
                                "len_seq is " + length + " but seq has " + history.size() + " items");
                    }
                    out.add(new SequenceCase(history, next, split));
                });
    }
}
