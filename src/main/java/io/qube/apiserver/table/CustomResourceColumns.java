package io.qube.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.qube.apiserver.codec.ObjectCodec;
import io.qube.apiserver.crd.JsonPaths;
import io.qube.apiserver.registry.TableColumn;

import java.util.ArrayList;
import java.util.List;

/**
 * The table of a CustomResourceDefinition (NAME, CREATED AT) and of its custom resources: NAME followed by the
 * version's {@code additionalPrinterColumns}, each a JSON path into the object, as Kubernetes' CRD table converter.
 */
public final class CustomResourceColumns {

    private CustomResourceColumns() {
    }

    static List<TableColumn<? super CustomResourceDefinition>> definition() {
        return List.of(CommonColumns.name(), TableColumn.of("Created At", "date",
                "CreationTimestamp is a timestamp representing the server time when this object was created.",
                (crd, now) -> crd.getMetadata().getCreationTimestamp()));
    }

    /**
     * @param printerColumns the version's additionalPrinterColumns; none gives the default NAME and AGE
     */
    public static List<TableColumn<? super GenericKubernetesResource>> of(JsonNode printerColumns) {
        if (printerColumns == null || printerColumns.isEmpty()) {
            return List.of();
        }
        List<TableColumn<? super GenericKubernetesResource>> columns = new ArrayList<>();
        columns.add(CommonColumns.name());
        for (JsonNode column : printerColumns) {
            String type = column.path("type").asText("string");
            String path = column.path("jsonPath").asText("");
            columns.add(new TableColumn<>(column.path("name").asText(), type, column.path("format").asText(""),
                    column.path("description").asText(""), column.path("priority").asInt(0),
                    (object, now) -> cell(object, path, type, now)));
        }
        return columns;
    }

    /** The cell: dates as the time since (as Kubernetes renders them), numbers and booleans as such, else text. */
    private static Object cell(HasMetadata object, String path, String type, java.time.Instant now) {
        JsonNode value = JsonPaths.read(ObjectCodec.toTree(object), path);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        return switch (type) {
            case "date" -> Durations.since(value.asText(), now);
            case "integer" -> value.canConvertToLong() ? value.asLong() : value.asText();
            case "number" -> value.isNumber() ? value.numberValue() : value.asText();
            case "boolean" -> value.isBoolean() ? value.asBoolean() : value.asText();
            default -> value.isValueNode() ? value.asText() : value.toString();
        };
    }
}
