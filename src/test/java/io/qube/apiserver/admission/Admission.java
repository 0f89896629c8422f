package io.qube.apiserver.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.BuiltinResources;
import io.qube.apiserver.registry.FieldErrors;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.apiserver.registry.ResourceRegistry;

import java.io.UncheckedIOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs admission as the REST layer will, through the real registry: read the object a client sends (YAML here),
 * apply the kind's defaults, then validate metadata and the kind's fields.
 */
final class Admission {

    private static final ResourceRegistry REGISTRY = BuiltinResources.registry();
    private static final ObjectMapper SORTED = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).enable(SerializationFeature.INDENT_OUTPUT);

    private Admission() {
    }

    static <T extends HasMetadata> T read(String yaml, Class<T> type) {
        try {
            return Json.YAML.readValue(yaml, type);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The object as a create would store it (before the REST layer's uid, resourceVersion, timestamps, ...). */
    static <T extends HasMetadata> T defaulted(String yaml, Class<T> type) {
        T object = read(yaml, type);
        definition(type).defaulter().apply(object);
        return object;
    }

    /** Defaults then validates a create; returns what a 422 would list. */
    static <T extends HasMetadata> List<FieldErrors.Cause> create(T object) {
        return admit(object, null);
    }

    /** Defaults then validates an update of {@code old} (as stored) to {@code object}. */
    static <T extends HasMetadata> List<FieldErrors.Cause> update(T object, T old) {
        return admit(object, old);
    }

    static <T extends HasMetadata> T copy(T object) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) object.getClass();
        return Json.MAPPER.convertValue(object, type);
    }

    /** Compares the stored form with the YAML a real cluster shows, as JSON with keys in order. */
    static void assertStored(Object object, String expectedYaml) {
        try {
            assertThat(canonical(Json.MAPPER.writeValueAsString(object)))
                    .isEqualTo(canonical(Json.MAPPER.writeValueAsString(Json.YAML.readTree(expectedYaml))));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String canonical(String json) throws JsonProcessingException {
        Object tree = Json.MAPPER.readValue(json, Object.class);
        return SORTED.writeValueAsString(tree);
    }

    private static <T extends HasMetadata> List<FieldErrors.Cause> admit(T object, T old) {
        @SuppressWarnings("unchecked")
        ResourceDefinition<T> definition = (ResourceDefinition<T>) definition(object.getClass());
        definition.defaulter().apply(object);
        FieldErrors errors = new FieldErrors();
        MetadataValidation.validate(object.getMetadata(), definition, old == null ? null : old.getMetadata(), errors);
        definition.validator().validate(object, old, errors);
        return errors.causes();
    }

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> ResourceDefinition<T> definition(Class<?> type) {
        Class<T> kind = (Class<T>) type;
        return (ResourceDefinition<T>) REGISTRY.findKind(HasMetadata.getApiVersion(kind), HasMetadata.getKind(kind))
                .orElseThrow();
    }

    /** A cause as reason and field, for assertions that do not care about the exact wording. */
    static List<String> reasonsAndFields(List<FieldErrors.Cause> causes) {
        return causes.stream().map(cause -> cause.reason() + " " + cause.field()).toList();
    }
}
