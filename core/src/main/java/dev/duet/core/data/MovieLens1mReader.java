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

/** MovieLens 1M (and 10M): {@code ratings.dat}, {@code movies.dat}, {@code users.dat}, "::"-separated. */
public final class MovieLens1mReader implements DatasetReader {

    @Override
    public String layout() {
        return "MovieLens-1M";
    }

    @Override
    public boolean accepts(Path folder) {
        return Files.isRegularFile(folder.resolve("ratings.dat"))
                && Files.isRegularFile(folder.resolve("movies.dat"));
    }

    @Override
    public Dataset read(Path folder) throws IOException {
        Map<String, ItemInfo> items = new HashMap<>();
        DelimitedFile.forEach(
                folder.resolve("movies.dat"),
                StandardCharsets.ISO_8859_1,
                "::",
                0,
                (f, row) -> {
                    row.expectFields(3);
                    String id = row.nonEmpty(0, "movie id");
                    String title = row.nonEmpty(1, "title");
                    String genres = row.text(2, "genres");
                    List<String> list =
                            genres.isEmpty() || genres.equals("(no genres listed)")
                                    ? List.of()
                                    : Arrays.asList(genres.split("\\|"));
                    items.put(id, new ItemInfo(id, title, Years.fromTitle(title), list));
                });
        Map<String, UserInfo> users = new HashMap<>();
        Path userFile = folder.resolve("users.dat");
        if (Files.isRegularFile(userFile)) {
            DelimitedFile.forEach(
                    userFile,
                    StandardCharsets.ISO_8859_1,
                    "::",
                    0,
                    (f, row) -> {
                        row.expectFields(5);
                        String id = row.nonEmpty(0, "user id");
                        users.put(
                                id,
                                new UserInfo(
                                        id,
                                        row.text(1, "gender"),
                                        row.nonEmpty(2, "age"),
                                        row.text(3, "occupation"),
                                        row.text(4, "zip")));
                    });
        }
        List<Interaction> interactions = new ArrayList<>();
        DelimitedFile.forEach(
                folder.resolve("ratings.dat"),
                StandardCharsets.ISO_8859_1,
                "::",
                0,
                (f, row) -> {
                    row.expectFields(4);
                    interactions.add(
                            new Interaction(
                                    row.nonEmpty(0, "user id"),
                                    row.nonEmpty(1, "movie id"),
                                    Ratings.checked(row, row.decimal(2, "rating")),
                                    row.integer(3, "timestamp") * 1000L));
                });
        return new Dataset(folder.getFileName().toString(), interactions, List.of(), items, users, false);
    }
}
