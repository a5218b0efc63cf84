package dev.duet.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Kafka topics' JSON Schemas ({@code docs/schemas/<topic>.schema.json}) and the example records
 * of {@code docs/topics.md}, for tests in any module: the examples are read from the markdown
 * itself (each ```json block under a {@code ### `topic`} heading), so the documentation and the
 * tests cannot drift apart.
 */
public final class TopicSchemas {

    /** Every topic the job reads or writes, by its default name (the schema's file name). */
    public static final List<String> TOPICS = List.of("interactions", "requests", "items", "duet-control", "recommendations", "dead-letters");

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TOPIC_HEADING = Pattern.compile("^###\\s+`([a-z-]+)`\\s*$");

    private TopicSchemas() {}

    /** The repository's docs folder (tests run in their module's folder, one below it). */
    public static Path docs() {
        Path docs = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent().resolve("docs");
        if (!Files.isDirectory(docs)) {
            throw new IllegalStateException("no docs folder at " + docs + ": tests must run from a module folder of the repository");
        }
        return docs;
    }

    public static Path schemaFile(String topic) {
        return docs().resolve("schemas").resolve(topic + ".schema.json");
    }

    /** The schema's own JSON (to read its bounds). */
    public static JsonNode schemaJson(String topic) {
        try {
            return JSON.readTree(schemaFile(topic).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Schema schema(String topic) {
        return SCHEMAS.computeIfAbsent(topic, t -> {
            try {
                return REGISTRY.getSchema(Files.readString(schemaFile(t)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** What the topic's schema says is wrong with {@code json}, one line per error (empty: valid). */
    public static List<String> errors(String topic, String json) {
        List<String> lines = new ArrayList<>();
        for (Error e : schema(topic).validate(json, InputFormat.JSON)) {
            lines.add(e.getInstanceLocation() + " " + e.getKeyword() + ": " + e.getMessage());
        }
        return lines;
    }

    /**
     * The example records of docs/topics.md by topic, in order: every JSON value in each ```json
     * block under a {@code ### `topic`} heading (a block may hold several records, one a line or
     * spread over lines).
     */
    public static Map<String, List<String>> documentedExamples() {
        Map<String, List<String>> examples = new LinkedHashMap<>();
        try {
            List<String> lines = Files.readAllLines(docs().resolve("topics.md"));
            String topic = null;
            StringBuilder block = null;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                Matcher heading = TOPIC_HEADING.matcher(line);
                if (block == null && heading.matches()) {
                    topic = heading.group(1);
                } else if (block == null && line.startsWith("#")) {
                    topic = null;
                } else if (block == null && line.trim().equals("```json")) {
                    if (topic == null) {
                        throw new IllegalStateException("docs/topics.md:" + (i + 1) + ": a JSON example outside a topic's section");
                    }
                    block = new StringBuilder();
                } else if (block != null && line.trim().equals("```")) {
                    try (MappingIterator<JsonNode> values = JSON.readerFor(JsonNode.class).readValues(block.toString())) {
                        while (values.hasNext()) {
                            examples.computeIfAbsent(topic, t -> new ArrayList<>()).add(JSON.writeValueAsString(values.next()));
                        }
                    }
                    block = null;
                } else if (block != null) {
                    block.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return examples;
    }
}
