package dev.duet.deploy;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** RFC 6902 add, remove, replace and test on parsed YAML, as kustomize's JSON patches apply them. */
final class JsonPatch {

    private JsonPatch() {}

    @SuppressWarnings("unchecked")
    static void apply(Map<String, Object> doc, List<Map<String, Object>> ops, String where) {
        for (Map<String, Object> op : ops) {
            String kind = (String) op.get("op");
            String path = (String) op.get("path");
            String[] parts = path.substring(1).split("/", -1);
            Object parent = doc;
            for (int i = 0; i < parts.length - 1; i++) {
                parent = child(parent, unescape(parts[i]), where, path);
            }
            String last = unescape(parts[parts.length - 1]);
            Object value = Yamls.copy(op.get("value"));
            switch (kind) {
                case "test" -> {
                    Object actual = child(parent, last, where, path);
                    if (!Objects.equals(String.valueOf(actual), String.valueOf(value))) {
                        throw new IllegalArgumentException(where + ": test of " + path + " failed: expected '" + value + "', found '" + actual + "'");
                    }
                }
                case "replace" -> {
                    child(parent, last, where, path); // must exist
                    set(parent, last, value, false);
                }
                case "add" -> set(parent, last, value, true);
                case "remove" -> {
                    child(parent, last, where, path);
                    if (parent instanceof Map<?, ?> m) {
                        ((Map<String, Object>) m).remove(last);
                    } else {
                        ((List<Object>) parent).remove(Integer.parseInt(last));
                    }
                }
                default -> throw new IllegalArgumentException(where + ": op '" + kind + "' is not supported");
            }
        }
    }

    private static String unescape(String token) {
        return token.replace("~1", "/").replace("~0", "~");
    }

    private static Object child(Object node, String key, String where, String path) {
        Object c = null;
        if (node instanceof Map<?, ?> m) {
            c = m.get(key);
        } else if (node instanceof List<?> l && key.matches("\\d+") && Integer.parseInt(key) < l.size()) {
            c = l.get(Integer.parseInt(key));
        }
        if (c == null) {
            throw new IllegalArgumentException(where + ": path " + path + " does not exist (at '" + key + "')");
        }
        return c;
    }

    @SuppressWarnings("unchecked")
    private static void set(Object parent, String key, Object value, boolean insert) {
        if (parent instanceof Map<?, ?> m) {
            ((Map<String, Object>) m).put(key, value);
        } else {
            List<Object> l = (List<Object>) parent;
            if (key.equals("-")) {
                l.add(value);
            } else if (insert) {
                l.add(Integer.parseInt(key), value);
            } else {
                l.set(Integer.parseInt(key), value);
            }
        }
    }
}
