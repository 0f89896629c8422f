package io.qube.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.qube.apiserver.ApiException;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.BuiltinResources;
import io.qube.apiserver.registry.ResourceDefinition;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;

import static io.qube.apiserver.table.Rows.ago;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TableRendererTest {

    private static final ResourceDefinition<Pod> PODS = ResourceDefinition.of(Pod.class).table(KindTables.pod());
    private static final ResourceDefinition<ConfigMap> CONFIG_MAPS =
            ResourceDefinition.of(ConfigMap.class).table(KindTables.configMap());

    private final TableRenderer renderer = new TableRenderer(Clock.fixed(Rows.NOW, ZoneOffset.UTC));

    @Test
    void listIsAMetaV1TableWithPartialObjectMetadataRows() throws Exception {
        ConfigMap settings = new ConfigMapBuilder().withNewMetadata().withName("settings").withNamespace("team-a")
                .withUid("5b1f").withResourceVersion("17").withCreationTimestamp(ago(Duration.ofMinutes(5)))
                .addToLabels("app", "web").endMetadata().addToData("mode", "fast").build();

        ObjectNode table = renderer.list(CONFIG_MAPS, List.of(settings), "42", "next-page", IncludeObject.METADATA);

        assertThat(table).isEqualTo(Json.MAPPER.readTree("""
                {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
                 "metadata": {"resourceVersion": "42", "continue": "next-page"},
                 "columnDefinitions": [
                   {"name": "Name", "type": "string", "format": "name", "priority": 0,
                    "description": "%s"},
                   {"name": "Data", "type": "string", "format": "", "priority": 0,
                    "description": "The number of entries, text and binary."},
                   {"name": "Age", "type": "string", "format": "", "priority": 0,
                    "description": "%s"}],
                 "rows": [
                   {"cells": ["settings", 1, "5m"],
                    "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                               "metadata": {"name": "settings", "namespace": "team-a", "uid": "5b1f",
                                            "resourceVersion": "17", "creationTimestamp": "2025-03-01T11:55:00Z",
                                            "labels": {"app": "web"}}}}]}
                """.formatted(description(table, 0), description(table, 2))));
    }

    @Test
    void everyRowHasEveryCellIncludingTheWideOnes() {
        ObjectNode table = renderer.list(PODS, List.of(pod("web-1"), pod("web-2")), "9", null, IncludeObject.METADATA);

        assertThat(table.get("columnDefinitions")).hasSize(9);
        assertThat(table.get("columnDefinitions").get(5).get("name").asText()).isEqualTo("IP");
        assertThat(table.get("columnDefinitions").get(5).get("priority").asInt()).isEqualTo(1);
        assertThat(table.get("rows")).hasSize(2);
        assertThat(Json.MAPPER.convertValue(table.get("rows").get(1).get("cells"), List.class))
                .containsExactly("web-2", "0/1", "Pending", "0", "2m", "<none>", "<none>", "<none>", "<none>");
        assertThat(table.get("metadata").has("continue")).isFalse();
    }

    @Test
    void includeObjectSelectsWhatEachRowCarries() {
        JsonNode whole = renderer.list(PODS, List.of(pod("web-1")), "9", "", IncludeObject.OBJECT).get("rows").get(0);
        JsonNode bare = renderer.list(PODS, List.of(pod("web-1")), "9", "", IncludeObject.NONE).get("rows").get(0);

        assertThat(whole.get("object").get("kind").asText()).isEqualTo("Pod");
        assertThat(whole.get("object").get("apiVersion").asText()).isEqualTo("v1");
        assertThat(whole.get("object").get("spec").get("containers").get(0).get("image").asText()).isEqualTo("nginx");
        assertThat(bare.has("object")).isFalse();
        assertThat(bare.get("cells")).hasSize(9);
    }

    @Test
    void singleObjectTableCarriesTheObjectsVersionAndOptionallyTheColumns() {
        ObjectNode first = renderer.single(PODS, pod("web-1"), IncludeObject.METADATA, true);
        ObjectNode later = renderer.single(PODS, pod("web-1"), IncludeObject.METADATA, false);

        assertThat(first.get("kind").asText()).isEqualTo("Table");
        assertThat(first.get("metadata").get("resourceVersion").asText()).isEqualTo("7");
        assertThat(first.get("columnDefinitions")).hasSize(9);
        assertThat(first.get("rows")).hasSize(1);
        assertThat(first.get("rows").get(0).get("object").get("metadata").get("name").asText()).isEqualTo("web-1");
        assertThat(later.get("columnDefinitions")).isEmpty();
        assertThat(later.get("rows").get(0)).isEqualTo(first.get("rows").get(0));
    }

    @Test
    void kindWithoutColumnsGetsNameAndAge() {
        ResourceDefinition<ConfigMap> plain = ResourceDefinition.of(ConfigMap.class);
        ConfigMap configMap = new ConfigMapBuilder().withNewMetadata().withName("plain")
                .withCreationTimestamp(ago(Duration.ofHours(3))).endMetadata().build();

        ObjectNode table = renderer.list(plain, List.of(configMap), "1", null, IncludeObject.NONE);

        assertThat(table.get("columnDefinitions").findValuesAsText("name")).containsExactly("Name", "Age");
        assertThat(table.get("columnDefinitions").get(0).get("format").asText()).isEqualTo("name");
        assertThat(Json.MAPPER.convertValue(table.get("rows").get(0).get("cells"), List.class))
                .containsExactly("plain", "3h");
    }

    @Test
    void everyServedKindRendersEvenAnObjectWithNothingButAName() {
        for (ResourceDefinition<?> definition : BuiltinResources.registry().all()) {
            ObjectNode table = renderBare(definition);

            JsonNode columns = table.get("columnDefinitions");
            assertThat(table.get("rows").get(0).get("cells")).as(definition.kind()).hasSize(columns.size());
            assertThat(columns.findValuesAsText("format")).as(definition.kind()).containsOnlyOnce("name");
            for (JsonNode column : columns) {
                assertThat(column.get("description").asText()).as(definition.kind()).isNotEmpty();
                // "date": the roles' and the CustomResourceDefinition's CREATED AT, as Kubernetes types them.
                assertThat(column.get("type").asText()).as(definition.kind())
                        .isIn("string", "integer", "boolean", "date");
            }
        }
    }

    @Test
    void includeObjectQueryParameter() {
        assertThat(IncludeObject.fromQuery(null)).isEqualTo(IncludeObject.METADATA);
        assertThat(IncludeObject.fromQuery("")).isEqualTo(IncludeObject.METADATA);
        assertThat(IncludeObject.fromQuery("Metadata")).isEqualTo(IncludeObject.METADATA);
        assertThat(IncludeObject.fromQuery("Object")).isEqualTo(IncludeObject.OBJECT);
        assertThat(IncludeObject.fromQuery("None")).isEqualTo(IncludeObject.NONE);
        assertThatThrownBy(() -> IncludeObject.fromQuery("object"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
    }

    private <T extends HasMetadata> ObjectNode renderBare(ResourceDefinition<T> definition) {
        try {
            T object = definition.type().getDeclaredConstructor().newInstance();
            object.setMetadata(new ObjectMetaBuilder().withName("bare").build());
            return renderer.single(definition, object, IncludeObject.METADATA, true);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static String description(ObjectNode table, int column) {
        return table.get("columnDefinitions").get(column).get("description").asText();
    }

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withResourceVersion("7")
                .withCreationTimestamp(ago(Duration.ofMinutes(2))).endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage("nginx").endContainer().endSpec()
                .withNewStatus().withPhase("Pending").endStatus().build();
    }
}
