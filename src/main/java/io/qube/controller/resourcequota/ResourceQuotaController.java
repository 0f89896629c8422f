package io.qube.controller.resourcequota;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.EnqueueHandler;
import io.qube.controller.api.Informers;

import java.util.Map;

/**
 * Kubernetes' ResourceQuota controller. Handlers enqueue quota keys: a quota's own events, and every quota of a
 * namespace in which a pod, service, config map, secret or claim changed; {@link QuotaSync} recomputes the usage.
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
        quotas.addEventHandler(new EnqueueHandler<>(queue::addKeyOf));
        EnqueueHandler<HasMetadata> namespaceChanged = new EnqueueHandler<>(object -> {
            for (ResourceQuota quota : quotas.getIndexer().byIndex(Cache.NAMESPACE_INDEX,
                    object.getMetadata().getNamespace())) {
                queue.addKeyOf(quota);
            }
        });
        NamespaceObjects objects = new NamespaceObjects(client, countable,
                watched(informers, Pod.class, namespaceChanged), watched(informers, Service.class, namespaceChanged),
                watched(informers, ConfigMap.class, namespaceChanged), watched(informers, Secret.class, namespaceChanged),
                watched(informers, PersistentVolumeClaim.class, namespaceChanged), quotas);
        informers.awaitSynced();
        QuotaSync sync = new QuotaSync(client, quotas, objects);
        queue.start(sync::sync);
        queue.addAll(quotas);
    }

    private static <T extends HasMetadata> SharedIndexInformer<T> watched(Informers informers, Class<T> kind,
                                                                          EnqueueHandler<HasMetadata> handler) {
        SharedIndexInformer<T> informer = informers.of(kind);
        informer.addEventHandler(new EnqueueHandler<T>(handler::onAdd));
        return informer;
    }

    @Override
    public void close() {
        queue.close();
    }
}
