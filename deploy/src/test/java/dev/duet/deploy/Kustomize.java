package dev.duet.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds a kustomization the way {@code kustomize build} does, for the features deploy/k8s uses:
 * {@code resources} (files and directories), {@code namespace}, {@code labels} (metadata only),
 * {@code images} (containers and initContainers anywhere, plus the {@code configurations} field
 * specs, inherited by overlays), and {@code patches} (strategic merge by file or inline, and JSON
 * 6902 with add, remove, replace and test, selected by group, kind and name). No kustomize binary
 * is published on Maven Central, and nothing here may need a cluster.
 *
 * <p>Strategic merge follows Kubernetes: built-in kinds merge the lists that have a merge key
 * (containers, volumes, env, ports, ...) element by element; custom resources have no schema here,
 * so, as in kustomize, their patches are JSON merge patches that replace lists whole. A
 * {@code null} deletes a field. Anything unsupported fails loudly rather than being ignored.
 */
final class Kustomize {

    /** Kinds whose lists are merged by key; everything else is treated as a custom resource. */
    private static final Set<String> BUILT_IN_GROUPS = Set.of("", "apps", "batch", "policy", "autoscaling",
            "networking.k8s.io", "rbac.authorization.k8s.io");

    /** List fields of built-in kinds merged by key in strategic merge patches. */
    private static final Map<String, String> MERGE_KEYS = Map.of(
            "containers", "name",
            "initContainers", "name",
            "volumes", "name",
            "env", "name",
            "volumeMounts", "mountPath",
            "ports", "containerPort",
            "imagePullSecrets", "name");

