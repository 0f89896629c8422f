package io.qube.controller.resourcequota;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.qube.quota.ObjectUsage;
import io.qube.quota.QuotaScopes;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a quota's namespace uses of each quota resource: the usage ({@link ObjectUsage}) of the objects the quota's
 * scopes select ({@link QuotaScopes}) summed.
 */
final class Usage {

    private final NamespaceObjects objects;
    private final ResourceQuota quota;
    private final Instant now = Instant.now();

    Usage(NamespaceObjects objects, ResourceQuota quota) {
        this.objects = objects;
        this.quota = quota;
    }

    /** The usage of a resource a quota names, or nothing when Qube cannot count it. */
    Optional<BigDecimal> of(String resource) {
        String kind = ObjectUsage.countedIn(resource);
        if (kind == null) {
            return Optional.empty();
        }
        return objects.of(kind, quota.getMetadata().getNamespace()).map(items -> sum(kind, items, resource));
    }

    private BigDecimal sum(String kind, List<? extends HasMetadata> items, String resource) {
        BigDecimal total = BigDecimal.ZERO;
        for (HasMetadata item : items) {
            if (!QuotaScopes.selects(quota.getSpec(), item)) {
                continue;
            }
            total = total.add(ObjectUsage.of(kind, item, now).getOrDefault(resource, BigDecimal.ZERO));
        }
        return total;
    }
}
