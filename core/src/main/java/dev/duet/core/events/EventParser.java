package dev.duet.core.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.data.ItemInfo;
import dev.duet.core.data.UserInfo;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses and validates the JSON records of the input topics (examples in docs/topics.md, a JSON
 * Schema per topic in docs/schemas/, which accepts and rejects what this parser does:
 * TopicSchemasTest). Every method either returns a valid event or throws {@link
 * InvalidEventException} whose message says which field is wrong and why, for the dead-letter
 * topic. Thread-safe.
 *
 * <p>As JSON Schema counts them: lengths are in characters (Unicode code points, so an emoji is
 * one), bounds apply to the text as sent (before white space around ids is trimmed), and an
 * integer is any number without a fraction (5 and 5.0).
 */
public final class EventParser {

    /** Longest id accepted (users, items, requests). */
    public static final int MAX_ID_LENGTH = 256;
    /** Most candidates one request may carry. */
    public static final int MAX_CANDIDATES = 1000;
    /** Largest k a request may ask for. */
    public static final int MAX_K = 1000;
    /** Ratings are accepted in [0, MAX_RATING]. */
    public static final float MAX_RATING = 10f;
    /** Timestamps must lie in [MIN_TIMESTAMP_MS, MAX_TIMESTAMP_MS] (1970 .. 2200). */
    public static final long MIN_TIMESTAMP_MS = 0L;

    public static final long MAX_TIMESTAMP_MS = 7_258_118_400_000L;
    /**
     * Longest record accepted, in characters: Kafka's default largest message (1 MiB). A request
     * with the most candidates of the longest ids is about 260 KB.
     */
    public static final int MAX_RECORD_LENGTH = 1_048_576;
    /** Longest item title (kept in every subtask's catalog and put into LLM prompts). */
    public static final int MAX_TITLE_LENGTH = 512;
    /** Most genres one item may list. */
    public static final int MAX_GENRES = 32;
    /** Longest genre name. */
    public static final int MAX_GENRE_LENGTH = 64;
    /** Longest profile value (gender, age, occupation, zip). */
    public static final int MAX_PROFILE_VALUE = 64;
    /** Longest model path on the control topic. */
    public static final int MAX_MODEL_PATH_LENGTH = 4096;

    private static final ObjectMapper JSON = new ObjectMapper();

    private EventParser() {}

    /**
     * An interaction: {@code {"user", "item", "rating" | "event", "timestamp"}}. A rating wins over
     * an event type; an event type is mapped by {@link EventTypes}.
     */
    public static InteractionEvent parseInteraction(String json) throws InvalidEventException {
        JsonNode root = object(json);
        String user = id(root, "user");
        String item = id(root, "item");
        long timestamp = timestamp(root, "timestamp", true, 0L);
        JsonNode rating = root.get("rating");
        JsonNode event = root.get("event");
        if (rating != null && !rating.isNull()) {
            if (!rating.isNumber()) {
                throw new InvalidEventException("field 'rating' must be a number, got " + kind(rating));
            }
            double r = rating.asDouble();
            if (!Double.isFinite(r) || r < 0 || r > MAX_RATING) {
                throw new InvalidEventException("field 'rating' must be in [0, " + MAX_RATING + "], got " + r);
            }
            return new InteractionEvent(user, item, (float) r, "rating", timestamp, profile(root, user));
        }
        if (event != null && !event.isNull()) {
            if (!event.isTextual()) {
                throw new InvalidEventException("field 'event' must be a string, got " + kind(event));
            }
            Float mapped = EventTypes.rating(event.asText());
            if (mapped == null) {
                throw new InvalidEventException(
                        "field 'event' has unknown type '" + truncate(event.asText()) + "' (known: "
                                + String.join(", ", new java.util.TreeSet<>(EventTypes.RATINGS.keySet())) + ")");
            }
            return new InteractionEvent(user, item, mapped, event.asText(), timestamp, profile(root, user));
        }
        throw new InvalidEventException("one of the fields 'rating' or 'event' is required");
    }

    /**
     * A request: {@code {"request_id", "user", "candidates"?, "k", "timestamp"?}}; without a
     * timestamp the record's own timestamp ({@code recordTimestampMs}) is used.
     */
    public static RecommendationRequest parseRequest(String json, long recordTimestampMs)
            throws InvalidEventException {
        JsonNode root = object(json);
        String requestId = id(root, "request_id");
        String user = id(root, "user");
        JsonNode kNode = root.get("k");
        if (kNode == null || kNode.isNull()) {
            throw new InvalidEventException("field 'k' is required");
        }
        Long k = integer(kNode, 1, MAX_K);
        if (k == null) {
            throw new InvalidEventException("field 'k' must be an integer in [1, " + MAX_K + "], got " + truncate(kNode.toString()));
        }
        List<String> candidates = new ArrayList<>();
        JsonNode c = root.get("candidates");
        if (c != null && !c.isNull()) {
            if (!c.isArray()) {
                throw new InvalidEventException("field 'candidates' must be an array of item ids, got " + kind(c));
            }
            if (c.size() > MAX_CANDIDATES) {
                throw new InvalidEventException("field 'candidates' has " + c.size() + " items, at most " + MAX_CANDIDATES + " allowed");
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < c.size(); i++) {
                String id = idValue(c.get(i), "candidates[" + i + "]");
                if (!seen.add(id)) {
                    throw new InvalidEventException("field 'candidates' repeats item '" + id + "'");
                }
                candidates.add(id);
            }
        }
        long timestamp = timestamp(root, "timestamp", false, recordTimestampMs);
        return new RecommendationRequest(requestId, user, candidates, k.intValue(), timestamp, profile(root, user));
    }

