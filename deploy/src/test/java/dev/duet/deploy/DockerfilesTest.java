package dev.duet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What can be checked of the images without a Docker engine: bases, users, health checks, paths, ports. */
class DockerfilesTest {

    static String read(String name) throws IOException {
        return Files.readString(Repo.docker().resolve(name));
    }

    @Test
    void jobImageIsTheOfficialFlinkImageWithTheJarInUsrlib() throws IOException {
        String file = read("Dockerfile.job");
        assertThat(file).contains("ARG FLINK_IMAGE=flink:" + Repo.property("flink.version") + "-java17");
        assertThat(file).contains("COPY --from=build --chown=flink:flink /duet-flink-job.jar /opt/flink/usrlib/duet-flink-job.jar");
        assertThat(file).contains("-pl flink-job-jar -am");
        assertThat(file).contains("ENV DUET_JOB_JAR=/opt/flink/usrlib/duet-flink-job.jar");
        assertThat(file).contains("DUET_JOB_MAIN=" + dev.duet.job.cli.FlinkRunMain.class.getName());
        assertThat(file).contains("org/apache/flink/state/rocksdb/EmbeddedRocksDBStateBackend");
        assertThat(file).containsPattern("(?m)^USER flink$");
        assertThat(file).containsPattern("(?m)^HEALTHCHECK ");
        assertThat(Files.isExecutable(Repo.docker().resolve("flink/healthcheck.sh"))).isTrue();
        // Every folder the job build needs is copied (a new module would otherwise break the image).
        for (String module : List.of("proto", "core", "trainer", "llm-worker", "flink-job", "flink-job-jar")) {
            assertThat(file).contains("COPY " + module + " " + module);
        }
        assertEveryModulePomIsInTheContext(file);
    }

    /** Maven reads every module the parent POM lists, also with -pl: each needs at least its POM. */
    private static void assertEveryModulePomIsInTheContext(String dockerfile) throws IOException {
        Matcher module = Pattern.compile("<module>([^<]+)</module>")
                .matcher(Files.readString(Repo.root().resolve("pom.xml")));
        int modules = 0;
        while (module.find()) {
            String name = module.group(1);
            assertThat(dockerfile)
                    .as("module %s in the build context", name)
                    .containsAnyOf("COPY " + name + " " + name + "\n", "COPY " + name + "/pom.xml " + name + "/pom.xml");
            modules++;
        }
        assertThat(modules).isGreaterThan(5);
    }

    @Test
    void workerImagesRunAsNonRootWithHealthChecksAndTheWorkersPorts() throws IOException {
        String file = read("Dockerfile.worker");
        assertThat(stage(file, "cpu")).startsWith("eclipse-temurin:17-jre");
        String cuda = stage(file, "cuda");
        assertThat(cuda).startsWith("nvidia/cuda:12.").contains("cudnn").contains("runtime");
        assertThat(file).contains("mvn -B -ntp -Pcuda -pl llm-worker");
        assertThat(file).contains("test -n \"$(ls /app/lib/onnxruntime_gpu-*.jar)\"");
        // Two runtime stages, each non-root, each with a gRPC health check on the worker's port.
        assertThat(count(file, "(?m)^USER 10001:10001$")).isEqualTo(2);
        assertThat(count(file, "(?m)^HEALTHCHECK ")).isEqualTo(2);
        String port = Repo.workerSpec().findOption("--port").defaultValue();
        assertThat(count(file, "\"GrpcHealthCheck\", \"127.0.0.1:" + port + "\", \""
                + dev.duet.proto.v1.LlmScorerGrpc.SERVICE_NAME + "\"")).isEqualTo(2);
        assertThat(count(file, "(?m)^EXPOSE " + port + " 9464$")).isEqualTo(2);
        assertThat(count(file, "\"dev.duet.worker.cli.Main\", \"worker\"")).isEqualTo(2);
        assertEveryModulePomIsInTheContext(file);
        assertThat(file).contains("javac --release 17 -cp '/app/lib/*' -d /app/health docker/health/GrpcHealthCheck.java");
        // The default target is the CPU image.
        assertThat(file.strip()).endsWith("FROM cpu");
        // The CMD lines use the worker's real options.
        Matcher cmd = Pattern.compile("(?m)^CMD \\[(.*)]$").matcher(file);
        int cmds = 0;
        while (cmd.find()) {
            List<String> args = List.of(cmd.group(1).replace("\"", "").split(",\\s*"));
            Repo.parseWorker(args);
            assertThat(Repo.workerOption(Repo.parseWorker(args), "--host")).isEqualTo("0.0.0.0");
            cmds++;
        }
        assertThat(cmds).isEqualTo(2);
    }

    @Test
    void modelsAreNotBakedIn() throws IOException {
        for (String name : List.of("Dockerfile.job", "Dockerfile.worker")) {
            String file = read(name);
            assertThat(file).doesNotContainPattern("(?im)^(COPY|ADD)\\s.*(\\.onnx|models|runs)");
        }
        for (String ignore : List.of("Dockerfile.job.dockerignore", "Dockerfile.worker.dockerignore")) {
            assertThat(read(ignore)).contains("runs", "models", "**/target");
        }
    }

    private static String stage(String file, String name) {
        Matcher m = Pattern.compile("(?m)^FROM (\\S+) AS " + name + "$").matcher(file);
        assertThat(m.find()).as("stage %s", name).isTrue();
        return m.group(1);
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex.startsWith("(?m)") ? regex : Pattern.quote(regex)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    static Path docker(String name) {
        return Repo.docker().resolve(name);
    }
}
