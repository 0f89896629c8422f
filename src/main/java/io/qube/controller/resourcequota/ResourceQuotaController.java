package io.qube.controller.resourcequota;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.Informers;
import io.qube.quota.ObjectUsage;

import java.time.Instant;
import java.util.Map;

/**
 * Kubernetes' ResourceQuota controller; {@link QuotaSync} recounts a quota's usage. As in Kubernetes, admission
 * charges each new object to its quotas, so the handlers recount only when usage may have gone down or is not known
 * yet: a quota that is new or whose spec.hard is not its status.hard yet (the charges admission writes to status do
 * not count), and every quota of a namespace in which a pod, service, config map, secret or claim went or used less.
 * A recount on a create would race with admission: it could count from an informer that has not seen an object
 * already charged, and write usage below the truth.
 */
public final class ResourceQuotaController implements Controller {

    static final String COMPONENT = "resourcequota-controller";

    private final KubernetesClient client;
    private final Map<String, Class<? extends HasMetadata>> countable;
    private final ControllerQueue queue;

    /** @param countable the served kinds by "plural.group" ("plural" for core), for count/&lt;resource&gt; quotas */
    public ResourceQuotaController(KubernetesClient client, Map<String, Class<? extends HasMetadata>> countable,
                                   int workers) {
        this.client = client;
        this.countable = Map.copyOf(countable);
        this.queue = new ControllerQueue(COMPONENT, workers);
    }

    @Override
    public void start(Informers informers) {
        SharedIndexInformer<ResourceQuota> quotas = informers.of(ResourceQuota.class);
        quotas.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ResourceQuota quota) {
                queue.addKeyOf(quota);
            }

            @Override
            public void onUpdate(ResourceQuota old, ResourceQuota quota) {
                if (!QuotaSync.hardCounted(quota)) {
                    queue.addKeyOf(quota);
                }
            }

            @Override
            public void onDelete(ResourceQuota quota, boolean finalStateUnknown) {
                // Nothing to count for a quota that is gone.
            }
        });
        NamespaceQuotas namespaceQuotas = new NamespaceQuotas(quotas);
        NamespaceObjects objects = new NamespaceObjects(client, countable,
                watched(informers, Pod.class, "pods", namespaceQuotas),
                watched(informers, Service.class, "services", namespaceQuotas),
                watched(informers, ConfigMap.class, "configmaps", namespaceQuotas),
                watched(informers, Secret.class, "secrets", namespaceQuotas),
                watched(informers, PersistentVolumeClaim.class, "persistentvolumeclaims", namespaceQuotas), quotas);
        informers.awaitSynced();
        QuotaSync sync = new QuotaSync(client, quotas, objects);
        queue.start(sync::sync);
        queue.addAll(quotas);
    }

    /** The quotas of an object's namespace, to recount. */
    private final class NamespaceQuotas {
        private final SharedIndexInformer<ResourceQuota> quotas;

        NamespaceQuotas(SharedIndexInformer<ResourceQuota> quotas) {
            this.quotas = quotas;
        }

        void recount(HasMetadata object) {
            for (ResourceQuota quota : quotas.getIndexer().byIndex(Cache.NAMESPACE_INDEX,
                    object.getMetadata().getNamespace())) {
                queue.addKeyOf(quota);
            }
        }
    }

    private static <T extends HasMetadata> SharedIndexInformer<T> watched(Informers informers, Class<T> type,
                                                                          String kind, NamespaceQuotas quotas) {
        SharedIndexInformer<T> informer = informers.of(type);
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T object) {
                // Charged by admission.
            }

            @Override
            public void onUpdate(T old, T object) {
                Instant now = Instant.now();
                if (!ObjectUsage.of(kind, old, now).equals(ObjectUsage.of(kind, object, now))) {
                    quotas.recount(object);
                }
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                quotas.recount(object);
            }
        });
        return informer;
    }

    @Override
    public void close() {
        queue.close();
    }
}
