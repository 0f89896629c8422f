package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Records events about pods as the kubelet does (source {@code kubelet}, the node as host, the container as the
 * field path), off the workers' threads; the agent's other parts (the local-path provisioner) record theirs about
 * claims and volumes through one of their own, under their component's name. An event repeated within ten minutes
 * counts up on the first one instead of making another, as client-go's correlator does, so {@code kubectl describe}
 * shows "(x4 over 40s)".
 */
public final class PodEvents implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PodEvents.class);

    private final KubernetesClient client;
    private final String node;
    private final String component;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "pod-events");
        thread.setDaemon(true);
        return thread;
    });
    private final EventRepeats repeats = new EventRepeats();

    PodEvents(KubernetesClient client, String node) {
        this(client, "kubelet", node);
    }

    /** Events from {@code component} (e.g. {@code qube.io/local-path_node-1}) on the node {@code node}. */
    public PodEvents(KubernetesClient client, String component, String node) {
        this.client = client;
        this.component = component;
        this.node = node;
    }

    /** An event about any namespaced or cluster-wide object (the latter's go to "default", as Kubernetes'). */
    public void normal(HasMetadata object, String reason, String message) {
        record(object, null, "Normal", reason, message);
    }

    /** A warning about any object, as {@link #normal(HasMetadata, String, String)}. */
    public void warning(HasMetadata object, String reason, String message) {
        record(object, null, "Warning", reason, message);
    }

    void normal(Pod pod, String fieldPath, String reason, String message) {
        record(pod, fieldPath, "Normal", reason, message);
    }

    void warning(Pod pod, String fieldPath, String reason, String message) {
        record(pod, fieldPath, "Warning", reason, message);
    }

    private void record(HasMetadata object, String fieldPath, String type, String reason, String message) {
        ObjectReference involved = new ObjectReferenceBuilder().withApiVersion(object.getApiVersion())
                .withKind(object.getKind()).withNamespace(object.getMetadata().getNamespace())
                .withName(object.getMetadata().getName()).withUid(object.getMetadata().getUid())
                .withFieldPath(fieldPath).build();
        writer.execute(() -> write(involved, type, reason, message));
    }

    private void write(ObjectReference involved, String type, String reason, String message) {
        String namespace = involved.getNamespace() == null ? "default" : involved.getNamespace();
        String name = involved.getName();
        String uid = involved.getUid();
        String fieldPath = involved.getFieldPath();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String identity = EventRepeats.identity(uid, fieldPath, type, reason, message);
        try {
            Optional<EventRepeats.Written> repeat = repeats.repeat(identity, now);
            if (repeat.isPresent()) {
                client.v1().events().inNamespace(namespace).withName(repeat.get().name())
                        .patch(PatchContext.of(PatchType.JSON_MERGE),
                                "{\"count\":" + repeat.get().count() + ",\"lastTimestamp\":\"" + now + "\"}");
                repeats.wrote(identity, repeat.get());
                return;
            }
            Event event = new EventBuilder().withNewMetadata()
                    .withName(name + "." + Long.toHexString(System.nanoTime() ^ System.currentTimeMillis() << 20))
                    .withNamespace(namespace).endMetadata()
                    .withInvolvedObject(involved)
                    .withType(type).withReason(reason).withMessage(message).withCount(1)
                    .withFirstTimestamp(now.toString()).withLastTimestamp(now.toString())
                    .withNewSource().withComponent(component).withHost(node).endSource()
                    .withReportingComponent(component).withReportingInstance(node).build();
            Event created = client.v1().events().inNamespace(namespace).resource(event).create();
            repeats.wrote(identity, new EventRepeats.Written(created.getMetadata().getName(), 1, now));
        } catch (KubernetesClientException e) {
            // Events are best effort, as in the kubelet: a lost one must not stop a pod. A failed count (the event
            // expired meanwhile) makes the next occurrence a new event.
            repeats.forget(identity);
            LOG.debugf("event %s for %s %s/%s: %s", reason, involved.getKind(), namespace, name, e.getMessage());
        }
    }

    @Override
    public void close() {
        writer.shutdownNow();
    }
}
