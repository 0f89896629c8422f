package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.qube.apiserver.registry.TableColumn;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Columns many kinds share: NAME, AGE, and the CONTAINERS and IMAGES of a workload's pod template. */
final class CommonColumns {

    private static final String NAME_DESCRIPTION =
            "Name must be unique within a namespace; it identifies the object in URLs and on the command line.";

    private CommonColumns() {
    }

    /**
     * NAME. Its format "name" is how kubectl finds the column to prefix with the kind when it shows several kinds
     * at once ({@code kubectl get all} prints {@code pod/web-1}).
     */
    static TableColumn<HasMetadata> name() {
        return new TableColumn<>("Name", "string", "name", NAME_DESCRIPTION, 0, (object, now) -> name(object));
    }

    /** NAME with a cell of the kind's own, such as a default storage class's marked name. */
    static <T> TableColumn<T> name(TableColumn.Cell<T> cell) {
        return new TableColumn<>("Name", "string", "name", NAME_DESCRIPTION, 0, cell);
    }

    /** NAME shown only with {@code -o wide}, as for events whose generated names say little. */
    static TableColumn<HasMetadata> wideName() {
        return new TableColumn<>("Name", "string", "name", NAME_DESCRIPTION, 1, (object, now) -> name(object));
    }

    static TableColumn<HasMetadata> age() {
        return TableColumn.of("Age", "string",
                "CreationTimestamp is the server time when this object was created, shown as the time since.",
                (object, now) -> Durations.since(object.getMetadata() == null ? null
                        : object.getMetadata().getCreationTimestamp(), now));
    }

    static <T> TableColumn<T> templateContainers(Function<T, PodTemplateSpec> template) {
        return TableColumn.wide("Containers", "string", "Names of each container in the template.",
                (object, now) -> joined(template.apply(object), Container::getName));
    }

    static <T> TableColumn<T> templateImages(Function<T, PodTemplateSpec> template) {
        return TableColumn.wide("Images", "string", "Images referenced by each container in the template.",
                (object, now) -> joined(template.apply(object), Container::getImage));
    }

    private static String name(HasMetadata object) {
        return object.getMetadata() == null ? "" : object.getMetadata().getName();
    }

    private static String joined(PodTemplateSpec template, Function<Container, String> field) {
        if (template == null || template.getSpec() == null || template.getSpec().getContainers() == null) {
            return "";
        }
        List<Container> containers = template.getSpec().getContainers();
        return containers.stream().map(field).map(value -> value == null ? "" : value)
                .collect(Collectors.joining(","));
    }
}
