package dev.duet.core.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** MovieLens 100K: {@code u.data}, {@code u.item}, {@code u.user} (and {@code u.genre}). */
public final class MovieLens100kReader implements DatasetReader {

    /** The 19 genre flags of u.item, in column order (as u.genre lists them). */
    static final List<String> GENRES =
            List.of(
                    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
                    "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
                    "Romance", "Sci-Fi", "Thriller", "War", "Western");

    @Override
    public String layout() {
        return "MovieLens-100K";
    }

    @Override
    public boolean accepts(Path folder) {
        return Files.isRegularFile(folder.resolve("u.data"))
                && Files.isRegularFile(folder.resolve("u.item"));
    }

    @Override
    public Dataset read(Path folder) throws IOException {
        Map<String, ItemInfo> items = new HashMap<>();
        DelimitedFile.forEach(
                folder.resolve("u.item"),
                StandardCharsets.ISO_8859_1,
                "\\|",
                0,
                (f, row) -> {
                    row.expectFields(5 + GENRES.size());
                    String id = row.nonEmpty(0, "movie id");
                    String title = row.text(1, "title");
                    List<String> genres = new ArrayList<>();
                    for (int g = 0; g < GENRES.size(); g++) {
                        String flag = row.text(5 + g, "genre " + GENRES.get(g));
                        if (!flag.equals("0") && !flag.equals("1")) {
                            throw row.error("genre flag is not 0 or 1: '" + flag + "'");
                        }
                        if (flag.equals("1") && g > 0) {
                            genres.add(GENRES.get(g));
                        }
                    }
                    items.put(id, new ItemInfo(id, title, Years.fromReleaseDate(row.text(2, "date"), title), genres));
                });
        Map<String, UserInfo> users = new HashMap<>();
        Path userFile = folder.resolve("u.user");
        if (Files.isRegularFile(userFile)) {
            DelimitedFile.forEach(
                    userFile,
                    StandardCharsets.ISO_8859_1,
                    "\\|",
                    0,
                    (f, row) -> {
                        row.expectFields(5);
                        String id = row.nonEmpty(0, "user id");
                        row.integer(1, "age");
                        users.put(
                                id,
                                new UserInfo(
                                        id,
                                        row.text(2, "gender"),
                                        AgeBuckets.bucket((int) row.integer(1, "age")),
                                        row.text(3, "occupation"),
                                        row.text(4, "zip")));
                    });
        }
        List<Interaction> interactions = new ArrayList<>(100_000);
        DelimitedFile.forEach(
                folder.resolve("u.data"),
                StandardCharsets.ISO_8859_1,
                "\t",
                0,
                (f, row) -> {
                    row.expectFields(4);
                    interactions.add(
                            new Interaction(
                                    row.nonEmpty(0, "user id"),
                                    row.nonEmpty(1, "item id"),
                                    Ratings.checked(row, row.decimal(2, "rating")),
                                    row.integer(3, "timestamp") * 1000L));
                });
        return new Dataset(folder.getFileName().toString(), interactions, List.of(), items, users, false);
    }
}
