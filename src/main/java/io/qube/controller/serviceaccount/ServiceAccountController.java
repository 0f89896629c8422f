package io.qube.controller.serviceaccount;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.client.WorkQueue;
import io.qube.controller.api.Controller;
import io.qube.controller.api.EnqueueHandler;
import io.qube.controller.api.Informers;
import org.jboss.logging.Logger;

/**
 * Kubernetes' ServiceAccount controller: every active namespace has a ServiceAccount named "default" (the one
 * pods run as unless they name another), created when the namespace appears and again whenever it is deleted.
 */
public final class ServiceAccountController implements Controller {

    static final String COMPONENT = "serviceaccount-controller";
    static final String DEFAULT = "default";
    private static final Logger LOG = Logger.getLogger(ServiceAccountController.class);

    private final KubernetesClient client;
    private final int workers;
    private volatile WorkQueue<String> queue;
    private SharedIndexInformer<Namespace> namespaces;
    private SharedIndexInformer<ServiceAccount> accounts;

    public ServiceAccountController(KubernetesClient client, int workers) {
        this.client = client;
        this.workers = workers;
    }

    @Override
    public void start(Informers informers) {
        namespaces = informers.of(Namespace.class);
        namespaces.addEventHandler(new EnqueueHandler<>(namespace -> enqueue(namespace.getMetadata().getName())));
        accounts = informers.of(ServiceAccount.class);
        accounts.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ServiceAccount account) {
                // Only a deletion matters.
            }

            @Override
            public void onUpdate(ServiceAccount old, ServiceAccount account) {
                // As for onAdd.
            }

            @Override
            public void onDelete(ServiceAccount account, boolean finalStateUnknown) {
                if (DEFAULT.equals(account.getMetadata().getName())) {
                    enqueue(account.getMetadata().getNamespace());
                }
            }
        });
        informers.awaitSynced();
        queue = new WorkQueue<>(COMPONENT, workers, this::sync);
        namespaces.getIndexer().list().forEach(namespace -> enqueue(namespace.getMetadata().getName()));
    }

    private void enqueue(String namespace) {
        WorkQueue<String> ready = queue;
        if (ready != null) {
            ready.add(namespace);
        }
    }

    WorkQueue.Outcome sync(String name) {
        Namespace namespace = namespaces.getIndexer().getByKey(name);
        if (namespace == null || namespace.getMetadata().getDeletionTimestamp() != null
                || namespace.getStatus() != null && namespace.getStatus().getPhase() != null
                && !"Active".equals(namespace.getStatus().getPhase())) {
            return WorkQueue.Outcome.DONE; // nothing new goes into a namespace that is going
        }
        if (accounts.getIndexer().getByKey(name + "/" + DEFAULT) != null) {
            return WorkQueue.Outcome.DONE;
        }
        try {
            client.serviceAccounts().inNamespace(name).resource(new ServiceAccountBuilder().withNewMetadata()
                    .withName(DEFAULT).withNamespace(name).endMetadata().build()).create();
            return WorkQueue.Outcome.DONE;
        } catch (KubernetesClientException e) {
            // There already (the cache was behind), or the namespace is being deleted or gone.
            if (e.getCode() == 409 || e.getCode() == 403 || e.getCode() == 404) {
                return WorkQueue.Outcome.DONE;
            }
            LOG.debugf("default service account of %s: %s", name, e.getMessage());
            return WorkQueue.Outcome.FAILED;
        }
    }

    @Override
    public void close() {
        if (queue != null) {
            queue.close();
        }
    }
}
