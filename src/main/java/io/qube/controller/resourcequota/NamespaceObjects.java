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

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The objects of one namespace a quota counts: the watched kinds from the shared informers' caches, any other
 * served kind (for count/&lt;resource&gt;.&lt;group&gt;) listed from the API when a quota asks for it.
 */
final class NamespaceObjects {

    private final KubernetesClient client;
    private final Map<String, Class<? extends HasMetadata>> countable;
    private final Map<String, SharedIndexInformer<? extends HasMetadata>> cached;

    NamespaceObjects(KubernetesClient client, Map<String, Class<? extends HasMetadata>> countable,
                     SharedIndexInformer<Pod> pods, SharedIndexInformer<Service> services,
                     SharedIndexInformer<ConfigMap> configMaps, SharedIndexInformer<Secret> secrets,
                     SharedIndexInformer<PersistentVolumeClaim> claims, SharedIndexInformer<ResourceQuota> quotas) {
        this.client = client;
        this.countable = countable;
        this.cached = Map.of("pods", pods, "services", services, "configmaps", configMaps, "secrets", secrets,
                "persistentvolumeclaims", claims, "resourcequotas", quotas);
    }




    /** The objects of a kind named as in a quota ("pods", "deployments.apps"), or nothing if Qube serves none. */
    Optional<List<? extends HasMetadata>> of(String resource, String namespace) {
        SharedIndexInformer<? extends HasMetadata> informer = cached.get(resource);
        if (informer != null) {
            return Optional.of(informer.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace));
        }
        Class<? extends HasMetadata> kind = countable.get(resource);
        if (kind == null) {
            return Optional.empty();
        }
        return Optional.of(client.resources(kind).inNamespace(namespace).list().getItems());
    }
}
