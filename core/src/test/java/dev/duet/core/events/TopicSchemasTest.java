package dev.duet.core.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.testing.TopicSchemas;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The topics' JSON Schemas (docs/schemas/) against the parser and the documentation: every example
 * record of docs/topics.md validates (read from the markdown, so neither can drift), the parser and
 * the schema reject the same malformed records (the parser naming the field the schema names) and
 * accept the same edge cases, and the schemas carry the parser's bounds.
 */
class TopicSchemasTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> INPUT_TOPICS = List.of("interactions", "requests", "items", "duet-control");

    /** The parser of an input topic. */
    private static void parse(String topic, String json) throws InvalidEventException {
        switch (topic) {
            case "interactions" -> EventParser.parseInteraction(json);
            case "requests" -> EventParser.parseRequest(json, 0);
            case "items" -> EventParser.parseItem(json);
            case "duet-control" -> EventParser.parseControl(json);
            default -> throw new IllegalArgumentException("not an input topic: " + topic);
        }
    }

    private static String repeat(String s, int n) {
        return s.repeat(n);
    }

    private static String quoted(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String ids(int n, String prefix) {
        return IntStream.range(0, n).mapToObj(i -> quoted(prefix + i)).collect(Collectors.joining(",", "[", "]"));
    }

    private static final String I = "\"user\":\"u\",\"item\":\"i\",";
    private static final String R = "\"request_id\":\"r\",\"user\":\"u\",";
    /** 👍: one character (code point) in JSON Schema and for the parser, two UTF-16 units. */
    private static final String EMOJI = "\uD83D\uDC4D";

    /** Malformed records: topic, the field both must name, the record. */
    static Stream<Arguments> malformed() {
        return Stream.of(
                // interactions
                Arguments.of("interactions", "user", "{\"item\":\"i\",\"rating\":3,\"timestamp\":1}"),
                Arguments.of("interactions", "user", "{\"user\":null,\"item\":\"i\",\"rating\":3,\"timestamp\":1}"),
                Arguments.of("interactions", "user", "{\"user\":1.5,\"item\":\"i\",\"rating\":3,\"timestamp\":1}"),
                Arguments.of("interactions", "user", "{\"user\":true,\"item\":\"i\",\"rating\":3,\"timestamp\":1}"),
                Arguments.of("interactions", "user", "{\"user\":\"\",\"item\":\"i\",\"rating\":3,\"timestamp\":1}"),
                Arguments.of("interactions", "user", "{\"user\":\"  \\t \",\"item\":\"i\",\"rating\":3,\"timestamp\":1}"),
                Arguments.of("interactions", "user", "{\"user\":" + quoted(repeat("u", 257)) + ",\"item\":\"i\",\"rating\":3,\"timestamp\":1}"),
                Arguments.of("interactions", "user", "{\"user\":" + quoted(repeat(EMOJI, 257)) + ",\"item\":\"i\",\"rating\":3,\"timestamp\":1}"),
                Arguments.of("interactions", "user", "{\"user\":" + repeat("9", 257) + ",\"item\":\"i\",\"rating\":3,\"timestamp\":1}"),
                Arguments.of("interactions", "user", "{\"user\":-" + repeat("9", 256) + ",\"item\":\"i\",\"rating\":3,\"timestamp\":1}"),
                Arguments.of("interactions", "item", "{\"user\":\"u\",\"item\":[\"i\"],\"rating\":3,\"timestamp\":1}"),
                Arguments.of("interactions", "rating", "{" + I + "\"rating\":\"x\",\"timestamp\":1}"),
                Arguments.of("interactions", "rating", "{" + I + "\"rating\":10.5,\"timestamp\":1}"),
                Arguments.of("interactions", "rating", "{" + I + "\"rating\":-1,\"timestamp\":1}"),
                Arguments.of("interactions", "rating", "{" + I + "\"timestamp\":1}"),
                Arguments.of("interactions", "rating", "{" + I + "\"rating\":null,\"event\":null,\"timestamp\":1}"),
                Arguments.of("interactions", "event", "{" + I + "\"event\":\"teleport\",\"timestamp\":1}"),
                Arguments.of("interactions", "event", "{" + I + "\"event\":\"clicks\",\"timestamp\":1}"),
                Arguments.of("interactions", "event", "{" + I + "\"event\":4,\"timestamp\":1}"),
                Arguments.of("interactions", "timestamp", "{" + I + "\"rating\":3}"),
                Arguments.of("interactions", "timestamp", "{" + I + "\"rating\":3,\"timestamp\":null}"),
                Arguments.of("interactions", "timestamp", "{" + I + "\"rating\":3,\"timestamp\":-5}"),
                Arguments.of("interactions", "timestamp", "{" + I + "\"rating\":3,\"timestamp\":7258118400001}"),
                Arguments.of("interactions", "timestamp", "{" + I + "\"rating\":3,\"timestamp\":1.5}"),
                Arguments.of("interactions", "timestamp", "{" + I + "\"rating\":3,\"timestamp\":true}"),
                Arguments.of("interactions", "timestamp", "{" + I + "\"rating\":3,\"timestamp\":\"yesterday\"}"),
                Arguments.of("interactions", "timestamp", "{" + I + "\"rating\":3,\"timestamp\":\"2024-13-01T00:00:00Z\"}"),
                Arguments.of("interactions", "timestamp", "{" + I + "\"rating\":3,\"timestamp\":\"2024-05-01T12:00Z\"}"),
                Arguments.of("interactions", "timestamp", "{" + I + "\"rating\":3,\"timestamp\":\"2024-05-01 12:00:00Z\"}"),
                Arguments.of("interactions", "timestamp", "{" + I + "\"rating\":3,\"timestamp\":\"1969-12-31T23:59:59Z\"}"),
                Arguments.of("interactions", "timestamp", "{" + I + "\"rating\":3,\"timestamp\":\"2300-01-01T00:00:00Z\"}"),
                Arguments.of("interactions", "profile", "{" + I + "\"rating\":3,\"timestamp\":1,\"profile\":\"M\"}"),
                Arguments.of("interactions", "gender", "{" + I + "\"rating\":3,\"timestamp\":1,\"profile\":{\"gender\":" + quoted(repeat("g", 65)) + "}}"),
                Arguments.of("interactions", "gender", "{" + I + "\"rating\":3,\"timestamp\":1,\"profile\":{\"gender\":" + quoted(" " + repeat("g", 64)) + "}}"),
                Arguments.of("interactions", "age", "{" + I + "\"rating\":3,\"timestamp\":1,\"profile\":{\"age\":{\"years\":45}}}"),
                Arguments.of("interactions", "zip", "{" + I + "\"rating\":3,\"timestamp\":1,\"profile\":{\"zip\":[55105]}}"),
                // requests
                Arguments.of("requests", "request_id", "{\"user\":\"u\",\"k\":1}"),
                Arguments.of("requests", "request_id", "{\"request_id\":{},\"user\":\"u\",\"k\":1}"),
                Arguments.of("requests", "user", "{\"request_id\":\"r\",\"k\":1}"),
                Arguments.of("requests", "k", "{" + R + "\"candidates\":[\"a\"]}"),
                Arguments.of("requests", "k", "{" + R + "\"k\":null}"),
                Arguments.of("requests", "k", "{" + R + "\"k\":0}"),
                Arguments.of("requests", "k", "{" + R + "\"k\":-3}"),
                Arguments.of("requests", "k", "{" + R + "\"k\":1001}"),
                Arguments.of("requests", "k", "{" + R + "\"k\":2.5}"),
                Arguments.of("requests", "k", "{" + R + "\"k\":\"3\"}"),
                Arguments.of("requests", "k", "{" + R + "\"k\":4294967297}"),
                Arguments.of("requests", "candidates", "{" + R + "\"k\":1,\"candidates\":\"a\"}"),
                Arguments.of("requests", "candidates", "{" + R + "\"k\":1,\"candidates\":" + ids(1001, "i") + "}"),
                Arguments.of("requests", "candidates", "{" + R + "\"k\":1,\"candidates\":[\"a\",\"b\",\"a\"]}"),
                Arguments.of("requests", "candidates", "{" + R + "\"k\":1,\"candidates\":[\"a\",true]}"),
                Arguments.of("requests", "candidates", "{" + R + "\"k\":1,\"candidates\":[\"a\",\"\"]}"),
                Arguments.of("requests", "candidates", "{" + R + "\"k\":1,\"candidates\":[" + quoted(repeat("c", 257)) + "]}"),
                Arguments.of("requests", "timestamp", "{" + R + "\"k\":1,\"timestamp\":\"soon\"}"),
                Arguments.of("requests", "profile", "{" + R + "\"k\":1,\"profile\":[1]}"),
                // items
                Arguments.of("items", "id", "{\"title\":\"t\"}"),
                Arguments.of("items", "id", "{\"id\":[],\"title\":\"t\"}"),
                Arguments.of("items", "title", "{\"id\":\"i\"}"),
                Arguments.of("items", "title", "{\"id\":\"i\",\"title\":null}"),
                Arguments.of("items", "title", "{\"id\":\"i\",\"title\":\"\"}"),
                Arguments.of("items", "title", "{\"id\":\"i\",\"title\":\" \\n\\t\"}"),
                Arguments.of("items", "title", "{\"id\":\"i\",\"title\":\"\\u2003\"}"),
                Arguments.of("items", "title", "{\"id\":\"i\",\"title\":123}"),
                Arguments.of("items", "title", "{\"id\":\"i\",\"title\":" + quoted(repeat("t", 513)) + "}"),
                Arguments.of("items", "title", "{\"id\":\"i\",\"title\":" + quoted(repeat(EMOJI, 513)) + "}"),
                Arguments.of("items", "genres", "{\"id\":\"i\",\"title\":\"t\",\"genres\":" + ids(33, "g") + "}"),
                Arguments.of("items", "genres", "{\"id\":\"i\",\"title\":\"t\",\"genres\":[\"Drama\",1]}"),
                Arguments.of("items", "genres", "{\"id\":\"i\",\"title\":\"t\",\"genres\":[\"Drama\",null]}"),
                Arguments.of("items", "genres", "{\"id\":\"i\",\"title\":\"t\",\"genres\":[" + quoted(repeat("g", 65)) + "]}"),
                Arguments.of("items", "genres", "{\"id\":\"i\",\"title\":\"t\",\"genres\":" + quoted(IntStream.range(0, 33).mapToObj(i -> "g" + i).collect(Collectors.joining("|"))) + "}"),
                Arguments.of("items", "genres", "{\"id\":\"i\",\"title\":\"t\",\"genres\":" + quoted(repeat("|", 32)) + "}"),
                Arguments.of("items", "genres", "{\"id\":\"i\",\"title\":\"t\",\"genres\":" + quoted("Drama|" + repeat("g", 65)) + "}"),
                Arguments.of("items", "genres", "{\"id\":\"i\",\"title\":\"t\",\"genres\":5}"),
                Arguments.of("items", "genres", "{\"id\":\"i\",\"title\":\"t\",\"genres\":{\"Drama\":true}}"),
                Arguments.of("items", "year", "{\"id\":\"i\",\"title\":\"t\",\"year\":1996.5}"),
                Arguments.of("items", "year", "{\"id\":\"i\",\"title\":\"t\",\"year\":3001}"),
                Arguments.of("items", "year", "{\"id\":\"i\",\"title\":\"t\",\"year\":-1}"),
                Arguments.of("items", "year", "{\"id\":\"i\",\"title\":\"t\",\"year\":\"1996\"}"),
                Arguments.of("items", "year", "{\"id\":\"i\",\"title\":\"t\",\"year\":4294969292}"),
                // control
                Arguments.of("duet-control", "model_path", "{}"),
                Arguments.of("duet-control", "model_path", "{\"model_path\":null}"),
                Arguments.of("duet-control", "model_path", "{\"model_path\":\"\"}"),
                Arguments.of("duet-control", "model_path", "{\"model_path\":\"   \"}"),
                Arguments.of("duet-control", "model_path", "{\"model_path\":5}"),
                Arguments.of("duet-control", "model_path", "{\"model_path\":" + quoted("/" + repeat("m", 4096)) + "}"),
                Arguments.of("duet-control", "target", "{\"model_path\":\"/m\",\"target\":\"sasrec\"}"),
                Arguments.of("duet-control", "target", "{\"model_path\":\"/m\",\"target\":\"CRM\"}"),
                Arguments.of("duet-control", "target", "{\"model_path\":\"/m\",\"target\":3}"),
                // not an object, for every input topic
                Arguments.of("interactions", "", "[1,2]"),
                Arguments.of("requests", "", "\"r\""),
                Arguments.of("items", "", "42"),
                Arguments.of("duet-control", "", "null"));
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @MethodSource("malformed")
    void theParserAndTheSchemaRejectTheSameMalformedRecordsNamingTheSameField(String topic, String field, String json) {
        InvalidEventException parserSays = catchThrowableOfType(InvalidEventException.class, () -> parse(topic, json));
        assertThat(parserSays).as("the parser rejects it").isNotNull();
        List<String> schemaSays = TopicSchemas.errors(topic, json);
        assertThat(schemaSays).as("the schema rejects it (the parser said: %s)", parserSays.getMessage()).isNotEmpty();
        if (!field.isEmpty()) {
            assertThat(parserSays.getMessage()).as("the dead letter's reason names the field").contains(field);
            assertThat(String.join("\n", schemaSays)).as("the schema's errors name the field").contains(field);
        }
    }

    /** Records at the edges of what is allowed: both accept them. */
    static Stream<Arguments> wellFormed() {
        return Stream.of(
                Arguments.of("interactions", "{\"user\":196,\"item\":242,\"rating\":3,\"timestamp\":881250949000}"),
                Arguments.of("interactions", "{\"user\":196.0,\"item\":-7,\"rating\":3,\"timestamp\":881250949000.0}"),
                Arguments.of("interactions", "{\"user\":" + repeat("9", 256) + ",\"item\":-" + repeat("9", 255) + ",\"rating\":3,\"timestamp\":1}"),
                Arguments.of("interactions", "{\"user\":\" u1 \",\"item\":" + quoted(repeat("i", 256)) + ",\"rating\":0,\"timestamp\":0}"),
                Arguments.of("interactions", "{\"user\":" + quoted(repeat(EMOJI, 256)) + ",\"item\":\"i\",\"rating\":10,\"timestamp\":7258118400000}"),
                Arguments.of("interactions", "{" + I + "\"rating\":4.5,\"timestamp\":\"2024-05-01T12:00:00.123456789Z\"}"),
                Arguments.of("interactions", "{" + I + "\"rating\":null,\"event\":\"click\",\"timestamp\":\"2024-05-01T12:00:00+02:00\"}"),
                Arguments.of("interactions", "{" + I + "\"event\":\"DisLike\",\"timestamp\":\"2024-05-01t12:00:00z\"}"),
                // A rating wins: the event is not read, whatever it holds.
                Arguments.of("interactions", "{" + I + "\"rating\":3,\"event\":\"teleport\",\"timestamp\":1}"),
                Arguments.of("interactions", "{" + I + "\"rating\":3,\"event\":17,\"timestamp\":1}"),
                Arguments.of("interactions", "{" + I + "\"rating\":3,\"timestamp\":1,\"profile\":null,\"unknown\":[1,{\"x\":2}]}"),
                Arguments.of("interactions", "{" + I + "\"rating\":3,\"timestamp\":1,\"profile\":{\"gender\":\"F\",\"age\":45,\"occupation\":null,"
                        + "\"zip\":" + quoted(repeat("9", 64)) + ",\"hobby\":\"chess\"}}"),
                Arguments.of("requests", "{" + R + "\"k\":1}"),
                Arguments.of("requests", "{" + R + "\"k\":1000,\"candidates\":" + ids(1000, "i") + ",\"timestamp\":null}"),
                Arguments.of("requests", "{" + R + "\"k\":2.0,\"candidates\":null}"),
                Arguments.of("requests", "{" + R + "\"k\":3,\"candidates\":[],\"timestamp\":\"2199-12-31T23:59:59Z\"}"),
                Arguments.of("requests", "{" + R + "\"k\":3,\"candidates\":[\"7\",8,\" 9 \"]}"),
                Arguments.of("items", "{\"id\":\"i\",\"title\":" + quoted(repeat("t", 512)) + "}"),
                Arguments.of("items", "{\"id\":\"i\",\"title\":" + quoted(repeat(EMOJI, 512)) + ",\"genres\":null,\"year\":null}"),
                Arguments.of("items", "{\"id\":\"i\",\"title\":\"\\u00a0\",\"year\":0}"),
                Arguments.of("items", "{\"id\":\"i\",\"title\":\"t\",\"genres\":" + ids(32, repeat("g", 62)) + ",\"year\":3000}"),
                Arguments.of("items", "{\"id\":\"i\",\"title\":\"t\",\"genres\":[\"\", \" \"],\"year\":1996.0}"),
                Arguments.of("items", "{\"id\":\"i\",\"title\":\"t\",\"genres\":\"\"}"),
                Arguments.of("items", "{\"id\":\"i\",\"title\":\"t\",\"genres\":\"Drama||Comedy| \"}"),
                Arguments.of("items", "{\"id\":\"i\",\"title\":\"t\",\"genres\":" + quoted(IntStream.range(0, 32).mapToObj(i -> repeat("g", 64)).collect(Collectors.joining("|"))) + "}"),
                Arguments.of("duet-control", "{\"model_path\":\"/m\",\"target\":null}"),
                Arguments.of("duet-control", "{\"model_path\":\"/m\",\"target\":\"crm\"}"),
                Arguments.of("duet-control", "{\"model_path\":\"/m\",\"target\":\"sequence-model\",\"note\":\"from the trainer\"}"),
                Arguments.of("duet-control", "{\"model_path\":" + quoted("/" + repeat("m", 4095)) + "}"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("wellFormed")
    void theParserAndTheSchemaAcceptTheSameEdgeCases(String topic, String json) throws Exception {
        parse(topic, json);
        assertThat(TopicSchemas.errors(topic, json)).isEmpty();
    }

    /** The differences docs/topics.md names (Schemas), so that the page says what is true. */
    @Test
    void theDocumentedDifferencesAreTheOnlyKnownOnes() throws Exception {
        // The parser is stricter: ids that repeat as strings, the calendar, an offset across 1970.
        for (String[] stricterParser : new String[][] {
                {"requests", "{" + R + "\"k\":1,\"candidates\":[\"7\",7]}"},
                {"requests", "{" + R + "\"k\":1,\"candidates\":[\"7\",\" 7\"]}"},
                {"interactions", "{" + I + "\"rating\":3,\"timestamp\":\"2024-02-30T12:00:00Z\"}"},
                {"interactions", "{" + I + "\"rating\":3,\"timestamp\":\"1970-01-01T00:30:00+01:00\"}"}}) {
            assertThatThrownBy(() -> parse(stricterParser[0], stricterParser[1])).isInstanceOf(InvalidEventException.class);
            assertThat(TopicSchemas.errors(stricterParser[0], stricterParser[1])).as(stricterParser[1]).isEmpty();
        }
        // The schema is stricter on one instant: the last one allowed, as a string.
        String last = "{" + I + "\"rating\":3,\"timestamp\":\"2200-01-01T00:00:00Z\"}";
        parse("interactions", last);
        assertThat(TopicSchemas.errors("interactions", last)).isNotEmpty();
    }

    @Test
    void everyDocumentedExampleValidatesAgainstItsTopicsSchemaAndInputsParse() throws Exception {
        Map<String, List<String>> examples = TopicSchemas.documentedExamples();
        assertThat(examples.keySet()).as("every topic of docs/topics.md has examples and a schema")
                .containsExactlyInAnyOrderElementsOf(TopicSchemas.TOPICS);
        int checked = 0;
        for (Map.Entry<String, List<String>> e : examples.entrySet()) {
            for (String record : e.getValue()) {
                assertThat(TopicSchemas.errors(e.getKey(), record)).as("%s: %s", e.getKey(), record).isEmpty();
                if (INPUT_TOPICS.contains(e.getKey())) {
                    parse(e.getKey(), record);
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(13);
    }

    @Test
    void theDocumentedDeadLetterIsWhatTheParserSaysOfItsPayload() throws Exception {
        for (String record : TopicSchemas.documentedExamples().get("dead-letters")) {
            JsonNode letter = JSON.readTree(record);
            assertThatThrownBy(() -> parse(letter.get("topic").asText(), letter.get("payload").asText()))
                    .isInstanceOf(InvalidEventException.class).hasMessage(letter.get("reason").asText());
        }
    }

    @Test
    void deadLettersAsTheJobWritesThemValidate() {
        List<DeadLetter> letters = List.of(
                new DeadLetter("interactions", 1, 2077, "field 'rating' must be in [0, 10.0], got 42.0", "{\"rating\":42}", 1_732_360_000_000L),
                new DeadLetter("items", 0, 0, "record is 2000000 characters long", "x".repeat(2_000_000), 1L),
                new DeadLetter("requests", 3, 9, "tombstone record (null value): the topic holds events, not deletions", null, 1L));
        for (DeadLetter letter : letters) {
            assertThat(TopicSchemas.errors("dead-letters", letter.toJson())).as(letter.reason()).isEmpty();
        }
        assertThat(TopicSchemas.errors("dead-letters", "{\"topic\":\"t\",\"partition\":-1,\"offset\":0,\"reason\":\"r\",\"payload\":null,\"rejected_at\":1}"))
                .isNotEmpty();
    }

    @Test
    void theSchemasCarryTheParsersBounds() {
        JsonNode interactions = TopicSchemas.schemaJson("interactions");
        JsonNode id = interactions.at("/$defs/id/oneOf/0");
        assertThat(id.get("maxLength").asInt()).isEqualTo(EventParser.MAX_ID_LENGTH);
        assertThat(interactions.at("/properties/rating/maximum").floatValue()).isEqualTo(EventParser.MAX_RATING);
        assertThat(interactions.at("/$defs/timestamp/oneOf/0/maximum").asLong()).isEqualTo(EventParser.MAX_TIMESTAMP_MS);
        assertThat(interactions.at("/$defs/timestamp/oneOf/0/minimum").asLong()).isEqualTo(EventParser.MIN_TIMESTAMP_MS);
        assertThat(interactions.at("/$defs/profileValue/maxLength").asInt()).isEqualTo(EventParser.MAX_PROFILE_VALUE);
        JsonNode requests = TopicSchemas.schemaJson("requests");
        assertThat(requests.at("/properties/candidates/maxItems").asInt()).isEqualTo(EventParser.MAX_CANDIDATES);
        assertThat(requests.at("/properties/k/maximum").asInt()).isEqualTo(EventParser.MAX_K);
        JsonNode items = TopicSchemas.schemaJson("items");
        assertThat(items.at("/properties/title/maxLength").asInt()).isEqualTo(EventParser.MAX_TITLE_LENGTH);
        assertThat(items.at("/properties/genres/anyOf/1/maxItems").asInt()).isEqualTo(EventParser.MAX_GENRES);
        assertThat(items.at("/properties/genres/anyOf/1/items/maxLength").asInt()).isEqualTo(EventParser.MAX_GENRE_LENGTH);
        assertThat(items.at("/properties/genres/anyOf/2/maxLength").asInt()).isEqualTo(EventParser.MAX_GENRES * (EventParser.MAX_GENRE_LENGTH + 1));
        JsonNode control = TopicSchemas.schemaJson("duet-control");
        assertThat(control.at("/properties/model_path/maxLength").asInt()).isEqualTo(EventParser.MAX_MODEL_PATH_LENGTH);
        Set<String> targets = new HashSet<>();
        control.at("/properties/target/enum").forEach(t -> targets.add(t.isNull() ? null : t.asText()));
        Set<String> expected = new HashSet<>();
        for (ModelControl.Target t : ModelControl.Target.values()) {
            expected.add(t.wireName());
        }
        expected.add(null);
        assertThat(targets).isEqualTo(expected);
        // The input schemas share their definitions word for word (each file stands alone for its users).
        for (String topic : List.of("requests", "items")) {
            JsonNode defs = TopicSchemas.schemaJson(topic).get("$defs");
            defs.fieldNames().forEachRemaining(name -> assertThat(defs.get(name)).as("%s $defs/%s", topic, name)
                    .isEqualTo(interactions.get("$defs").get(name)));
        }
    }

    @Test
    void theEventTypesOfTheSchemaAreTheParsers() {
        List<String> accepted = new ArrayList<>();
        for (String type : EventTypes.RATINGS.keySet()) {
            for (String spelling : List.of(type, type.toUpperCase(), Character.toUpperCase(type.charAt(0)) + type.substring(1))) {
                String json = "{" + I + "\"event\":" + quoted(spelling) + ",\"timestamp\":1}";
                assertThat(TopicSchemas.errors("interactions", json)).as(spelling).isEmpty();
                accepted.add(spelling);
            }
        }
        assertThat(accepted).hasSize(3 * EventTypes.RATINGS.size());
        for (String other : List.of("rate", "clickk", " click", "view ", "")) {
            String json = "{" + I + "\"event\":" + quoted(other) + ",\"timestamp\":1}";
            assertThat(EventTypes.rating(other)).as(other).isNull();
            assertThat(TopicSchemas.errors("interactions", json)).as(other).isNotEmpty();
        }
    }
}
