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

    @Test
    void aPatchForAMissingResourceFails(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), "resources: [r.yaml]\npatches:\n  - path: p.yaml\n");
        Files.writeString(dir.resolve("r.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n");
        Files.writeString(dir.resolve("p.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: other}\nspec: {}\n");
        assertThatThrownBy(() -> Kustomize.build(dir)).hasMessageContaining("matches 0 resources");
    }
}
