package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeItem;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;

import java.util.LinkedHashMap;
import java.util.Map;

/** Kubernetes' defaults for LimitRanges and ResourceQuotas; quantities are stored in canonical form. */
final class QuotaDefaults {

    private QuotaDefaults() {
    }

    /**
     * A Container limit's default limit falls back to its max, and its default request to the default limit, then
     * to its min, as Kubernetes' SetDefaults_LimitRangeItem fills them.
     */
    static void limitRange(LimitRange limitRange) {
        if (limitRange.getSpec() == null) {
            return;
        }
        for (LimitRangeItem item : NullSafe.list(limitRange.getSpec().getLimits())) {
            if ("Container".equals(item.getType())) {
                Map<String, Quantity> defaults = new LinkedHashMap<>(NullSafe.map(item.getDefault()));
                NullSafe.map(item.getMax()).forEach(defaults::putIfAbsent);
                Map<String, Quantity> requests = new LinkedHashMap<>(NullSafe.map(item.getDefaultRequest()));
                defaults.forEach(requests::putIfAbsent);
                NullSafe.map(item.getMin()).forEach(requests::putIfAbsent);
                item.setDefault(defaults);
                item.setDefaultRequest(requests);
            }
            Quantities.canonicalize(item.getMin());
            Quantities.canonicalize(item.getMax());
            Quantities.canonicalize(item.getDefault());
            Quantities.canonicalize(item.getDefaultRequest());
            Quantities.canonicalize(item.getMaxLimitRequestRatio());
        }
    }

    static void resourceQuota(ResourceQuota quota) {
        if (quota.getSpec() != null) {
            Quantities.canonicalize(quota.getSpec().getHard());
        }
        if (quota.getStatus() != null) {
            Quantities.canonicalize(quota.getStatus().getHard());
            Quantities.canonicalize(quota.getStatus().getUsed());
        }
    }
}