    private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "resources", "namespace", "labels",
            "images", "patches", "configurations");

    record ImageField(String kind, List<String> path) {}

    static final class Result {
        final List<Map<String, Object>> resources = new ArrayList<>();
        final List<ImageField> imageFields = new ArrayList<>();
    }

    private Kustomize() {}

    /** The resources {@code kustomize build dir} would print, in order. */
    static List<Map<String, Object>> build(Path dir) {
        return accumulate(dir).resources;
    }

    @SuppressWarnings("unchecked")
    private static Result accumulate(Path dir) {
        Path file = dir.resolve("kustomization.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no kustomization.yaml in " + dir);
        }
        Map<String, Object> k = Yamls.loadOne(file);
        for (String key : k.keySet()) {
            if (!SUPPORTED.contains(key)) {
                throw new IllegalArgumentException(file + ": field '" + key + "' is not supported by this resolver");
            }
        }
        Result result = new Result();
        for (Object c : list(k.get("configurations"))) {
            Map<String, Object> config = Yamls.loadOne(dir.resolve((String) c));
            for (Object spec : list(config.get("images"))) {
                Map<String, Object> s = (Map<String, Object>) spec;
                result.imageFields.add(new ImageField((String) s.get("kind"), List.of(((String) s.get("path")).split("/"))));
            }
        }
        for (Object r : list(k.get("resources"))) {
            Path p = dir.resolve((String) r).normalize();
            if (Files.isDirectory(p)) {
                Result sub = accumulate(p);
                result.resources.addAll(sub.resources);
                result.imageFields.addAll(sub.imageFields);
            } else {
                for (Map<String, Object> doc : Yamls.loadAll(p)) {
                    result.resources.add(doc);
                }
            }
        }
        checkUniqueIds(result.resources, file);
        for (Object p : list(k.get("patches"))) {
            applyPatch(dir, result.resources, (Map<String, Object>) p, file);
        }
        if (k.get("namespace") != null) {
            for (Map<String, Object> r : result.resources) {
                metadata(r).put("namespace", k.get("namespace"));
            }
        }
        for (Object l : list(k.get("labels"))) {
            Map<String, Object> spec = (Map<String, Object>) l;
            if (Boolean.TRUE.equals(spec.get("includeSelectors")) || Boolean.TRUE.equals(spec.get("includeTemplates"))) {
                throw new IllegalArgumentException(file + ": labels into selectors or templates are not supported");
            }
            for (Map<String, Object> r : result.resources) {
                Map<String, Object> labels = (Map<String, Object>) metadata(r).computeIfAbsent("labels", x -> new LinkedHashMap<>());
                labels.putAll((Map<String, Object>) spec.get("pairs"));
            }
        }
        for (Object i : list(k.get("images"))) {
            Map<String, Object> image = (Map<String, Object>) i;
            for (Map<String, Object> r : result.resources) {
                retagContainers(r, image);
                for (ImageField f : result.imageFields) {
                    if (f.kind().equals(r.get("kind"))) {
                        retagField(r, f.path(), image);
                    }
                }
            }
        }
        return result;
    }

    private static void checkUniqueIds(List<Map<String, Object>> resources, Path file) {
        Set<String> seen = new java.util.HashSet<>();
        for (Map<String, Object> r : resources) {
            String id = r.get("apiVersion") + "/" + r.get("kind") + "/" + metadata(r).get("namespace") + "/" + metadata(r).get("name");
            if (!seen.add(id)) {
                throw new IllegalArgumentException(file + ": resource " + id + " appears twice");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void applyPatch(Path dir, List<Map<String, Object>> resources, Map<String, Object> spec, Path file) {
        Object body;
        String where;
        if (spec.get("path") != null) {
            Path p = dir.resolve((String) spec.get("path"));
            body = Yamls.loadRaw(p);
            where = p.toString();
        } else if (spec.get("patch") != null) {
            body = Yamls.parseRaw((String) spec.get("patch"));
            where = file + " (inline patch)";
        } else {
            throw new IllegalArgumentException(file + ": a patch needs path or patch");
        }
        Map<String, Object> target = (Map<String, Object>) spec.get("target");
        if (body instanceof List<?> ops) {
            if (target == null) {
                throw new IllegalArgumentException(where + ": a JSON patch needs a target");
            }
            List<Map<String, Object>> matched = select(resources, target);
            if (matched.isEmpty()) {
                throw new IllegalArgumentException(where + ": target " + target + " matches no resource");
            }
            for (Map<String, Object> r : matched) {
                JsonPatch.apply(r, (List<Map<String, Object>>) ops, where);
            }
            return;
        }
        Map<String, Object> patch = (Map<String, Object>) body;
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("kind", patch.get("kind"));
        key.put("name", metadata(patch).get("name"));
        List<Map<String, Object>> matched = select(resources, target != null ? target : key);
        if (matched.size() != 1 && target == null) {
            throw new IllegalArgumentException(where + ": patch of " + key + " matches " + matched.size() + " resources");
        }
        for (Map<String, Object> r : matched) {
            boolean builtIn = BUILT_IN_GROUPS.contains(group(r));
            Map<String, Object> body2 = new LinkedHashMap<>(patch);
            body2.remove("apiVersion");
            body2.remove("kind");
            Map<String, Object> meta = new LinkedHashMap<>(metadata(patch));
            meta.remove("name");
            body2.put("metadata", meta);
            merge(r, body2, builtIn);
        }
    }

    @SuppressWarnings("unchecked")
    static void merge(Map<String, Object> into, Map<String, Object> patch, boolean strategic) {
        for (Map.Entry<String, Object> e : patch.entrySet()) {
            String field = e.getKey();
            Object value = e.getValue();
            if (value == null) {
                into.remove(field);
            } else if (value instanceof Map<?, ?> m && into.get(field) instanceof Map<?, ?> existing) {
                merge((Map<String, Object>) existing, (Map<String, Object>) m, strategic);
            } else if (strategic && value instanceof List<?> l && into.get(field) instanceof List<?> existing
                    && MERGE_KEYS.containsKey(field)) {
                into.put(field, mergeList((List<Object>) existing, (List<Object>) l, MERGE_KEYS.get(field)));
            } else {
                into.put(field, Yamls.copy(value));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> mergeList(List<Object> existing, List<Object> patch, String key) {
        List<Object> out = new ArrayList<>(existing);
        for (Object p : patch) {
            Map<String, Object> pm = (Map<String, Object>) p;
            Object k = pm.get(key);
            Map<String, Object> match = null;
            for (Object o : out) {
                if (Objects.equals(((Map<String, Object>) o).get(key), k)) {
                    match = (Map<String, Object>) o;
                }
            }
            if ("delete".equals(pm.get("$patch"))) {
                out.remove(match);
            } else if (match != null) {
                merge(match, pm, true);
            } else {
                out.add(Yamls.copy(pm));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> select(List<Map<String, Object>> resources, Map<String, Object> target) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> r : resources) {
            if (target.get("kind") != null && !target.get("kind").equals(r.get("kind"))) {
                continue;
            }
            if (target.get("name") != null && !target.get("name").equals(metadata(r).get("name"))) {
                continue;
            }
            if (target.get("group") != null && !target.get("group").equals(group(r))) {
                continue;
            }
            for (String unsupported : List.of("labelSelector", "annotationSelector", "version", "namespace")) {
                if (target.get(unsupported) != null) {
                    throw new IllegalArgumentException("patch target field '" + unsupported + "' is not supported");
                }
            }
            out.add(r);
        }
        return out;
    }

    static String group(Map<String, Object> r) {
        String apiVersion = (String) r.get("apiVersion");
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> metadata(Map<String, Object> r) {
        return (Map<String, Object>) r.computeIfAbsent("metadata", x -> new LinkedHashMap<>());
    }

    @SuppressWarnings("unchecked")
    private static void retagContainers(Object node, Map<String, Object> image) {
        if (node instanceof Map<?, ?> m) {
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                if ((e.getKey().equals("containers") || e.getKey().equals("initContainers")) && e.getValue() instanceof List<?> l) {
                    for (Object c : l) {
                        Map<String, Object> container = (Map<String, Object>) c;
                        if (container.get("image") instanceof String s) {
                            container.put("image", retag(s, image));
                        }
                    }
                } else {
                    retagContainers(e.getValue(), image);
                }
            }
        } else if (node instanceof List<?> l) {
            for (Object o : l) {
                retagContainers(o, image);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void retagField(Map<String, Object> r, List<String> path, Map<String, Object> image) {
        Map<String, Object> node = r;
        for (int i = 0; i < path.size() - 1; i++) {
            if (!(node.get(path.get(i)) instanceof Map<?, ?> next)) {
                return;
            }
            node = (Map<String, Object>) next;
        }
        String last = path.get(path.size() - 1);
        if (node.get(last) instanceof String s) {
            node.put(last, retag(s, image));
        }
    }

    /** kustomize's images rule: match the name without tag or digest; replace name and/or tag. */
    static String retag(String ref, Map<String, Object> image) {
        int at = ref.indexOf('@');
        String nameTag = at < 0 ? ref : ref.substring(0, at);
        int colon = nameTag.lastIndexOf(':');
        int slash = nameTag.lastIndexOf('/');
        String name = colon > slash ? nameTag.substring(0, colon) : nameTag;
        String tag = colon > slash ? nameTag.substring(colon + 1) : null;
        if (!name.equals(image.get("name"))) {
            return ref;
        }
        String newName = image.get("newName") != null ? (String) image.get("newName") : name;
        String newTag = image.get("newTag") != null ? String.valueOf(image.get("newTag")) : tag;
        if (image.get("digest") != null) {
            return newName + "@" + image.get("digest");
        }
        return newTag == null ? newName : newName + ":" + newTag;
    }

    static List<?> list(Object o) {
        return o == null ? List.of() : (List<?>) o;
    }

    /** Reads a kustomization directory or fails with the file that is wrong. */
    static Map<String, Object> kustomization(Path dir) throws IOException {
        return Yamls.loadOne(dir.resolve("kustomization.yaml"));
    }
}
