package io.qube.apiserver.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.qube.apiserver.codec.ObjectCodec;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.apiserver.registry.ScalePaths;
import io.qube.apiserver.table.CustomResourceColumns;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a CustomResourceDefinition into the registry definitions that serve it: one per served version, under the
 * names the CRD's status accepted, each with its version's schema (pruning, defaults, validation), subresources and
 * printer columns.
 */
public final class CustomKinds {

    /** Deleting a CRD first deletes its custom resources; the apiserver's cleanup removes this finalizer then. */
    public static final String CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io";

    private CustomKinds() {
    }

    /** @param crd a CRD as stored; one that is not established is served by none */
    public static List<ResourceDefinition<?>> of(JsonNode crd) {
        if (!NamingConditions.isEstablished(crd)) {
            return List.of();
        }
        JsonNode names = crd.path("status").path("acceptedNames");
        String group = crd.path("spec").path("group").asText();
        List<ResourceDefinition<?>> definitions = new ArrayList<>();
        for (JsonNode version : crd.path("spec").path("versions")) {
            if (version.path("served").asBoolean(false)) {
                definitions.add(version(group, names, version,
                        crd.path("spec").path("scope").asText().equals("Namespaced")));
            }
        }
        return definitions;
    }

    private static ResourceDefinition<GenericKubernetesResource> version(String group, JsonNode names,
                                                                        JsonNode version, boolean namespaced) {
        JsonNode schema = version.path("schema").path("openAPIV3Schema");
        ResourceDefinition<GenericKubernetesResource> definition = ResourceDefinition.custom(group,
                        version.path("name").asText(), names.path("kind").asText(), names.path("plural").asText(),
                        names.path("singular").asText(), names.path("listKind").asText())
                .shortNames(strings(names.path("shortNames")))
                .categories(strings(names.path("categories")))
                .pruning(object -> {
                    List<String> pruned = SchemaPruning.prune(object, schema);
                    SchemaPruning.applyDefaults(object, schema);
                    return pruned;
                })
                .validation((object, old, errors) ->
                        SchemaValidation.validateObject(ObjectCodec.toTree(object), schema, errors))
                .table(CustomResourceColumns.of(version.path("additionalPrinterColumns")));
        if (schema instanceof ObjectNode openApi) {
            definition.openApiSchema(openApi);
        }
        if (!namespaced) {
            definition.clusterScoped();
        }
        JsonNode subresources = version.path("subresources");
        if (subresources.has("status")) {
            definition.withStatus();
        }
        JsonNode scale = subresources.path("scale");
        if (scale.isObject()) {
            definition.withScale(new ScalePaths(scale.path("specReplicasPath").asText(),
                    scale.path("statusReplicasPath").asText(), scale.path("labelSelectorPath").asText(null)));
        }
        return definition;
    }

    /**
     * The CRD's selectable fields, by selector name ({@code spec.colour} for the path {@code .spec.colour}), from
     * every served version (they share one store).
     */
    public static Map<String, String> selectableFields(JsonNode crd) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (JsonNode version : crd.path("spec").path("versions")) {
            for (JsonNode field : version.path("selectableFields")) {
                String path = field.path("jsonPath").asText("");
                if (JsonPaths.isSimple(path)) {
                    fields.put(path.substring(1), path.substring(1));
                }
            }
        }
        return fields;
    }

    private static String[] strings(JsonNode array) {
        return SchemaValidation.strings(array).toArray(String[]::new);
    }
}
