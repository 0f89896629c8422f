package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.qube.apiserver.registry.TableColumn;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** LimitRanges and ResourceQuotas, as {@code kubectl get limits,quota} shows them. */
final class QuotaColumns {

    private QuotaColumns() {
    }

    /** NAME CREATED AT: Kubernetes shows the creation time itself, in UTC, rather than an age. */
    static List<TableColumn<? super LimitRange>> limitRange() {
        return List.of(CommonColumns.name(),
                TableColumn.of("Created At", "date", "CreationTimestamp is a timestamp representing the server time "
                        + "when this object was created.", (limitRange, now) -> createdAt(limitRange)));
    }

    /** NAME AGE REQUEST LIMIT: each resource of spec.hard as "name: used/hard", limits.* ones under LIMIT. */
    static List<TableColumn<? super ResourceQuota>> resourceQuota() {
        return List.of(CommonColumns.name(), CommonColumns.age(),
                TableColumn.of("Request", "string", "Request represents a minimum amount of cpu/memory that a "
                        + "container may consume.", (quota, now) -> usage(quota, false)),
                TableColumn.of("Limit", "string", "Limits control the maximum amount of cpu/memory that a container "
                        + "may use independent of contention on the node.", (quota, now) -> usage(quota, true)));
    }

    private static String createdAt(LimitRange limitRange) {
        String created = limitRange.getMetadata() == null ? null : limitRange.getMetadata().getCreationTimestamp();
        return created == null ? "0001-01-01T00:00:00Z" : Instant.parse(created).toString();
    }

    private static String usage(ResourceQuota quota, boolean limits) {
        Map<String, Quantity> hardSpec = quota.getSpec() == null ? Map.of() : nonNull(quota.getSpec().getHard());
        Map<String, Quantity> hard = quota.getStatus() == null ? Map.of() : nonNull(quota.getStatus().getHard());
        Map<String, Quantity> used = quota.getStatus() == null ? Map.of() : nonNull(quota.getStatus().getUsed());
        List<String> parts = new ArrayList<>();
        for (String resource : new TreeSet<>(hardSpec.keySet())) {
            if (resource.startsWith("limits.") == limits) {
                parts.add(resource + ": " + text(used.get(resource)) + "/" + text(hard.get(resource)));
            }
        }
        return String.join(", ", parts);
    }

    private static Map<String, Quantity> nonNull(Map<String, Quantity> quantities) {
        return quantities == null ? Map.of() : quantities;
    }

    /** An unreported quantity prints as Kubernetes' zero Quantity does. */
    private static String text(Quantity quantity) {
        return quantity == null ? "0" : quantity.toString();
    }
}
