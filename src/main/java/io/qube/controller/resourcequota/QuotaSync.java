package io.qube.controller.resourcequota;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ResourceQuotaStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.client.WorkQueue;
import io.qube.quota.ObjectUsage;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Brings one quota's status up to date: hard from its spec, used from its namespace's objects. */
final class QuotaSync {

    private static final Logger LOG = Logger.getLogger(QuotaSync.class);
    /**
     * Counted: counted again after Kubernetes' default --resource-quota-sync-period, which mends what no event
     * tells of (a create that failed after admission charged it).
     */
    private static final WorkQueue.Outcome RECOUNTED = WorkQueue.Outcome.after(Duration.ofMinutes(5));
    /**
     * A quota's first count: counted once more a little later, for objects created while it was being counted,
     * which admission did not charge (the quota restricted nothing yet) and the informers may not have held yet.
     */
    private static final WorkQueue.Outcome FIRST_COUNTED = WorkQueue.Outcome.after(Duration.ofSeconds(5));

    private final KubernetesClient client;
    private final SharedIndexInformer<ResourceQuota> quotas;
    private final NamespaceObjects objects;

    QuotaSync(KubernetesClient client, SharedIndexInformer<ResourceQuota> quotas, NamespaceObjects objects) {
        this.client = client;
        this.quotas = quotas;
        this.objects = objects;
    }

    WorkQueue.Outcome sync(String key) {
        ResourceQuota quota = quotas.getIndexer().getByKey(key);
        if (quota == null || quota.getMetadata().getDeletionTimestamp() != null) {
            return WorkQueue.Outcome.DONE;
        }
        Map<String, Quantity> hard = quota.getSpec() == null || quota.getSpec().getHard() == null ? Map.of()
                : quota.getSpec().getHard();
        WorkQueue.Outcome counted = hardCounted(quota) ? RECOUNTED : FIRST_COUNTED;
        Usage usage = new Usage(objects, quota);
        Map<String, Quantity> used = new LinkedHashMap<>();
        for (String resource : hard.keySet()) {
            Optional<BigDecimal> amount = usage.of(resource);
            amount.ifPresent(value -> used.put(resource, new Quantity(ObjectUsage.quantity(resource, value))));
        }
        ResourceQuotaStatus status = quota.getStatus();
        if (status != null && same(status.getHard(), hard) && same(status.getUsed(), used)) {
            return counted;
        }
        ResourceQuota updated = new ResourceQuotaBuilder(quota)
                .withNewStatus().withHard(hard).withUsed(used).endStatus().build();
        try {
            client.resourceQuotas().inNamespace(quota.getMetadata().getNamespace()).resource(updated).updateStatus();
            return counted;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return WorkQueue.Outcome.DONE; // deleted meanwhile
            }
            LOG.debugf("status of quota %s: %s", key, e.getMessage());
            return WorkQueue.Outcome.FAILED;
        }
    }

    /** Whether the quota's status.hard is its spec.hard: counted since the spec last changed. */
    static boolean hardCounted(ResourceQuota quota) {
        Map<String, Quantity> hard = quota.getSpec() == null || quota.getSpec().getHard() == null ? Map.of()
                : quota.getSpec().getHard();
        return quota.getStatus() != null && same(quota.getStatus().getHard(), hard);
    }

    /** Equal quantities by value ("500m" and "0.5" alike), as the apiserver stores them canonical. */
    private static boolean same(Map<String, Quantity> stored, Map<String, Quantity> wanted) {
        Map<String, Quantity> have = stored == null ? Map.of() : stored;
        if (!have.keySet().equals(wanted.keySet())) {
            return false;
        }
        for (Map.Entry<String, Quantity> entry : wanted.entrySet()) {
            if (!Objects.equals(amount(have.get(entry.getKey())), amount(entry.getValue()))) {
                return false;
            }
        }
        return true;
    }

    private static BigDecimal amount(Quantity quantity) {
        try {
            return Quantity.getAmountInBytes(quantity).stripTrailingZeros();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
