package dev.duet.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.testing.SequenceModelFixture;
import dev.duet.job.JobOptions;
import dev.duet.job.testing.TrainedModelFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void parsesAliasesAndFullKeys() {
        Configuration c = CommandLine.parse(List.of(
                "--bootstrap", "127.0.0.1:9999", "--workers=a:1,b:2", "--model", "/m.onnx",
                "--routing.budget.share", "0.05", "--job.checkpoint-interval", "3 s", "--bounded"));
        assertThat(c.get(JobOptions.BOOTSTRAP)).isEqualTo("127.0.0.1:9999");
        assertThat(c.get(JobOptions.WORKERS)).isEqualTo("a:1,b:2");
        assertThat(c.get(JobOptions.MODEL_PATH)).isEqualTo("/m.onnx");
        assertThat(c.get(JobOptions.BUDGET_SHARE)).isEqualTo(0.05);
        assertThat(c.get(JobOptions.CHECKPOINT_INTERVAL)).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.get(JobOptions.BOUNDED)).isTrue();
    }

    @Test
    void rejectsUnknownOptionsAndBadValuesNamingThem() {
        assertThatThrownBy(() -> CommandLine.parse(List.of("--nope", "1"))).hasMessageContaining("unknown option --nope");
        assertThatThrownBy(() -> CommandLine.parse(List.of("--routing.budget.share", "lots"))).hasMessageContaining("routing.budget.share");
        assertThatThrownBy(() -> CommandLine.parse(List.of("--model"))).hasMessageContaining("needs a value");
    }

    @Test
    void everyOptionHasADescriptionAndADefault() {
        for (var o : JobOptions.all()) {
            assertThat(o.hasDefaultValue()).as(o.key()).isTrue();
            assertThat(CommandLine.describe(o)).as(o.key()).hasSizeGreaterThan(10).doesNotContain("Description@");
        }
        assertThat(CommandLine.help()).contains("--kafka.bootstrap (--bootstrap)", "[default: 0.1]", "Kafka bootstrap servers");
    }

    /** docs/job.md's option table is what users read: it names every option with its description. */
    @Test
    void theDocumentedOptionTableListsEveryOption() throws Exception {
        Path doc = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/job.md");
        String text = Files.readString(doc);
        for (var o : JobOptions.all()) {
            String row = text.lines().filter(l -> l.startsWith("| `" + o.key() + "` |")).findFirst().orElse(null);
            assertThat(row).as("docs/job.md has a row for %s", o.key()).isNotNull();
            assertThat(row).as("docs/job.md's row for %s carries the option's description", o.key())
                    .contains(CommandLine.describe(o).strip());
        }
    }

    @Test
    void errorsAreOneLineOnStderrWithANonZeroExit() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true));
        try {
            assertThat(Main.run(new String[] {"job", "--model", "/does/not/exist.onnx"})).isNotZero();
            assertThat(Main.run(new String[] {"frobnicate"})).isEqualTo(2);
            assertThat(Main.run(new String[] {"job", "--workers", "no-port"})).isNotZero();
        } finally {
            System.setErr(err);
        }
        String[] lines = captured.toString().trim().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).contains("Model file not found").contains("/does/not/exist.onnx");
        assertThat(lines[1]).contains("unknown command 'frobnicate'");
        assertThat(lines[2]).containsAnyOf("no-port", "Model file not found");
    }

    @Test
    void aModelOfTheWrongTaskIsOneLineNamingTheFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path sequence = SequenceModelFixture.builder().build().write(dir.resolve("sequence.onnx"));
        Path crm = TrainedModelFixture.get().file;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true));
        try {
            assertThat(Main.run(new String[] {"job", "--model", sequence.toString()})).isNotZero();
            assertThat(Main.run(new String[] {"job", "--model", crm.toString(), "--retrieval.sequence-model", crm.toString()}))
                    .isNotZero();
        } finally {
            System.setErr(err);
        }
        String[] lines = captured.toString().trim().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).contains(sequence.toString()).contains("is a next-item model").contains("not a CTR (click) model");
        assertThat(lines[1]).contains(crm.toString()).contains("is a CTR (click) model").contains("not a next-item model");
    }
}
