package io.qube.controller.serviceaccount;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.client.WorkQueue;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.DeleteHandler;
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
    private final ControllerQueue queue;
    private SharedIndexInformer<Namespace> namespaces;
    private SharedIndexInformer<ServiceAccount> accounts;

    public ServiceAccountController(KubernetesClient client, int workers) {
        this.client = client;
        this.queue = new ControllerQueue(COMPONENT, workers);
    }

    @Override
    public void start(Informers informers) {
        namespaces = informers.of(Namespace.class);
        namespaces.addEventHandler(new EnqueueHandler<>(queue::addKeyOf));
        accounts = informers.of(ServiceAccount.class);
        accounts.addEventHandler(new DeleteHandler<>(account -> {
            if (DEFAULT.equals(account.getMetadata().getName())) {
                queue.add(account.getMetadata().getNamespace());
            }
        }));
        informers.awaitSynced();
        queue.start(this::sync);
        queue.addAll(namespaces);
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
        queue.close();
    }
}
