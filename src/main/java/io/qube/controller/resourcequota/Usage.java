package io.qube.controller.resourcequota;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.qube.quota.ObjectUsage;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** What a namespace uses of each quota resource: its objects' usage ({@link ObjectUsage}) summed. */
final class Usage {

    private final NamespaceObjects objects;
    private final String namespace;
    private final Instant now = Instant.now();

    Usage(NamespaceObjects objects, String namespace) {
        this.objects = objects;
        this.namespace = namespace;
    }

    /** The usage of a resource a quota names, or nothing when Qube cannot count it. */
    Optional<BigDecimal> of(String resource) {
        String kind = ObjectUsage.countedIn(resource);
        if (kind == null) {
            return Optional.empty();
        }
        return objects.of(kind, namespace).map(items -> sum(kind, items, resource));
    }

    private BigDecimal sum(String kind, List<? extends HasMetadata> items, String resource) {
        BigDecimal total = BigDecimal.ZERO;
        for (HasMetadata item : items) {
            total = total.add(ObjectUsage.of(kind, item, now).getOrDefault(resource, BigDecimal.ZERO));
        }
        return total;
    }
}
