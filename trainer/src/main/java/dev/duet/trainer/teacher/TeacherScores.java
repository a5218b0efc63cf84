package dev.duet.trainer.teacher;

import dev.duet.core.samples.Sample;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The LLM side's scores for training samples, computed once (by {@code ./duet teacher-scores}) and
 * cached in a file that {@code ./duet train --llm-teacher} reads. The file is UTF-8 text:
 *
 * <pre>
 * # duet-teacher-scores/1
 * # teacher: text-encoder:all-minilm-l6-v2 (free text, one line per key: value)
 * user	item	timestamp_ms	score
 * 196	242	881250949000	0.7341
 * </pre>
 *
 * <p>Lines starting with {@code #} are metadata ({@code key: value}); one header line names the
 * columns; every other line is a sample key (user id, item id, the rating's time in epoch
 * milliseconds, tab-separated) and the teacher's score, a probability in [0, 1]. A key appears at
 * most once. Ids may not contain tabs or line breaks (no data set Duet reads has them).
 */
public final class TeacherScores {

    /** The first line of every teacher-score file. */
    public static final String MAGIC = "# duet-teacher-scores/1";
    /** The file name looked for when {@code --llm-teacher} names a folder. */
    public static final String FILE_NAME = "teacher-scores.tsv";
    static final String HEADER = "user\titem\ttimestamp_ms\tscore";

    private final Map<String, Float> scores;
    private final Map<String, String> metadata;
    private final Path file;

    private TeacherScores(Map<String, Float> scores, Map<String, String> metadata, Path file) {
        this.scores = scores;
        this.metadata = metadata;
        this.file = file;
    }

    private static String key(String user, String item, long timestampMs) {
        return user + '\t' + item + '\t' + timestampMs;
    }

    /** The teacher's score of the sample, or NaN when the file has none for it. */
    public float score(Sample s) {
        Float v = scores.get(key(s.userId(), s.itemId(), s.timestampMs()));
        return v == null ? Float.NaN : v;
    }

    /** Scores of the samples in order, NaN where the file has none. */
    public float[] scores(List<Sample> samples) {
        float[] out = new float[samples.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = score(samples.get(i));
        }
        return out;
    }

    public int size() {
        return scores.size();
    }

    /** The file's {@code # key: value} lines. */
    public Map<String, String> metadata() {
        return metadata;
    }

    public Path file() {
        return file;
    }

    /**
     * Reads a teacher-score file, or the {@value #FILE_NAME} in a folder. Fails naming the file and
     * line of anything malformed.
     */
    public static TeacherScores read(Path fileOrDir) throws IOException {
        Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve(FILE_NAME) : fileOrDir;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--llm-teacher: no teacher-score file at " + file
                    + (Files.isDirectory(fileOrDir) ? " (a folder must hold " + FILE_NAME + ")" : "")
                    + "; write one with ./duet teacher-scores");
        }
        Map<String, Float> scores = new HashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line = in.readLine();
            if (!MAGIC.equals(line)) {
                throw new IllegalArgumentException(file + ":1: not a teacher-score file (expected '" + MAGIC + "')");
            }
            int number = 1;
            boolean header = false;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isEmpty()) {
                    continue;
                }
                if (line.startsWith("#")) {
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        metadata.put(line.substring(1, colon).trim(), line.substring(colon + 1).trim());
                    }
                    continue;
                }
                if (!header) {
                    if (!HEADER.equals(line)) {
                        throw new IllegalArgumentException(file + ":" + number + ": expected the header '"
                                + HEADER.replace("\t", "\\t") + "'");
                    }
                    header = true;
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length != 4) {
                    throw new IllegalArgumentException(file + ":" + number + ": expected 4 tab-separated fields, found " + f.length);
                }
                long ts;
                float score;
                try {
                    ts = Long.parseLong(f[2]);
                    score = Float.parseFloat(f[3]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(file + ":" + number + ": bad number (" + e.getMessage() + ")");
                }
                if (!(score >= 0f && score <= 1f)) {
                    throw new IllegalArgumentException(file + ":" + number + ": score " + f[3] + " is not in [0, 1]");
                }
                if (scores.put(key(f[0], f[1], ts), score) != null) {
                    throw new IllegalArgumentException(file + ":" + number + ": sample (" + f[0] + ", " + f[1] + ", " + ts + ") appears twice");
                }
            }
            if (!header) {
                throw new IllegalArgumentException(file + ": no header line '" + HEADER.replace("\t", "\\t") + "'");
            }
        }
        return new TeacherScores(scores, metadata, file);
    }

    /**
     * Writes scores for samples (aligned), with {@code metadata} as {@code # key: value} lines,
     * atomically (a temporary file renamed into place).
     */
    public static void write(Path file, List<Sample> samples, float[] scores, Map<String, String> metadata) throws IOException {
        if (samples.size() != scores.length) {
            throw new IllegalArgumentException(samples.size() + " samples but " + scores.length + " scores");
        }
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
        try {
            try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                out.write(MAGIC);
                out.newLine();
                for (Map.Entry<String, String> e : metadata.entrySet()) {
                    out.write("# " + e.getKey() + ": " + e.getValue().replace('\n', ' '));
                    out.newLine();
                }
                out.write(HEADER);
                out.newLine();
                java.util.Set<String> seen = new java.util.HashSet<>();
                for (int i = 0; i < scores.length; i++) {
                    Sample s = samples.get(i);
                    String key = key(s.userId(), s.itemId(), s.timestampMs());
                    if (!seen.add(key)) {
                        continue; // the same rating twice in the data: one key, the first score
                    }
                    out.write(key);
                    out.write('\t');
                    out.write(Float.toString(scores[i]));
                    out.newLine();
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
