package dev.duet.core.scorer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the trained scorer's inputs mean, stored as {@code scorer.json} beside {@code scorer.onnx}:
 * which frozen text encoder embeds the item texts, the widths, and how ratings and the CRM's
 * probability are turned into numbers. Trainer and worker both read it, so both compute the same
 * inputs. {@code details} keeps what the trainer wants to record (configuration, validation
 * figures); readers ignore it.
 *
 * @param encoder the text encoder: a bundled name (all-minilm-l6-v2, bge-small-en-v1.5) or a folder
 * @param textDim E, the encoder's embedding width
 * @param behaviourDim D, the CRM's behaviour-vector width
 * @param historyLength K, the most recent history items used
 * @param ratingCenter ratings are normalised as (r - center) / scale; implicit feedback (0) is 1
 * @param ratingScale see ratingCenter
 * @param crmClip the CRM probability is clipped to [clip, 1 - clip] before its logit is taken
 * @param version the scorer's version (a digest of its weights)
 * @param details free-form record of the training
 */
public record ScorerSettings(
        String encoder, int textDim, int behaviourDim, int historyLength, float ratingCenter, float ratingScale,
        float crmClip, String version, Map<String, Object> details) {

    public static final String FORMAT = "duet-scorer/1";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public ScorerSettings {
        if (encoder == null || encoder.isBlank()) {
            throw new IllegalArgumentException("scorer settings need an encoder");
        }
        if (textDim < 1 || behaviourDim < 1 || historyLength < 1) {
            throw new IllegalArgumentException("scorer widths must be positive: text " + textDim + ", behaviour "
                    + behaviourDim + ", history " + historyLength);
        }
        if (!(ratingScale > 0) || !(crmClip > 0 && crmClip < 0.5f)) {
            throw new IllegalArgumentException("rating scale must be positive and the CRM clip in (0, 0.5)");
        }
        details = details == null ? Map.of() : details;
        version = version == null ? "unversioned" : version;
    }

    /** The rating as the scorer sees it: normalised; implicit feedback (rating 0 or less) is 1. */
    public float normalizeRating(float rating) {
        return rating <= 0f ? 1f : (rating - ratingCenter) / ratingScale;
    }

    /** logit of the clipped CRM probability. */
    public float crmLogit(float probability) {
        double p = Math.min(1 - crmClip, Math.max(crmClip, probability));
        return (float) Math.log(p / (1 - p));
    }

    public ScorerSettings withVersion(String v, Map<String, Object> d) {
        return new ScorerSettings(encoder, textDim, behaviourDim, historyLength, ratingCenter, ratingScale, crmClip, v, d);
    }

    public void write(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("encoder", encoder);
        root.put("text_dim", textDim);
        root.put("behaviour_dim", behaviourDim);
        root.put("history_length", historyLength);
        root.put("rating_center", ratingCenter);
        root.put("rating_scale", ratingScale);
        root.put("crm_clip", crmClip);
        root.put("version", version);
        root.set("details", JSON.valueToTree(details));
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        JSON.writeValue(file.toFile(), root);
    }

    /** Reads a settings file; a missing or wrong field is an error naming the file and the field. */
    @SuppressWarnings("unchecked")
    public static ScorerSettings read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("scorer settings not found: " + file.toAbsolutePath()
                    + " (train one with ./duet train-llm)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + " is not valid JSON: " + e.getMessage(), e);
        }
        if (!FORMAT.equals(root.path("format").asText())) {
            throw new IllegalArgumentException(file + ": not a scorer settings file (format must be '" + FORMAT + "')");
        }
        Map<String, Object> details = root.has("details") ? JSON.convertValue(root.get("details"), Map.class) : Map.of();
        return new ScorerSettings(text(root, "encoder", file), (int) number(root, "text_dim", file),
                (int) number(root, "behaviour_dim", file), (int) number(root, "history_length", file),
                (float) number(root, "rating_center", file), (float) number(root, "rating_scale", file),
                (float) number(root, "crm_clip", file), root.path("version").asText("unversioned"), details);
    }

    private static double number(JsonNode n, String field, Path file) {
        if (!n.path(field).isNumber()) {
            throw new IllegalArgumentException(file + ": scorer settings need a number '" + field + "'");
        }
        return n.get(field).asDouble();
    }

    private static String text(JsonNode n, String field, Path file) {
        if (!n.path(field).isTextual() || n.get(field).asText().isBlank()) {
            throw new IllegalArgumentException(file + ": scorer settings need a text '" + field + "'");
        }
        return n.get(field).asText();
    }
}
