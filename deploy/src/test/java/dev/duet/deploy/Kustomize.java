package dev.duet.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds a kustomization the way {@code kustomize build} does, for the features deploy/k8s uses:
 * {@code resources} (files and directories), {@code components} (kind Component: resources,
 * generators and patches applied to what the including kustomization has accumulated, before its
 * own patches), {@code configMapGenerator} ({@code files} and {@code literals}, with kustomize's
 * content hash suffix on the name and the references to it renamed: ConfigMap volumes, env and
 * envFrom of pod templates, plus {@code nameReference} field specs from {@code configurations}),
 * {@code namespace}, {@code labels} (metadata only), {@code images} (containers and initContainers
 * anywhere, plus the {@code configurations} field specs, inherited by overlays), and
 * {@code patches} (strategic merge by file or inline, and JSON 6902 with add, remove, replace and
 * test, selected by group, kind and name). No kustomize binary is published on Maven Central, and
 * nothing here may need a cluster.
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

    private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "resources", "components", "namespace",
            "labels", "images", "patches", "configurations", "configMapGenerator");

    private static final String COMPONENT_API = "kustomize.config.k8s.io/v1alpha1";

    /** Where pod templates keep their pod spec, by kind (kustomize's built-in name references). */
    private static final Map<String, List<String>> POD_SPECS = Map.of(
            "Pod", List.of("spec"),
            "Deployment", List.of("spec", "template", "spec"),
            "StatefulSet", List.of("spec", "template", "spec"),
            "DaemonSet", List.of("spec", "template", "spec"),
            "ReplicaSet", List.of("spec", "template", "spec"),
            "Job", List.of("spec", "template", "spec"),
            "CronJob", List.of("spec", "jobTemplate", "spec", "template", "spec"));

    /** Fields of a pod spec that name a ConfigMap. */
    private static final List<List<String>> CONFIG_MAP_REFS_IN_POD_SPEC = List.of(
            List.of("volumes", "configMap", "name"),
            List.of("volumes", "projected", "sources", "configMap", "name"),
            List.of("containers", "env", "valueFrom", "configMapKeyRef", "name"),
            List.of("containers", "envFrom", "configMapRef", "name"),
            List.of("initContainers", "env", "valueFrom", "configMapKeyRef", "name"),
            List.of("initContainers", "envFrom", "configMapRef", "name"));

    record ImageField(String kind, List<String> path) {}

    /** A field of {@code kind} at {@code path} that names a ConfigMap. */
    record NameReference(String kind, List<String> path) {}

    static final class Result {
        final List<Map<String, Object>> resources = new ArrayList<>();
        final List<ImageField> imageFields = new ArrayList<>();
        final List<NameReference> configMapReferences = new ArrayList<>();
        /** Generated resources, by identity: they get the content hash suffix at the end. */
        final Set<Map<String, Object>> generated = Collections.newSetFromMap(new IdentityHashMap<>());

        void addAll(Result sub) {
            resources.addAll(sub.resources);
            imageFields.addAll(sub.imageFields);
            configMapReferences.addAll(sub.configMapReferences);
            generated.addAll(sub.generated);
        }
    }

    private Kustomize() {}

    /** The resources {@code kustomize build dir} would print, in order. */
    static List<Map<String, Object>> build(Path dir) {
        Result result = new Result();
        accumulate(dir, result, false);
        addHashSuffixes(result);
        return result.resources;
    }

    /**
     * Adds what {@code dir} describes to {@code into}: a kustomization (its own result, then added)
     * or, with {@code component}, a Component, whose generators and patches act on everything
     * {@code into} holds already.
     */
    @SuppressWarnings("unchecked")
    private static void accumulate(Path dir, Result into, boolean component) {
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
        boolean isComponent = "Component".equals(k.get("kind"));
        if (isComponent != component) {
            throw new IllegalArgumentException(file + (component
                    ? ": listed under components but its kind is not Component"
                    : ": a Component can only be listed under components, not resources"));
        }
        if (isComponent && !COMPONENT_API.equals(k.get("apiVersion"))) {
            throw new IllegalArgumentException(file + ": a Component's apiVersion is " + COMPONENT_API);
        }
        if (isComponent && k.get("namespace") != null) {
            throw new IllegalArgumentException(file + ": namespace in a Component is not supported by this resolver");
        }
        Result result = component ? into : new Result();
        for (Object c : list(k.get("configurations"))) {
            Map<String, Object> config = Yamls.loadOne(dir.resolve((String) c));
            for (String key : config.keySet()) {
                if (!key.equals("images") && !key.equals("nameReference")) {
                    throw new IllegalArgumentException(dir.resolve((String) c) + ": configuration '" + key
                            + "' is not supported by this resolver");
                }
            }
            for (Object spec : list(config.get("images"))) {
                Map<String, Object> s = (Map<String, Object>) spec;
                result.imageFields.add(new ImageField((String) s.get("kind"), List.of(((String) s.get("path")).split("/"))));
            }
            for (Object ref : list(config.get("nameReference"))) {
                Map<String, Object> r = (Map<String, Object>) ref;
                if (!"ConfigMap".equals(r.get("kind"))) {
                    throw new IllegalArgumentException(dir.resolve((String) c) + ": name references to "
                            + r.get("kind") + " are not supported by this resolver (only ConfigMap)");
                }
                for (Object spec : list(r.get("fieldSpecs"))) {
                    Map<String, Object> s = (Map<String, Object>) spec;
                    result.configMapReferences.add(new NameReference((String) s.get("kind"),
                            List.of(((String) s.get("path")).split("/"))));
                }
            }
        }
        for (Object r : list(k.get("resources"))) {
            Path p = dir.resolve((String) r).normalize();
            if (Files.isDirectory(p)) {
                accumulate(p, result, false);
            } else {
                for (Map<String, Object> doc : Yamls.loadAll(p)) {
                    result.resources.add(doc);
                }
            }
        }
        for (Object c : list(k.get("components"))) {
            Path p = dir.resolve((String) c).normalize();
            if (!Files.isDirectory(p)) {
                throw new IllegalArgumentException(file + ": component " + c + " is not a directory");
            }
            accumulate(p, result, true);
        }
        for (Object g : list(k.get("configMapGenerator"))) {
            Map<String, Object> cm = generateConfigMap(dir, (Map<String, Object>) g, file);
            result.resources.add(cm);
            if (!Boolean.TRUE.equals(at(g, "options", "disableNameSuffixHash"))) {
                result.generated.add(cm);
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
        if (!component) {
            into.addAll(result);
        }
    }

    /** A ConfigMap from a configMapGenerator entry: {@code files} ([key=]path) and {@code literals} (key=value). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> generateConfigMap(Path dir, Map<String, Object> spec, Path file) {
        for (String key : spec.keySet()) {
            if (!List.of("name", "files", "literals", "options").contains(key)) {
                throw new IllegalArgumentException(file + ": configMapGenerator field '" + key + "' is not supported by this resolver");
            }
        }
        Object options = spec.get("options");
        if (options != null && !((Map<String, Object>) options).keySet().equals(Set.of("disableNameSuffixHash"))) {
            throw new IllegalArgumentException(file + ": configMapGenerator options other than disableNameSuffixHash are not supported");
        }
        String name = (String) spec.get("name");
        if (name == null) {
            throw new IllegalArgumentException(file + ": a configMapGenerator entry needs a name");
        }
        Map<String, Object> data = new TreeMap<>();
        for (Object f : list(spec.get("files"))) {
            String entry = (String) f;
            int eq = entry.indexOf('=');
            String path = eq < 0 ? entry : entry.substring(eq + 1);
            Path source = dir.resolve(path).normalize();
            // kustomize's loader refuses files outside the kustomization's folder.
            if (!source.startsWith(dir.normalize())) {
                throw new IllegalArgumentException(file + ": file " + path + " is not in or below " + dir);
            }
            String key = eq < 0 ? source.getFileName().toString() : entry.substring(0, eq);
            putOnce(data, key, readUtf8(source), file);
        }
        for (Object l : list(spec.get("literals"))) {
            String entry = (String) l;
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(file + ": literal '" + entry + "' is not KEY=VALUE");
            }
            putOnce(data, entry.substring(0, eq), entry.substring(eq + 1), file);
        }
        Map<String, Object> cm = new LinkedHashMap<>();
        cm.put("apiVersion", "v1");
        cm.put("kind", "ConfigMap");
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("name", name);
        cm.put("metadata", meta);
        cm.put("data", new LinkedHashMap<>(data));
        return cm;
    }

    private static void putOnce(Map<String, Object> data, String key, String value, Path file) {
        if (!key.matches("[-._a-zA-Z0-9]+")) {
            throw new IllegalArgumentException(file + ": '" + key + "' is not a valid ConfigMap key");
        }
        if (data.put(key, value) != null) {
            throw new IllegalArgumentException(file + ": ConfigMap key '" + key + "' appears twice");
        }
    }

    private static String readUtf8(Path source) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(source)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(source + ": not UTF-8 (binaryData is not supported by this resolver)", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * kustomize's last step: generated ConfigMaps get the hash of their content as a name suffix,
     * and every field that names one of them (in the same namespace) follows.
     */
    @SuppressWarnings("unchecked")
    private static void addHashSuffixes(Result result) {
        for (Map<String, Object> cm : result.generated) {
            Map<String, Object> meta = metadata(cm);
            String oldName = (String) meta.get("name");
            String newName = oldName + "-" + configMapHash((Map<String, Object>) cm.get("data"));
            meta.put("name", newName);
            for (Map<String, Object> r : result.resources) {
                if (!Objects.equals(metadata(r).get("namespace"), meta.get("namespace"))) {
                    continue;
                }
                List<String> podSpec = POD_SPECS.get((String) r.get("kind"));
                if (podSpec != null && BUILT_IN_GROUPS.contains(group(r))) {
                    for (List<String> ref : CONFIG_MAP_REFS_IN_POD_SPEC) {
                        List<String> path = new ArrayList<>(podSpec);
                        path.addAll(ref);
                        rename(r, path, oldName, newName);
                    }
                }
                for (NameReference ref : result.configMapReferences) {
                    if (ref.kind().equals(r.get("kind"))) {
                        rename(r, ref.path(), oldName, newName);
                    }
                }
            }
        }
    }

    /** Follows {@code path} through maps and, element by element, lists; replaces {@code from} at its end. */
    @SuppressWarnings("unchecked")
    private static void rename(Object node, List<String> path, String from, String to) {
        if (node instanceof List<?> l) {
            for (Object o : l) {
                rename(o, path, from, to);
            }
        } else if (node instanceof Map<?, ?> m && !path.isEmpty()) {
            Map<String, Object> map = (Map<String, Object>) m;
            if (path.size() == 1) {
                if (from.equals(map.get(path.get(0)))) {
                    map.put(path.get(0), to);
                }
            } else {
                rename(map.get(path.get(0)), path.subList(1, path.size()), from, to);
            }
        }
    }

    /**
     * kustomize's ConfigMap hash (api/hasher): SHA-256 of Go's JSON encoding of kind, name and data
     * (keys sorted), its first ten hex digits with 0, 1, 3, a and e replaced by g, h, k, m and t.
     * The name is always empty there (kustomize looks it up as one field called "metadata/name",
     * which no ConfigMap has), so only the data counts; the pinned hashes in KustomizeTest come
     * from kustomize 5.5 itself.
     */
    static String configMapHash(Map<String, Object> data) {
        StringBuilder json = new StringBuilder("{\"data\":{");
        String sep = "";
        for (Map.Entry<String, Object> e : new TreeMap<>(data).entrySet()) {
            json.append(sep).append(goJsonString(e.getKey())).append(':').append(goJsonString(String.valueOf(e.getValue())));
            sep = ",";
        }
        json.append("},\"kind\":\"ConfigMap\",\"name\":\"\"}");
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(json.toString().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        char[] hex = HexFormat.of().formatHex(digest).substring(0, 10).toCharArray();
        for (int i = 0; i < hex.length; i++) {
            hex[i] = switch (hex[i]) {
                case '0' -> 'g';
                case '1' -> 'h';
                case '3' -> 'k';
                case 'a' -> 'm';
                case 'e' -> 't';
                default -> hex[i];
            };
        }
        return new String(hex);
    }

    /** A string as Go's encoding/json writes it (HTML-safe escaping, as json.Marshal does). */
    static String goJsonString(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static Object at(Object node, String... path) {
        Object cur = node;
        for (String step : path) {
            if (!(cur instanceof Map<?, ?> m)) {
                return null;
            }
            cur = m.get(step);
        }
        return cur;
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
