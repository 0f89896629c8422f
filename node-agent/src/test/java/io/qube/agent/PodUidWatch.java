package io.qube.agent;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The UIDs of every pod a control plane ever had, from a watch of all namespaces opened before the first pod, so
 * that a test can check that nothing of its own pods is left on the machine, whatever other tests running at the
 * same time have there.
 */
final class PodUidWatch implements AutoCloseable {

    private final Set<String> uids = ConcurrentHashMap.newKeySet();
    private final Watch watch;

    PodUidWatch(KubernetesClient client) {
        watch = client.pods().inAnyNamespace().watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                uids.add(pod.getMetadata().getUid());
            }

            @Override
            public void onClose(WatcherException cause) {
                // fabric8 reconnects; only a closed client ends it
            }
        });
    }

    Set<String> uids() {
        return Set.copyOf(uids);
    }

    /** The network namespaces and cgroups of the pods seen that are still on the machine. */
    List<Path> traces() {
        return uids.stream().flatMap(uid -> ProcessCluster.traces(uid).stream()).toList();
    }

    @Override
    public void close() {
        watch.close();
    }
}
