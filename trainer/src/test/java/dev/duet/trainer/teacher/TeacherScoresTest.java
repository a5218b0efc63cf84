package dev.duet.trainer.teacher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.samples.Sample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TeacherScoresTest {

    @TempDir Path temp;

    private static Sample sample(String user, String item, long ts) {
        return new Sample(user, item, ts, 4, 1, new String[0], new float[0]);
    }

    @Test
    void writtenScoresReadBackByFileAndByFolder() throws Exception {
        List<Sample> samples = List.of(sample("u1", "i1", 10), sample("u1", "i2", 11), sample("u2", "i1", 10));
        Path file = temp.resolve(TeacherScores.FILE_NAME);
        TeacherScores.write(file, samples, new float[] {0.25f, 0.75f, 1f}, Map.of("teacher", "test", "scoring_seconds", "1.5"));
        for (Path path : new Path[] {file, temp}) {
            TeacherScores read = TeacherScores.read(path);
            assertThat(read.size()).isEqualTo(3);
            assertThat(read.scores(samples)).containsExactly(0.25f, 0.75f, 1f);
            assertThat(read.metadata()).containsEntry("teacher", "test").containsEntry("scoring_seconds", "1.5");
            // A sample the teacher never scored (other time, other user) has none.
            assertThat(read.score(sample("u1", "i1", 12))).isNaN();
            assertThat(read.score(sample("u3", "i1", 10))).isNaN();
        }
    }

    @Test
    void malformedFilesNameFileAndLine() throws Exception {
        Path bad = temp.resolve("bad.tsv");
        String head = TeacherScores.MAGIC + "\n# teacher: x\n" + TeacherScores.HEADER + "\n";
        Files.writeString(bad, head + "u\ti\t10\t0.5\nu\ti\t11\n");
        assertThatThrownBy(() -> TeacherScores.read(bad)).hasMessageContaining("bad.tsv:5: expected 4 tab-separated fields");
        Files.writeString(bad, head + "u\ti\t10\t1.5\n");
        assertThatThrownBy(() -> TeacherScores.read(bad)).hasMessageContaining("bad.tsv:4: score 1.5 is not in [0, 1]");
        Files.writeString(bad, head + "u\ti\tten\t0.5\n");
        assertThatThrownBy(() -> TeacherScores.read(bad)).hasMessageContaining("bad.tsv:4: bad number");
        Files.writeString(bad, head + "u\ti\t10\t0.5\nu\ti\t10\t0.6\n");
        assertThatThrownBy(() -> TeacherScores.read(bad)).hasMessageContaining("bad.tsv:5").hasMessageContaining("twice");
        Files.writeString(bad, "user\titem\n");
        assertThatThrownBy(() -> TeacherScores.read(bad)).hasMessageContaining("bad.tsv:1: not a teacher-score file");
        assertThatThrownBy(() -> TeacherScores.read(temp.resolve("empty-folder").resolve("x")))
                .hasMessageContaining("no teacher-score file");
        Files.createDirectories(temp.resolve("folder"));
        assertThatThrownBy(() -> TeacherScores.read(temp.resolve("folder"))).hasMessageContaining(TeacherScores.FILE_NAME);
    }
}
