package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Records events about pods as the kubelet does (source {@code kubelet}, the node as host, the container as the
 * field path), off the workers' threads. An event repeated within ten minutes counts up on the first one instead
 * of making another, as client-go's correlator does, so {@code kubectl describe} shows "(x4 over 40s)".
 */
final class PodEvents implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PodEvents.class);
    private static final Duration AGGREGATION_WINDOW = Duration.ofMinutes(10);
    private static final int REMEMBERED = 4096;

    private final KubernetesClient client;
    private final String node;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "pod-events");
        thread.setDaemon(true);
        return thread;
    });
    /** The last event written per (object, field, reason, message), to count repeats on. */
    private final Map<String, Event> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Event> eldest) {
            return size() > REMEMBERED;
        }
    };

    PodEvents(KubernetesClient client, String node) {
        this.client = client;
        this.node = node;
    }

    void normal(Pod pod, String fieldPath, String reason, String message) {
        record(pod, fieldPath, "Normal", reason, message);
    }

    void warning(Pod pod, String fieldPath, String reason, String message) {
        record(pod, fieldPath, "Warning", reason, message);
    }

    private void record(Pod pod, String fieldPath, String type, String reason, String message) {
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        String uid = pod.getMetadata().getUid();
        writer.execute(() -> write(namespace, name, uid, fieldPath, type, reason, message));
    }

    private void write(String namespace, String pod, String uid, String fieldPath, String type, String reason,
                       String message) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String key = uid + "\0" + fieldPath + "\0" + reason + "\0" + message;
        Event last = recent.get(key);
        try {
            if (last != null && Instant.parse(last.getLastTimestamp()).plus(AGGREGATION_WINDOW).isAfter(now)) {
                Event counted = new EventBuilder(last).withCount(last.getCount() + 1).withLastTimestamp(now.toString())
                        .build();
                client.v1().events().inNamespace(namespace).withName(last.getMetadata().getName())
                        .patch(PatchContext.of(PatchType.JSON_MERGE),
                                "{\"count\":" + counted.getCount() + ",\"lastTimestamp\":\"" + now + "\"}");
                recent.put(key, counted);
                return;
            }
            Event event = new EventBuilder().withNewMetadata()
                    .withName(pod + "." + Long.toHexString(System.nanoTime() ^ System.currentTimeMillis() << 20))
                    .withNamespace(namespace).endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion("v1").withKind("Pod")
                            .withNamespace(namespace).withName(pod).withUid(uid).withFieldPath(fieldPath).build())
                    .withType(type).withReason(reason).withMessage(message).withCount(1)
                    .withFirstTimestamp(now.toString()).withLastTimestamp(now.toString())
                    .withNewSource().withComponent("kubelet").withHost(node).endSource()
                    .withReportingComponent("kubelet").withReportingInstance(node).build();
            recent.put(key, client.v1().events().inNamespace(namespace).resource(event).create());
        } catch (KubernetesClientException | IllegalArgumentException e) {
            // Events are best effort, as in the kubelet: a lost one must not stop a pod.
            recent.remove(key);
            LOG.debugf("event %s for pod %s/%s: %s", reason, namespace, pod, e.getMessage());
        }
    }

    @Override
    public void close() {
        writer.shutdownNow();
    }
}
