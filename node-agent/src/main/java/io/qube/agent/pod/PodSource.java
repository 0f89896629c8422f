package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/** The pods bound to one node (list and watch with {@code spec.nodeName=<node>}), handed to the pod workers. */
final class PodSource implements AutoCloseable {

    private final SharedIndexInformer<Pod> informer;

    PodSource(KubernetesClient client, String node, PodWorkers workers) {
        informer = client.pods().inAnyNamespace().withField("spec.nodeName", node).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                workers.update(pod);
            }

            @Override
            public void onUpdate(Pod before, Pod pod) {
                workers.update(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean unknownFinalState) {
                workers.removed(pod.getMetadata().getUid());
            }
        });
    }

    @Override
    public void close() {
        informer.close();
    }
}
