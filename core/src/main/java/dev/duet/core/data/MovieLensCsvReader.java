package dev.duet.core.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * MovieLens "latest" and 20M/25M/32M: {@code ratings.csv} ({@code userId,movieId,rating,timestamp})
 * and {@code movies.csv} ({@code movieId,title,genres}, titles may be quoted and contain commas).
 */
public final class MovieLensCsvReader implements DatasetReader {

    /** Splits on commas outside double quotes. */
    private static final String CSV_SPLIT = ",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)";

    @Override
    public String layout() {
        return "MovieLens CSV";
    }

    @Override
    public boolean accepts(Path folder) {
        return Files.isRegularFile(folder.resolve("ratings.csv"))
                && Files.isRegularFile(folder.resolve("movies.csv"));
    }

    @Override
    public Dataset read(Path folder) throws IOException {
        Map<String, ItemInfo> items = new HashMap<>();
        DelimitedFile.forEach(
                folder.resolve("movies.csv"),
                StandardCharsets.UTF_8,
                CSV_SPLIT,
                1,
                (f, row) -> {
                    row.expectFields(3);
                    String id = row.nonEmpty(0, "movieId");
                    String title = unquote(row.nonEmpty(1, "title"));
                    String genres = row.text(2, "genres");
                    List<String> list =
                            genres.isEmpty() || genres.equals("(no genres listed)")
                                    ? List.of()
                                    : Arrays.asList(genres.split("\\|"));
                    items.put(id, new ItemInfo(id, title, Years.fromTitle(title), list));
                });
        List<Interaction> interactions = new ArrayList<>();
        DelimitedFile.forEach(
                folder.resolve("ratings.csv"),
                StandardCharsets.UTF_8,
                ",",
                1,
                (f, row) -> {
                    row.expectFields(4);
                    interactions.add(
                            new Interaction(
                                    row.nonEmpty(0, "userId"),
                                    row.nonEmpty(1, "movieId"),
                                    Ratings.checked(row, row.decimal(2, "rating")),
                                    row.integer(3, "timestamp") * 1000L));
                });
        return new Dataset(folder.getFileName().toString(), interactions, List.of(), items, Map.of(), false);
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            return s.substring(1, s.length() - 1).replace("\"\"", "\"");
        }
        return s;
    }
}
