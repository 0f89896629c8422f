package io.qube.apiserver.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.FieldErrors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A custom resource against its structural schema: Kubernetes' messages, defaults and pruning. */
class SchemaValidationTest {

    private static final JsonNode SCHEMA = yaml("""
            type: object
            properties:
              spec:
                type: object
                required: [name]
                properties:
                  name: {type: string, minLength: 2, maxLength: 5, pattern: "^[a-z]+$"}
                  replicas: {type: integer, format: int32, minimum: 1, maximum: 10, default: 1}
                  ratio: {type: number, exclusiveMinimum: true, minimum: 0}
                  mode: {type: string, enum: [fast, slow]}
                  port: {x-kubernetes-int-or-string: true}
                  when: {type: string, format: date-time}
                  tags: {type: array, maxItems: 2, minItems: 1, items: {type: string}, x-kubernetes-list-type: set}
                  ports:
                    type: array
                    x-kubernetes-list-type: map
                    x-kubernetes-list-map-keys: [name]
                    items: {type: object, properties: {name: {type: string}, port: {type: integer}}}
                  labels: {type: object, additionalProperties: {type: string}}
                  note: {type: string, nullable: true}
                  free: {type: object, x-kubernetes-preserve-unknown-fields: true}
                  template: {type: object, x-kubernetes-embedded-resource: true, x-kubernetes-preserve-unknown-fields: true}
            """);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            name: abc                               |
            replicas: three                          | spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"
            replicas: 0                              | spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1
            replicas: 11                             | spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10
            replicas: 3000000000                     | spec.replicas: Invalid value: 3000000000: spec.replicas in body should be less than or equal to 10
            name: a                                  | spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long
            name: abcdefg                            | spec.name: Too long: must have at most 5 bytes
            name: AB                                 | spec.name: Invalid value: "AB": spec.name in body should match '^[a-z]+$'
            ratio: 0                                 | spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0
            mode: medium                             | spec.mode: Unsupported value: "medium": supported values: "fast", "slow"
            port: 8080                               |
            port: http                               |
            port: true                               | spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"
            when: yesterday                          | spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"
            when: '2024-05-01T10:00:00Z'             |
            tags: []                                 | spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items
            tags: [a, b, c]                          | spec.tags: Too many: 3: must have at most 2 items
            tags: [a, a]                             | spec.tags[1]: Duplicate value: "a"
            ports: [{name: a, port: 1}, {name: a, port: 2}] | spec.ports[1]: Duplicate value: {"name":"a"}
            labels: {a: 1}                           | spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"
            note: null                               |
            mode: null                               | spec.mode: Invalid value: "null": spec.mode in body must be of type string: "null"
            free: {anything: [1, {x: y}]}            |
            template: {metadata: {name: x}}          | spec.template.apiVersion: Required value: must not be empty
            """)
    void validates(String field, String expected) {
        ObjectNode object = (ObjectNode) yaml("spec: {" + (field.startsWith("name:") ? "" : "name: abc, ") + field
                + "}");
        FieldErrors errors = new FieldErrors();
        SchemaValidation.validateObject(object, SCHEMA, errors);
        List<String> messages = errors.causes().stream().map(c -> c.field() + ": " + c.message()).toList();
        if (expected == null) {
            assertThat(messages).isEmpty();
        } else {
            assertThat(messages).contains(expected);
        }
    }

    @Test
    void requiredFieldsAreNamed() {
        FieldErrors errors = new FieldErrors();
        SchemaValidation.validateObject(yaml("spec: {replicas: 2}"), SCHEMA, errors);
        assertThat(errors.causes()).extracting(c -> c.field() + ": " + c.message())
                .containsExactly("spec.name: Required value");
    }

    @Test
    void unknownFieldsArePrunedUnlessPreservedAndDefaultsApplied() {
        ObjectNode object = (ObjectNode) yaml("""
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w}
                extra: 1
                spec:
                  name: abc
                  colour: red
                  ports: [{name: a, port: 1, protocol: TCP}]
                  free: {kept: true}
                  template: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {x: 1}}
                """);
        List<String> pruned = SchemaPruning.prune(object, SCHEMA);
        SchemaPruning.applyDefaults(object, SCHEMA);
        assertThat(pruned).containsExactlyInAnyOrder("extra", "spec.colour", "spec.ports[0].protocol");
        assertThat(object).isEqualTo(yaml("""
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w}
                spec:
                  name: abc
                  replicas: 1
                  ports: [{name: a, port: 1}]
                  free: {kept: true}
                  template: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {x: 1}}
                """));
    }

    private static JsonNode yaml(String text) {
        try {
            return Json.YAML.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
