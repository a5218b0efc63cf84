package dev.duet.jobjar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job jar a Flink cluster runs must not carry what the cluster already has: two copies of a
 * class Flink owns load from whichever class loader wins and fail in ways that depend on the
 * cluster's class-loading order. "What the cluster has" is read from this module's provided
 * class path (every jar of a Flink distribution's lib/ that the job uses, with their transitive
 * dependencies), written by the build next to the jar.
 */
class JobJarContentsITCase {

    private static Set<String> jobClasses;

    @BeforeAll
    static void readJar() throws IOException {
        jobClasses = classesIn(Path.of(System.getProperty("duet.jobJar")));
    }

    @Test
    void holdsNoClassTheClusterProvides() throws IOException {
        Path listing = Path.of(System.getProperty("duet.providedClasspath"));
        String classpath = Files.readString(listing).trim();
        assertThat(classpath).as("provided class path in %s", listing).isNotEmpty();
        Set<String> provided = new HashSet<>();
        for (String jar : classpath.split(java.io.File.pathSeparator)) {
            provided.addAll(classesIn(Path.of(jar)));
        }
        // Flink's own runtime, its shaded libraries and the logging stack are all provided.
        assertThat(provided)
                .contains(
                        "org/apache/flink/streaming/api/environment/StreamExecutionEnvironment.class",
                        "com/esotericsoftware/kryo/Kryo.class",
                        "net/jpountz/lz4/LZ4Factory.class",
                        "org/xerial/snappy/Snappy.class",
                        "org/apache/commons/lang3/StringUtils.class",
                        "org/apache/logging/log4j/Logger.class");
        Set<String> duplicated = new TreeSet<>(jobClasses);
        duplicated.retainAll(provided);
        assertThat(duplicated).as("classes in the job jar that the Flink cluster provides").isEmpty();
    }

    /**
     * The provided class path is Maven's mediated tree: a library that Flink and one of our
     * dependencies both use lands on whichever path is nearer. These packages belong to a Flink
     * distribution whatever the tree says; only the Kafka connector's own Flink packages may be in
     * the jar.
     */
    @Test
    void holdsNoPackageOfAFlinkDistribution() {
        List<String> flinkOwned = List.of(
                "org/apache/flink/", "com/esotericsoftware/", "org/objenesis/", "javassist/",
                "one/profiler/", "net/jpountz/", "org/xerial/snappy/", "org/apache/commons/lang3/",
                "org/apache/commons/io/", "org/apache/commons/text/", "org/apache/commons/math3/",
                "org/apache/commons/collections/", "org/apache/commons/compress/",
                "org/apache/commons/cli/", "org/apache/logging/log4j/", "org/slf4j/");
        List<String> connector = List.of(
                "org/apache/flink/connector/kafka/", "org/apache/flink/streaming/connectors/kafka/",
                "org/apache/flink/streaming/util/serialization/JSONKeyValueDeserializationSchema");
        Set<String> found = new TreeSet<>();
        for (String entry : jobClasses) {
            if (flinkOwned.stream().anyMatch(entry::startsWith)
                    && connector.stream().noneMatch(entry::startsWith)) {
                found.add(entry);
            }
        }
        assertThat(found).as("classes of packages a Flink distribution carries").isEmpty();
    }

    @Test
    void holdsTheJobTheConnectorAndOurLibraries() {
        assertThat(jobClasses)
                .contains(
                        "dev/duet/job/cli/FlinkRunMain.class",
                        "dev/duet/job/DuetJob.class",
                        "dev/duet/core/crm/CrmModel.class",
                        "org/apache/flink/connector/kafka/source/KafkaSource.class",
                        "org/apache/kafka/clients/producer/KafkaProducer.class",
                        "ai/onnxruntime/OrtSession.class");
    }

    @Test
    void holdsNoNativeProfilerChartsOrTestCode() {
        List<String> unwanted = new ArrayList<>();
        for (String entry : jobClasses) {
            if (entry.contains("/test/")
                    || entry.endsWith("ITCase.class")
                    || entry.contains("asyncprofiler")
                    || entry.startsWith("org/knowm/xchart/")
                    || entry.startsWith("org/apache/pdfbox/")
                    || entry.startsWith("org/apache/flink/runtime/")
                    || entry.startsWith("org/apache/flink/streaming/api/")) {
                unwanted.add(entry);
            }
        }
        assertThat(unwanted).isEmpty();
    }

    private static Set<String> classesIn(Path jar) throws IOException {
        Set<String> classes = new HashSet<>();
        if (!Files.isRegularFile(jar)) {
            return classes; // a provided directory entry (a reactor module's classes) holds no jar classes
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            Enumeration<? extends ZipEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (name.endsWith(".class")
                        && !name.startsWith("META-INF/")
                        && !name.endsWith("module-info.class")) {
                    classes.add(name);
                }
            }
        }
        return classes;
    }
}
