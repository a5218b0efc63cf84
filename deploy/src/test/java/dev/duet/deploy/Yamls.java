package dev.duet.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** YAML reading for the checks: duplicate keys are errors (kubectl rejects them too). */
final class Yamls {

    private Yamls() {}

    static Yaml parser() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return new Yaml(options);
    }

    static Object loadRaw(Path file) {
        try {
            return parser().load(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    static Object parseRaw(String text) {
        return parser().load(text);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> loadOne(Path file) {
        Object o = loadRaw(file);
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException(file + ": expected one YAML mapping");
        }
        return (Map<String, Object>) o;
    }

    /** Every non-empty document of a multi-document file. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> loadAll(Path file) {
        List<Map<String, Object>> docs = new ArrayList<>();
        try {
            for (Object o : parser().loadAll(Files.readString(file))) {
                if (o == null) {
                    continue;
                }
                if (!(o instanceof Map)) {
                    throw new IllegalArgumentException(file + ": a document is not a mapping");
                }
                docs.add((Map<String, Object>) o);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (org.yaml.snakeyaml.error.YAMLException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        return docs;
    }

    /** A deep copy, so that patches never alias a base's objects. */
    @SuppressWarnings("unchecked")
    static <T> T copy(T value) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put((String) k, copy(v)));
            return (T) out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(v -> out.add(copy(v)));
            return (T) out;
        }
        return value;
    }

    /** Follows a path of map keys and list indexes; fails naming the missing step. */
    @SuppressWarnings("unchecked")
    static <T> T at(Object node, Object... path) {
        Object cur = node;
        for (Object step : path) {
            if (step instanceof Integer i && cur instanceof List<?> l && i < l.size()) {
                cur = l.get(i);
            } else if (cur instanceof Map<?, ?> m && m.containsKey(step)) {
                cur = m.get(step);
            } else {
                throw new AssertionError("no '" + step + "' in path " + java.util.Arrays.toString(path));
            }
        }
        return (T) cur;
    }
}
