package dev.duet.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.testing.SharedResources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReadersTest {

    @TempDir Path temp;

    @Test
    void readsMovieLens100kCompletely() throws IOException {
        Dataset ml = Datasets.load(SharedResources.resolve("data/ml-100k"));
        assertThat(ml.interactions()).hasSize(100_000);
        assertThat(ml.items()).hasSize(1682);
        assertThat(ml.users()).hasSize(943);
        ItemInfo toyStory = ml.item("1");
        assertThat(toyStory.title()).isEqualTo("Toy Story (1995)");
        assertThat(toyStory.year()).isEqualTo(1995);
        assertThat(toyStory.genres()).containsExactly("Animation", "Children's", "Comedy");
        Interaction first = ml.interactions().get(0);
        assertThat(first).isEqualTo(new Interaction("196", "242", 3f, 881250949000L));
        assertThat(ml.user("1").gender()).isEqualTo("M");
        assertThat(ml.user("1").age()).isEqualTo("18");
    }

    @Test
    void readsMovieLens1mFormat() throws IOException {
        Path folder = SharedResources.resolve("data/ml-1m-sample");
        assertThat(Datasets.readerFor(folder)).isInstanceOf(MovieLens1mReader.class);
        Dataset ml = Datasets.load(folder);
        assertThat(ml.interactions()).hasSize(5678);
        assertThat(ml.item("1").genres()).containsExactly("Animation", "Children's", "Comedy");
        assertThat(ml.user("2").age()).isEqualTo("56");
    }

    @Test
    void readsLlaraLastFm() throws IOException {
        Dataset lastfm = Datasets.load(SharedResources.resolve("data/lastfm-llara"));
        assertThat(lastfm.implicitFeedback()).isTrue();
        assertThat(lastfm.items()).hasSize(4606);
        assertThat(lastfm.sequenceCases()).hasSize(50_800 + 122 + 122);
        assertThat(lastfm.sequenceCases().get(0).history()).isEmpty();
        assertThat(lastfm.sequenceCases().get(1).history()).containsExactly("0");
        assertThat(lastfm.item("1").title()).isEqualTo("Enigma");
    }

    @Test
    void readsMovieLensCsvWithQuotedTitles() throws IOException {
        Files.writeString(
                temp.resolve("movies.csv"),
                "movieId,title,genres\n1,Toy Story (1995),Animation|Children\n"
                        + "2,\"American President, The (1995)\",Comedy|Drama|Romance\n");
        Files.writeString(
                temp.resolve("ratings.csv"),
                "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,2,3.5,964981247\n");
        Dataset ds = Datasets.load(temp);
        assertThat(ds.item("2").title()).isEqualTo("American President, The (1995)");
        assertThat(ds.item("2").year()).isEqualTo(1995);
        assertThat(ds.interactions()).extracting(Interaction::rating).containsExactly(4f, 3.5f);
    }

    @Test
    void truncatedLineNamesFileAndLine() throws IOException {
        write100k("1\t1\t5\t881250949\n2\t1\t4\t881250950\n3\t1\n");
        assertThatThrownBy(() -> Datasets.load(temp))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("u.data:3:")
                .hasMessageContaining("expected at least 4 fields but found 2");
    }

    @Test
    void corruptNumberNamesFieldAndLine() throws IOException {
        write100k("1\t1\t5\t881250949\n2\t1\tfive\t881250950\n");
        assertThatThrownBy(() -> Datasets.load(temp))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("u.data:2:")
                .hasMessageContaining("'rating' is not a number: 'five'");
    }

    @Test
    void ratingOutOfRangeIsAnError() throws IOException {
        write100k("1\t1\t9\t881250949\n");
        assertThatThrownBy(() -> Datasets.load(temp)).hasMessageContaining("u.data:1: rating out of range");
    }

    @Test
    void unknownLayoutListsTheKnownOnes() throws IOException {
        Files.writeString(temp.resolve("something.txt"), "x");
        assertThatThrownBy(() -> Datasets.load(temp))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("Unknown data layout")
                .hasMessageContaining("MovieLens-100K (u.data, u.item)");
    }

    @Test
    void missingFolderIsAClearError() {
        assertThatThrownBy(() -> Datasets.load(temp.resolve("nope")))
                .hasMessageContaining("Data folder does not exist");
    }

    private void write100k(String data) throws IOException {
        String genres = String.join("|", java.util.Collections.nCopies(19, "0"));
        Files.writeString(temp.resolve("u.item"), "1|A Film (1990)|01-Jan-1990||http://x|" + genres + "\n", StandardCharsets.ISO_8859_1);
        Files.writeString(temp.resolve("u.data"), data);
        assertThat(Datasets.readerFor(temp).layout()).isEqualTo("MovieLens-100K");
        assertThat(List.of(temp.toFile().list())).contains("u.data");
    }
}
