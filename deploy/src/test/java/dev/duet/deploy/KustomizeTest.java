package dev.duet.deploy;

import static dev.duet.deploy.Yamls.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every YAML file parses, no Secret lives in the repository, and the kustomize resolver behaves like kustomize. */
class KustomizeTest {

    @Test
    void everyYamlFileUnderDockerAndDeployParses() throws IOException {
        int files = 0;
        for (Path dir : List.of(Repo.docker(), Repo.k8s())) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).toList()) {
                    int docs = 0;
                    for (Object doc : Yamls.parser().loadAll(Files.readString(p))) {
                        docs += doc == null ? 0 : 1;
                    }
                    assertThat(docs).as("documents in %s", p).isPositive();
                    files++;
                }
            }
        }
        assertThat(files).isGreaterThanOrEqualTo(20);
    }

    @Test
    void noSecretIsKeptInTheRepository() throws IOException {
        for (Path dir : List.of(Repo.docker(), Repo.k8s())) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.filter(Files::isRegularFile).toList()) {
                    String text = Files.readString(p);
                    assertThat(text).as("%s", p).doesNotContainPattern("(?m)^kind:\\s*Secret\\s*$")
                            .doesNotContain("BEGIN PRIVATE KEY").doesNotContain("BEGIN CERTIFICATE");
                    assertThat(p.getFileName().toString()).doesNotEndWith(".pem").doesNotEndWith(".key");
                }
            }
        }
    }

    @Test
    void strategicMergeMergesContainersByNameButCustomResourcesReplaceLists(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), """
                resources: [r.yaml]
                namespace: ns
                images:
                  - name: app
                    newName: registry.example/app
                    newTag: "2"
                patches:
                  - path: p1.yaml
                  - path: p2.yaml
                """);
        Files.writeString(dir.resolve("r.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
                spec:
                  template:
                    spec:
                      containers:
                        - {name: a, image: app:1, args: [x, y]}
                        - {name: b, image: other:1}
                ---
                apiVersion: example.com/v1
                kind: Thing
                metadata: {name: t}
                spec:
                  items: [{name: a, v: 1}, {name: b, v: 2}]
                """);
        Files.writeString(dir.resolve("p1.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
                spec:
                  template:
                    spec:
                      containers:
                        - {name: a, args: [z]}
                """);
        Files.writeString(dir.resolve("p2.yaml"), """
                apiVersion: example.com/v1
                kind: Thing
                metadata: {name: t}
                spec:
                  items: [{name: b, v: 3}]
                """);
        List<Map<String, Object>> out = Kustomize.build(dir);
        List<Map<String, Object>> containers = at(out.get(0), "spec", "template", "spec", "containers");
        assertThat(containers).hasSize(2);
        assertThat(containers.get(0)).containsEntry("args", List.of("z")).containsEntry("image", "registry.example/app:2");
        assertThat(containers.get(1)).containsEntry("image", "other:1");
        assertThat((List<?>) at(out.get(1), "spec", "items")).hasSize(1);
        assertThat(out).allSatisfy(r -> assertThat(at(r, "metadata", "namespace").toString()).isEqualTo("ns"));
    }

    @Test
    void jsonPatchTestOpStopsAPatchOfTheWrongElement(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), """
                resources: [r.yaml]
                patches:
                  - target: {kind: Thing}
                    patch: |-
                      - op: test
                        path: /spec/args/0
                        value: --a
                      - op: replace
                        path: /spec/args/1
                        value: "2"
                """);
        Files.writeString(dir.resolve("r.yaml"), """
                apiVersion: example.com/v1
                kind: Thing
                metadata: {name: t}
                spec: {args: [--b, "1"]}
                """);
        assertThatThrownBy(() -> Kustomize.build(dir)).hasMessageContaining("test of /spec/args/0 failed");
    }

    /**
     * A Component's generators and patches act on what the including kustomization accumulated,
     * before that kustomization's own patches; a generated ConfigMap gets kustomize's hash suffix and
     * every reference follows it, built-in pod templates and configured custom fields alike. The
     * expected output is kustomize 5.5's own for these files.
     */
    @Test
    void componentsGeneratorsAndNameReferencesActAsInKustomize(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("comp"));
        Files.writeString(dir.resolve("kustomization.yaml"), """
                resources: [r.yaml]
                namespace: ns
                components: [comp]
                patches:
                  - target: {kind: Thing}
                    patch: |-
                      - op: test
                        path: /spec/args/2
                        value: --from-component
                      - op: add
                        path: /spec/args/-
                        value: --from-overlay
                """);
        Files.writeString(dir.resolve("r.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
                spec:
                  template:
                    spec:
                      containers:
                        - name: a
                          image: app:1
                          env:
                            - name: X
                              valueFrom: {configMapKeyRef: {name: settings, key: k}}
                      volumes:
                        - {name: v, configMap: {name: settings}}
                        - {name: other, configMap: {name: not-generated}}
                ---
                apiVersion: example.com/v1
                kind: Thing
                metadata: {name: t}
                spec:
                  args: [--a, "1"]
                  pod: {volumes: [{name: v, configMap: {name: settings}}]}
                """);
        Files.writeString(dir.resolve("comp/kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1alpha1
                kind: Component
                configMapGenerator:
                  - name: settings
                    literals: [k=v]
                configurations: [config.yaml]
                patches:
                  - target: {kind: Thing}
                    patch: |-
                      - op: add
                        path: /spec/args/-
                        value: --from-component
                """);
        Files.writeString(dir.resolve("comp/config.yaml"), """
                nameReference:
                  - kind: ConfigMap
                    version: v1
                    fieldSpecs:
                      - {kind: Thing, path: spec/pod/volumes/configMap/name}
                """);
        List<Map<String, Object>> out = Kustomize.build(dir);
        assertThat(out).extracting(r -> r.get("kind") + "/" + Kustomize.metadata(r).get("name"))
                .containsExactlyInAnyOrder("ConfigMap/settings-bdg947hgcc", "Deployment/d", "Thing/t");
        Map<String, Object> cm = out.stream().filter(r -> "ConfigMap".equals(r.get("kind"))).findFirst().orElseThrow();
        assertThat(cm).containsEntry("data", Map.of("k", "v"));
        assertThat(at(cm, "metadata", "namespace").toString()).isEqualTo("ns");
        Map<String, Object> d = out.stream().filter(r -> "Deployment".equals(r.get("kind"))).findFirst().orElseThrow();
        assertThat(at(d, "spec", "template", "spec", "volumes", 0, "configMap", "name").toString()).isEqualTo("settings-bdg947hgcc");
        assertThat(at(d, "spec", "template", "spec", "volumes", 1, "configMap", "name").toString()).isEqualTo("not-generated");
        assertThat(at(d, "spec", "template", "spec", "containers", 0, "env", 0, "valueFrom", "configMapKeyRef", "name")
                .toString()).isEqualTo("settings-bdg947hgcc");
        Map<String, Object> t = out.stream().filter(r -> "Thing".equals(r.get("kind"))).findFirst().orElseThrow();
        assertThat(at(t, "spec", "pod", "volumes", 0, "configMap", "name").toString()).isEqualTo("settings-bdg947hgcc");
        assertThat((List<Object>) at(t, "spec", "args")).containsExactly("--a", "1", "--from-component", "--from-overlay");
    }

    /** The hash covers the data only, escaped as Go's JSON escapes it; values pinned from kustomize 5.5. */
    @Test
    void configMapHashIsKustomizesOwn(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("app.properties"), "a=1\n");
        Files.writeString(dir.resolve("v.yaml"), "x: <&> \"q\" \\ \u00e9\tand a tab\n");
        Files.writeString(dir.resolve("kustomization.yaml"), """
                configMapGenerator:
                  - name: plain
                    literals:
                      - a=b
                  - name: mixed
                    files:
                      - app.properties
                      - values=v.yaml
                    literals:
                      - z=last
                  - name: fixed
                    literals: [a=b]
                    options: {disableNameSuffixHash: true}
                """);
        List<Map<String, Object>> out = Kustomize.build(dir);
        assertThat(out).extracting(r -> Kustomize.metadata(r).get("name"))
                .containsExactly("plain-4h2mbtbbt6", "mixed-64c4ckh55h", "fixed");
        assertThat((Map<String, Object>) out.get(1).get("data")).containsOnlyKeys("app.properties", "values", "z");
    }

    @Test
    void componentsAndKustomizationsCannotBeSwappedAndGeneratorsStayInTheirFolder(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("comp"));
        Files.writeString(dir.resolve("comp/kustomization.yaml"),
                "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n");
        Files.writeString(dir.resolve("kustomization.yaml"), "resources: [comp]\n");
        assertThatThrownBy(() -> Kustomize.build(dir)).hasMessageContaining("only be listed under components");

        Files.writeString(dir.resolve("comp/kustomization.yaml"), "resources: []\n");
        Files.writeString(dir.resolve("kustomization.yaml"), "components: [comp]\n");
        assertThatThrownBy(() -> Kustomize.build(dir)).hasMessageContaining("its kind is not Component");

        Files.writeString(dir.resolve("outside.properties"), "a=1\n");
        Files.writeString(dir.resolve("comp/kustomization.yaml"),
                "configMapGenerator:\n  - name: c\n    files: [../outside.properties]\n");
        assertThatThrownBy(() -> Kustomize.build(dir.resolve("comp"))).hasMessageContaining("is not in or below");
    }

    @Test
    void aPatchForAMissingResourceFails(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), "resources: [r.yaml]\npatches:\n  - path: p.yaml\n");
        Files.writeString(dir.resolve("r.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n");
        Files.writeString(dir.resolve("p.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: other}\nspec: {}\n");
        assertThatThrownBy(() -> Kustomize.build(dir)).hasMessageContaining("matches 0 resources");
    }
}
