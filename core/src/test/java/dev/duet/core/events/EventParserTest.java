package dev.duet.core.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.data.ItemInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventParserTest {

    @Test
    void parsesRatedInteraction() throws Exception {
        InteractionEvent e = EventParser.parseInteraction(
                "{\"user\": 12, \"item\": \"i7\", \"rating\": 4.5, \"timestamp\": 1700000000000}");
        assertThat(e.userId()).isEqualTo("12");
        assertThat(e.itemId()).isEqualTo("i7");
        assertThat(e.rating()).isEqualTo(4.5f);
        assertThat(e.eventType()).isEqualTo("rating");
        assertThat(e.timestampMs()).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void mapsEventTypeAndIsoTimestamp() throws Exception {
        InteractionEvent e = EventParser.parseInteraction(
                "{\"user\": \"u\", \"item\": \"i\", \"event\": \"Click\", \"timestamp\": \"2024-05-01T12:00:00Z\"}");
        assertThat(e.rating()).isEqualTo(4f);
        assertThat(e.timestampMs()).isEqualTo(1_714_564_800_000L);
    }

    @Test
    void rejectsWithReasonsNamingTheField() {
        assertReason(() -> EventParser.parseInteraction("not json"), "not JSON");
        assertReason(() -> EventParser.parseInteraction("[1,2]"), "expected a JSON object");
        assertReason(() -> EventParser.parseInteraction("{\"item\":\"i\",\"rating\":3,\"timestamp\":1}"), "'user' is required");
        assertReason(() -> EventParser.parseInteraction("{\"user\":\"u\",\"item\":\"i\",\"rating\":11,\"timestamp\":1}"), "'rating' must be in");
        assertReason(() -> EventParser.parseInteraction("{\"user\":\"u\",\"item\":\"i\",\"rating\":\"x\",\"timestamp\":1}"), "'rating' must be a number");
        assertReason(() -> EventParser.parseInteraction("{\"user\":\"u\",\"item\":\"i\",\"event\":\"teleport\",\"timestamp\":1}"), "unknown type 'teleport'");
        assertReason(() -> EventParser.parseInteraction("{\"user\":\"u\",\"item\":\"i\",\"timestamp\":1}"), "'rating' or 'event'");
        assertReason(() -> EventParser.parseInteraction("{\"user\":\"u\",\"item\":\"i\",\"rating\":3}"), "'timestamp' is required");
        assertReason(() -> EventParser.parseInteraction("{\"user\":\"u\",\"item\":\"i\",\"rating\":3,\"timestamp\":-5}"), "'timestamp' is out of range");
        assertReason(() -> EventParser.parseInteraction("{\"user\":\"u\",\"item\":\"i\",\"rating\":3,\"timestamp\":\"yesterday\"}"), "ISO-8601");
        assertReason(() -> EventParser.parseInteraction("{\"user\":1.5,\"item\":\"i\",\"rating\":3,\"timestamp\":1}"), "'user' must be a string or an integer");
        assertReason(() -> EventParser.parseInteraction(""), "empty record");
    }

    @Test
    void parsesRequestsWithAndWithoutCandidates() throws Exception {
        RecommendationRequest r = EventParser.parseRequest(
                "{\"request_id\":\"r1\",\"user\":\"u\",\"candidates\":[\"a\",2],\"k\":1,\"timestamp\":5}", 99);
        assertThat(r.candidates()).containsExactly("a", "2");
        assertThat(r.k()).isEqualTo(1);
        assertThat(r.timestampMs()).isEqualTo(5);
        RecommendationRequest open = EventParser.parseRequest("{\"request_id\":\"r2\",\"user\":\"u\",\"k\":10}", 99);
        assertThat(open.candidates()).isEmpty();
        assertThat(open.timestampMs()).isEqualTo(99);
    }

    @Test
    void rejectsBadRequests() {
        assertReason(() -> EventParser.parseRequest("{\"user\":\"u\",\"k\":1}", 0), "'request_id' is required");
        assertReason(() -> EventParser.parseRequest("{\"request_id\":\"r\",\"user\":\"u\"}", 0), "'k' is required");
        assertReason(() -> EventParser.parseRequest("{\"request_id\":\"r\",\"user\":\"u\",\"k\":0}", 0), "'k' must be an integer");
        assertReason(() -> EventParser.parseRequest("{\"request_id\":\"r\",\"user\":\"u\",\"k\":1,\"candidates\":\"a\"}", 0), "'candidates' must be an array");
        assertReason(() -> EventParser.parseRequest("{\"request_id\":\"r\",\"user\":\"u\",\"k\":1,\"candidates\":[\"a\",\"a\"]}", 0), "repeats item 'a'");
        assertReason(() -> EventParser.parseRequest("{\"request_id\":\"r\",\"user\":\"u\",\"k\":1,\"candidates\":[{}]}", 0), "'candidates[0]'");
    }

    @Test
    void parsesItemsAndControl() throws Exception {
        ItemInfo a = EventParser.parseItem("{\"id\":1,\"title\":\"Toy Story (1995)\",\"genres\":\"Animation|Comedy\",\"year\":1995}");
        assertThat(a.genres()).containsExactly("Animation", "Comedy");
        assertThat(a.year()).isEqualTo(1995);
        ItemInfo b = EventParser.parseItem("{\"id\":\"x\",\"title\":\"X\",\"genres\":[\"Drama\"]}");
        assertThat(b.genres()).isEqualTo(List.of("Drama"));
        assertReason(() -> EventParser.parseItem("{\"id\":\"x\"}"), "'title' is required");
        assertReason(() -> EventParser.parseItem("{\"id\":\"x\",\"title\":\"t\",\"year\":\"old\"}"), "'year' must be an integer");
        assertThat(EventParser.parseControl("{\"model_path\":\"/m/model.onnx\"}").modelPath()).isEqualTo("/m/model.onnx");
        assertReason(() -> EventParser.parseControl("{}"), "'model_path' is required");
    }

    @Test
    void controlNamesTheModelItReplaces() throws Exception {
        assertThat(EventParser.parseControl("{\"model_path\":\"/m\"}").target()).isEqualTo(ModelControl.Target.CRM);
        assertThat(EventParser.parseControl("{\"model_path\":\"/m\",\"target\":\"crm\"}").target())
                .isEqualTo(ModelControl.Target.CRM);
        ModelControl sequence = EventParser.parseControl("{\"model_path\":\"/s.onnx\",\"target\":\"sequence-model\"}");
        assertThat(sequence.target()).isEqualTo(ModelControl.Target.SEQUENCE_MODEL);
        assertThat(sequence.modelPath()).isEqualTo("/s.onnx");
        assertReason(() -> EventParser.parseControl("{\"model_path\":\"/m\",\"target\":\"sasrec\"}"),
                "field 'target' must be \"crm\" or \"sequence-model\", got \"sasrec\"");
        assertReason(() -> EventParser.parseControl("{\"model_path\":\"/m\",\"target\":3}"), "field 'target' must be");
    }

    @Test
    void deadLetterTruncatesPayloadAndWritesJson() {
        DeadLetter d = new DeadLetter("interactions", 2, 42, "field 'user' is required", "x".repeat(10_000), 7);
        assertThat(d.payload()).hasSize(DeadLetter.MAX_PAYLOAD + "...[truncated]".length());
        assertThat(d.toJson()).contains("\"topic\":\"interactions\"", "\"partition\":2", "\"offset\":42", "field 'user' is required");
    }

    private static void assertReason(ThrowingCall call, String reason) {
        assertThatThrownBy(call::run).isInstanceOf(InvalidEventException.class).hasMessageContaining(reason);
    }

    private interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void profilesAreOptionalAndChecked() throws Exception {
        InteractionEvent plain = EventParser.parseInteraction("{\"user\":\"u1\",\"item\":\"i1\",\"rating\":4,\"timestamp\":1}");
        assertThat(plain.profile()).isNull();
        InteractionEvent withProfile = EventParser.parseInteraction(
                "{\"user\":\"u1\",\"item\":\"i1\",\"rating\":4,\"timestamp\":1,"
                        + "\"profile\":{\"gender\":\"F\",\"age\":25,\"occupation\":\"writer\",\"zip\":\"94043\"}}");
        assertThat(withProfile.profile())
                .isEqualTo(new dev.duet.core.data.UserInfo("u1", "F", "25", "writer", "94043"));
        RecommendationRequest request = EventParser.parseRequest(
                "{\"request_id\":\"r\",\"user\":\"u2\",\"k\":3,\"profile\":{\"gender\":\"M\"}}", 5);
        assertThat(request.profile().gender()).isEqualTo("M");
        assertThat(request.profile().zip()).isEmpty();
        assertThatThrownBy(() -> EventParser.parseInteraction(
                        "{\"user\":\"u1\",\"item\":\"i1\",\"rating\":4,\"timestamp\":1,\"profile\":\"F\"}"))
                .hasMessageContaining("field 'profile' must be an object");
        assertThatThrownBy(() -> EventParser.parseInteraction(
                        "{\"user\":\"u1\",\"item\":\"i1\",\"rating\":4,\"timestamp\":1,\"profile\":{\"age\":[1]}}"))
                .hasMessageContaining("field 'profile.age' must be a string or a number");
    }

    /**
     * Every text and list field of every topic has a bound (docs/topics.md); a record over it is
     * rejected with a reason naming the field, so nothing a record carries can grow the catalog,
     * the user state or a prompt without bound. Each bound itself is accepted.
     */
    @Test
    void everyTextAndListFieldIsBoundedAndTheReasonNamesIt() throws Exception {
        String longId = "x".repeat(EventParser.MAX_ID_LENGTH + 1);
        String okId = "x".repeat(EventParser.MAX_ID_LENGTH);
        for (String field : List.of("user", "item")) {
            String json = "{\"user\":\"u\",\"item\":\"i\",\"rating\":3,\"timestamp\":1}".replace("\"" + field.charAt(0) + "\",", "\"" + longId + "\",");
            assertReason(() -> EventParser.parseInteraction(json), "field '" + field + "' is 257 characters long, at most 256");
        }
        assertThat(EventParser.parseInteraction("{\"user\":\"" + okId + "\",\"item\":\"i\",\"rating\":3,\"timestamp\":1}").userId()).hasSize(256);
        assertReason(() -> EventParser.parseRequest("{\"request_id\":\"" + longId + "\",\"user\":\"u\",\"k\":1}", 0), "field 'request_id' is 257");
        assertReason(() -> EventParser.parseRequest("{\"request_id\":\"r\",\"user\":\"u\",\"k\":1,\"candidates\":[\"" + longId + "\"]}", 0),
                "field 'candidates[0]' is 257");
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i <= EventParser.MAX_CANDIDATES; i++) {
            many.append(i == 0 ? "" : ",").append(i);
        }
        assertReason(() -> EventParser.parseRequest("{\"request_id\":\"r\",\"user\":\"u\",\"k\":1,\"candidates\":" + many + "]}", 0),
                "field 'candidates' has 1001 items, at most 1000");
        assertReason(() -> EventParser.parseInteraction("{\"user\":\"u\",\"item\":\"i\",\"rating\":3,\"timestamp\":1,\"profile\":{\"zip\":\""
                + "9".repeat(EventParser.MAX_PROFILE_VALUE + 1) + "\"}}"), "field 'profile.zip' is longer than 64");
        assertReason(() -> EventParser.parseInteraction("{\"user\":\"u\",\"item\":\"i\",\"event\":\"" + "e".repeat(100_000) + "\",\"timestamp\":1}"),
                "field 'event' has unknown type");

        // The catalog: the 100,000-character title, genres as a list and as a string.
        assertReason(() -> EventParser.parseItem("{\"id\":\"i\",\"title\":\"" + "t".repeat(100_000) + "\"}"),
                "field 'title' is 100000 characters long, at most 512");
        assertThat(EventParser.parseItem("{\"id\":\"i\",\"title\":\"" + "t".repeat(512) + "\"}").title()).hasSize(512);
        StringBuilder genres = new StringBuilder("[");
        for (int i = 0; i <= EventParser.MAX_GENRES; i++) {
            genres.append(i == 0 ? "" : ",").append("\"g").append(i).append('"');
        }
        assertReason(() -> EventParser.parseItem("{\"id\":\"i\",\"title\":\"t\",\"genres\":" + genres + "]}"), "field 'genres' has 33 entries, at most 32");
        assertReason(() -> EventParser.parseItem("{\"id\":\"i\",\"title\":\"t\",\"genres\":[\"" + "g".repeat(65) + "\"]}"),
                "field 'genres[0]' has a genre longer than 64");
        assertReason(() -> EventParser.parseItem("{\"id\":\"i\",\"title\":\"t\",\"genres\":\"Drama|" + "g".repeat(65) + "\"}"),
                "field 'genres' has a genre longer than 64");
        assertReason(() -> EventParser.parseItem("{\"id\":\"i\",\"title\":\"t\",\"genres\":\"" + "a|".repeat(32) + "a\"}"),
                "field 'genres' has 33 entries");
        assertReason(() -> EventParser.parseItem("{\"id\":\"i\",\"title\":\"t\",\"genres\":\"" + "g".repeat(5000) + "\"}"),
                "field 'genres' is 5000 characters long");

        assertReason(() -> EventParser.parseControl("{\"model_path\":\"/" + "m".repeat(EventParser.MAX_MODEL_PATH_LENGTH) + "\"}"),
                "field 'model_path' is 4097 characters long, at most 4096");
        // And the record as a whole, whatever fields it carries.
        assertReason(() -> EventParser.parseItem("{\"id\":\"i\",\"title\":\"t\",\"junk\":\"" + "j".repeat(EventParser.MAX_RECORD_LENGTH) + "\"}"),
                "record is 1048608 characters long, at most 1048576");
    }

    /** A tombstone (null value) and an empty value are different mistakes and get different reasons. */
    @Test
    void aTombstoneAndAnEmptyRecordAreToldApart() {
        for (ThrowingParse parse : List.<ThrowingParse>of(
                EventParser::parseInteraction, v -> EventParser.parseRequest(v, 0), EventParser::parseItem, EventParser::parseControl)) {
            assertReason(() -> parse.run(null), "tombstone record (null value)");
            assertReason(() -> parse.run(""), "empty record (no characters)");
            assertReason(() -> parse.run("  \n"), "empty record (only white space)");
        }
    }

    private interface ThrowingParse {
        void run(String value) throws Exception;
    }
}
