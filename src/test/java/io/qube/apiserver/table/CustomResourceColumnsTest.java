package io.qube.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.qube.apiserver.codec.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The CRD table (NAME, CREATED AT) and a custom resource's printer columns, as kubectl shows them. */
class CustomResourceColumnsTest {

    private static final String CREATED = Rows.ago(java.time.Duration.ofDays(400));

    @Test
    void aCrdShowsWhenItWasCreated() {
        CustomResourceDefinition crd = new CustomResourceDefinitionBuilder().withNewMetadata()
                .withName("widgets.example.com").withCreationTimestamp(CREATED).endMetadata().build();
        assertThat(Rows.headers(KindTables.customResourceDefinition(), true)).containsExactly("NAME", "CREATED AT");
        assertThat(Rows.cells(KindTables.customResourceDefinition(), crd))
                .containsExactly("widgets.example.com", CREATED);
    }

    @Test
    void printerColumnsReadTheirJsonPathsAndDatesAreAges() {
        JsonNode columns = yaml("""
                - {name: Colour, type: string, jsonPath: .spec.colour}
                - {name: Replicas, type: integer, jsonPath: .spec.replicas}
                - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
                - {name: Port, type: integer, jsonPath: '.spec.ports[0].port', priority: 1}
                - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
                """);
        GenericKubernetesResource widget = new GenericKubernetesResourceBuilder().withApiVersion("example.com/v1")
                .withKind("Widget").withNewMetadata().withName("w1").withCreationTimestamp(CREATED).endMetadata()
                .addToAdditionalProperties("spec", Map.of("colour", "red", "replicas", 3,
                        "ports", List.of(Map.of("port", 8080))))
                .addToAdditionalProperties("status", Map.of("conditions", List.of(
                        Map.of("type", "Synced", "status", "False"), Map.of("type", "Ready", "status", "True"))))
                .build();

        assertThat(Rows.headers(CustomResourceColumns.of(columns), false))
                .containsExactly("NAME", "COLOUR", "REPLICAS", "READY", "AGE");
        assertThat(Rows.headers(CustomResourceColumns.of(columns), true))
                .containsExactly("NAME", "COLOUR", "REPLICAS", "READY", "PORT", "AGE");
        assertThat(Rows.cells(CustomResourceColumns.of(columns), widget))
                .containsExactly("w1", "red", 3L, "True", 8080L, "400d");
    }

    @Test
    void noPrinterColumnsGiveTheDefaultNameAndAge() {
        assertThat(CustomResourceColumns.of(yaml("[]"))).isEmpty();
    }

    private static JsonNode yaml(String text) {
        try {
            return Json.YAML.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