    /**
     * The optional {@code "profile": {"gender", "age", "occupation", "zip"}} of an interaction or a
     * request: the fields the CRM encodes, each a string or a number, each optional. Null when the
     * record has none.
     */
    private static UserInfo profile(JsonNode root, String user) throws InvalidEventException {
        JsonNode p = root.get("profile");
        if (p == null || p.isNull()) {
            return null;
        }
        if (!p.isObject()) {
            throw new InvalidEventException("field 'profile' must be an object, got " + kind(p));
        }
        String[] names = {"gender", "age", "occupation", "zip"};
        String[] values = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            JsonNode v = p.get(names[i]);
            if (v == null || v.isNull()) {
                values[i] = "";
            } else if (v.isTextual() || v.isNumber()) {
                String raw = v.asText();
                values[i] = raw.trim();
                if (length(raw) > MAX_PROFILE_VALUE) {
                    throw new InvalidEventException(
                            "field 'profile." + names[i] + "' is longer than " + MAX_PROFILE_VALUE + " characters");
                }
            } else {
                throw new InvalidEventException("field 'profile." + names[i] + "' must be a string or a number, got " + kind(v));
            }
        }
        return new UserInfo(user, values[0], values[1], values[2], values[3]);
    }

    /**
     * A catalog entry: {@code {"id", "title", "genres"?, "year"?}}; genres as an array or a
     * '|'-separated string.
     */
    public static ItemInfo parseItem(String json) throws InvalidEventException {
        JsonNode root = object(json);
        String id = id(root, "id");
        JsonNode titleNode = root.get("title");
        if (titleNode == null || !titleNode.isTextual() || titleNode.asText().isBlank()) {
            throw new InvalidEventException("field 'title' is required and must be a non-empty string");
        }
        if (length(titleNode.asText()) > MAX_TITLE_LENGTH) {
            throw new InvalidEventException("field 'title' is " + length(titleNode.asText()) + " characters long, at most "
                    + MAX_TITLE_LENGTH + " allowed");
        }
        int year = 0;
        JsonNode y = root.get("year");
        if (y != null && !y.isNull()) {
            Long value = integer(y, 0, 3000);
            if (value == null) {
                throw new InvalidEventException("field 'year' must be an integer in [0, 3000], got " + truncate(y.toString()));
            }
            year = value.intValue();
        }
        List<String> genres = new ArrayList<>();
        JsonNode g = root.get("genres");
        if (g != null && !g.isNull()) {
            if (g.isArray()) {
                if (g.size() > MAX_GENRES) {
                    throw new InvalidEventException("field 'genres' has " + g.size() + " entries, at most " + MAX_GENRES + " allowed");
                }
                for (int i = 0; i < g.size(); i++) {
                    if (!g.get(i).isTextual()) {
                        throw new InvalidEventException("field 'genres[" + i + "]' must be a string");
                    }
                    genres.add(genre(g.get(i).asText(), "genres[" + i + "]"));
                }
            } else if (g.isTextual()) {
                if (length(g.asText()) > MAX_GENRES * (MAX_GENRE_LENGTH + 1)) {
                    throw new InvalidEventException("field 'genres' is " + length(g.asText()) + " characters long, at most "
                            + MAX_GENRES * (MAX_GENRE_LENGTH + 1) + " allowed");
                }
                // Every part counts, blank ones too (as the schema's pattern counts them); blank ones are skipped.
                String[] parts = g.asText().split("\\|", -1);
                if (parts.length > MAX_GENRES) {
                    throw new InvalidEventException("field 'genres' has " + parts.length + " entries, at most " + MAX_GENRES + " allowed");
                }
                for (String part : parts) {
                    genre(part, "genres");
                    if (!part.isBlank()) {
                        genres.add(part.trim());
                    }
                }
            } else {
                throw new InvalidEventException("field 'genres' must be an array or a '|'-separated string");
            }
        }
        return new ItemInfo(id, titleNode.asText(), year, genres);
    }

    private static String genre(String name, String field) throws InvalidEventException {
        if (length(name) > MAX_GENRE_LENGTH) {
            throw new InvalidEventException("field '" + field + "' has a genre longer than " + MAX_GENRE_LENGTH + " characters");
        }
        return name;
    }

    /**
     * A control command: {@code {"model_path", "target"}}; {@code target} is {@code crm} (the
     * default) or {@code sequence-model}.
     */
    public static ModelControl parseControl(String json) throws InvalidEventException {
        JsonNode root = object(json);
        JsonNode path = root.get("model_path");
        if (path == null || !path.isTextual() || path.asText().isBlank()) {
            throw new InvalidEventException("field 'model_path' is required and must be a non-empty string");
        }
        if (length(path.asText()) > MAX_MODEL_PATH_LENGTH) {
            throw new InvalidEventException("field 'model_path' is " + length(path.asText()) + " characters long, at most "
                    + MAX_MODEL_PATH_LENGTH + " allowed");
        }
        ModelControl.Target target = ModelControl.Target.CRM;
        JsonNode targetNode = root.get("target");
        if (targetNode != null && !targetNode.isNull()) {
            target = null;
            for (ModelControl.Target t : ModelControl.Target.values()) {
                if (targetNode.isTextual() && t.wireName().equals(targetNode.asText())) {
                    target = t;
                }
            }
            if (target == null) {
                throw new InvalidEventException("field 'target' must be \"crm\" or \"sequence-model\", got "
                        + (targetNode.isTextual() ? "\"" + shorten(targetNode.asText()) + "\"" : kind(targetNode)));
            }
        }
        return new ModelControl(target, path.asText());
    }

    private static JsonNode object(String json) throws InvalidEventException {
        if (json == null) {
            // A Kafka record with a null value: a tombstone (a compacted topic's delete marker), not
            // an event; told apart from an empty value, which is a producer's mistake.
            throw new InvalidEventException("tombstone record (null value): the topic holds events, not deletions");
        }
        if (json.isBlank()) {
            throw new InvalidEventException("empty record (" + (json.isEmpty() ? "no characters" : "only white space") + ")");
        }
        if (json.length() > MAX_RECORD_LENGTH) {
            throw new InvalidEventException("record is " + json.length() + " characters long, at most " + MAX_RECORD_LENGTH + " allowed");
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidEventException("expected a JSON object, got " + (root == null ? "nothing" : kind(root)));
        }
        return root;
    }

    private static String id(JsonNode root, String field) throws InvalidEventException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw new InvalidEventException("field '" + field + "' is required");
        }
        return idValue(node, field);
    }

    /** Ids may be strings or integers (MovieLens ids are numbers); both become strings. */
    private static String idValue(JsonNode node, String field) throws InvalidEventException {
        String raw;
        if (node.isTextual()) {
            raw = node.asText();
        } else if (isInteger(node)) {
            raw = node.bigIntegerValue().toString(); // 196.0 is the id "196", as 196 is
        } else {
            throw new InvalidEventException("field '" + field + "' must be a string or an integer, got " + kind(node));
        }
        if (length(raw) > MAX_ID_LENGTH) {
            throw new InvalidEventException("field '" + field + "' is " + length(raw) + " characters long, at most "
                    + MAX_ID_LENGTH + " allowed");
        }
        String value = raw.trim();
        if (value.isEmpty()) {
            throw new InvalidEventException("field '" + field + "' is empty");
        }
        return value;
    }

    /** Epoch milliseconds as a number, or an ISO-8601 instant such as "2024-05-01T12:00:00Z". */
    private static long timestamp(JsonNode root, String field, boolean required, long fallback)
            throws InvalidEventException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw new InvalidEventException("field '" + field + "' is required");
            }
            return fallback;
        }
        long ms;
        if (isInteger(node)) {
            Long value = integer(node, Long.MIN_VALUE, Long.MAX_VALUE);
            if (value == null) {
                throw new InvalidEventException("field '" + field + "' is out of range: " + truncate(node.toString()));
            }
            ms = value;
        } else if (node.isTextual()) {
            try {
                ms = Instant.parse(node.asText()).toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e) {
                throw new InvalidEventException(
                        "field '" + field + "' must be epoch milliseconds or an ISO-8601 instant, got '" + truncate(node.asText()) + "'");
            }
        } else {
            throw new InvalidEventException("field '" + field + "' must be epoch milliseconds or an ISO-8601 instant, got " + kind(node));
        }
        if (ms < MIN_TIMESTAMP_MS || ms > MAX_TIMESTAMP_MS) {
            throw new InvalidEventException("field '" + field + "' is out of range: " + ms);
        }
        return ms;
    }

    /** An integer in JSON Schema's sense: a number without a fraction (5 and 5.0, not 5.5). */
    private static boolean isInteger(JsonNode node) {
        return node.isIntegralNumber() || (node.isFloatingPointNumber() && node.canConvertToExactIntegral());
    }

    /** The node's value when it is an integer in [min, max] (compared exactly, never wrapped); else null. */
    private static Long integer(JsonNode node, long min, long max) {
        if (!isInteger(node)) {
            return null;
        }
        BigInteger value = node.bigIntegerValue();
        if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            return null;
        }
        return value.longValue();
    }

    /** A text's length in characters as JSON Schema counts them: code points, so an emoji is one. */
    private static int length(String text) {
        return text.codePointCount(0, text.length());
    }

    private static String shorten(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }

    private static String kind(JsonNode node) {
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String truncate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
