package dev.duet.worker.cli;

import dev.duet.proto.v1.Candidate;
import dev.duet.proto.v1.HistoryItem;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Task;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Benchmark traffic: pointwise requests with a 10-item rated history and one candidate, drawn
 * from MovieLens-100K titles and genres (u.item) so prompts have realistic lengths.
 */
final class BenchRequests {

    private static final String[] GENRES = {"unknown", "Action", "Adventure", "Animation",
        "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror",
        "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"};

    record Item(String title, String genres) {}

    private BenchRequests() {}

    static List<Item> items(Path uItem) throws IOException {
        if (!Files.isRegularFile(uItem)) {
            throw new IllegalArgumentException("MovieLens item file not found: " + uItem
                    + " (set -Dduet.shared=DIR or --items FILE)");
        }
        List<Item> items = new ArrayList<>();
        for (String line : Files.readAllLines(uItem, StandardCharsets.ISO_8859_1)) {
            String[] f = line.split("\\|", -1);
            if (f.length < 24) {
                continue;
            }
            List<String> g = new ArrayList<>();
            for (int i = 0; i < GENRES.length; i++) {
                if ("1".equals(f[5 + i])) {
                    g.add(GENRES[i]);
                }
            }
            items.add(new Item(f[1], String.join(", ", g)));
        }
        return items;
    }

    static List<ScoreRequest> requests(List<Item> items, int count, int historySize, long seed) {
        Random random = new Random(seed);
        List<ScoreRequest> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ScoreRequest.Builder b = ScoreRequest.newBuilder().setRequestId("bench-" + i)
                    .setUserId("u" + random.nextInt(1000)).setTask(Task.TASK_POINTWISE);
            for (int h = 0; h < historySize; h++) {
                Item item = items.get(random.nextInt(items.size()));
                b.addHistory(HistoryItem.newBuilder().setItemId(item.title()).setTitle(item.title())
                        .setText(item.genres()).setRating(1 + random.nextInt(5)));
            }
            Item target = items.get(random.nextInt(items.size()));
            b.addCandidates(Candidate.newBuilder().setItemId(target.title())
                    .setTitle(target.title()).setText(target.genres())
                    .setCrmProbability(random.nextFloat()));
            out.add(b.build());
        }
        return out;
    }
}
