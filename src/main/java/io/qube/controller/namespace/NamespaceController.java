package io.qube.controller.namespace;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.qube.client.WorkQueue;
import io.qube.controller.CustomKinds;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.Informers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Kubernetes' namespace deletion: a namespace marked for deletion keeps the "kubernetes" entry in spec.finalizers
 * until everything in it is gone; this controller deletes its content (objects of the built-in kinds and of every
 * namespaced custom resource), waits for it to go, and then finalizes the namespace, after which the apiserver
 * removes it.
 */
public final class NamespaceController implements Controller {

    static final String FINALIZER = "kubernetes";
    private static final Duration RECHECK = Duration.ofSeconds(1);

    private final KubernetesClient client;
    private final List<Class<? extends HasMetadata>> namespacedKinds;
    private final ControllerQueue queue = new ControllerQueue("namespace-controller", 2);

    public NamespaceController(KubernetesClient client, List<Class<? extends HasMetadata>> namespacedKinds) {
        this.client = client;
        this.namespacedKinds = List.copyOf(namespacedKinds);
    }

    @Override
    public void start(Informers informers) {
        // Its reconcile reads the API, not the cache: keys may be taken while the informer lists.
        queue.start(this::reconcile);
        informers.of(Namespace.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace namespace) {
                enqueueIfTerminating(namespace);
            }

            @Override
            public void onUpdate(Namespace old, Namespace namespace) {
                enqueueIfTerminating(namespace);
            }

            @Override
            public void onDelete(Namespace namespace, boolean finalStateUnknown) {
                // Nothing left to do for a namespace that is gone.
            }
        });
        informers.awaitSynced();
    }

    private void enqueueIfTerminating(Namespace namespace) {
        if (namespace.getMetadata().getDeletionTimestamp() != null) {
            queue.add(namespace.getMetadata().getName());
        }
    }

    WorkQueue.Outcome reconcile(String name) {
        Namespace namespace = client.namespaces().withName(name).get();
        if (namespace == null || namespace.getMetadata().getDeletionTimestamp() == null
                || namespace.getSpec() == null || !namespace.getSpec().getFinalizers().contains(FINALIZER)) {
            return WorkQueue.Outcome.DONE;
        }
        boolean empty = true;
        for (Class<? extends HasMetadata> kind : namespacedKinds) {
            empty &= deleteAll(client.resources(kind).inNamespace(name));
        }
        for (ResourceDefinitionContext custom : namespacedCustomResources()) {
            empty &= deleteAll(client.genericKubernetesResources(custom).inNamespace(name));
        }
        if (!empty) {
            // Deletions may wait on finalizers or grace periods: look again shortly.
            return WorkQueue.Outcome.after(RECHECK);
        }
        List<String> finalizers = new ArrayList<>(namespace.getSpec().getFinalizers());
        finalizers.remove(FINALIZER);
        namespace.getSpec().setFinalizers(finalizers);
        client.raw("/api/v1/namespaces/" + name + "/finalize", "PUT", Serialization.asJson(namespace));
        return WorkQueue.Outcome.DONE;
    }

    /** Deletes what the namespace holds of one kind; whether it held nothing. */
    private static boolean deleteAll(NonNamespaceOperation<?, ? extends KubernetesResourceList<?>, ?> objects) {
        try {
            if (objects.list().getItems().isEmpty()) {
                return true;
            }
            objects.delete();
            return false;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                // The CRD went meanwhile, and its objects with it.
                return true;
            }
            throw e;
        }
    }

    /** Each namespaced custom resource, through a version it serves (its storage version when served). */
    private List<ResourceDefinitionContext> namespacedCustomResources() {
        List<ResourceDefinitionContext> found = new ArrayList<>();
        for (CustomResourceDefinition crd : client.apiextensions().v1().customResourceDefinitions().list()
                .getItems()) {
            ResourceDefinitionContext served = CustomKinds.served(crd);
            if (served != null && served.isNamespaceScoped()) {
                found.add(served);
            }
        }
        return found;
    }

    @Override
    public void close() {
        queue.close();
    }
}
