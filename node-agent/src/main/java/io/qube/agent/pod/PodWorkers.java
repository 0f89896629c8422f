package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.Pod;
import io.qube.agent.runtime.SandboxStatus;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet's pod workers: one {@link PodWorker} per pod, whose syncs run one at a time on a thread of a pool that
 * grows with the pods syncing at once (as the kubelet's goroutine per pod), since a sync may wait out a grace period
 * and must hold up no other pod; a change that arrives during a sync runs one more sync after it. Every pod is synced again each second (the
 * kubelet's PLEG relist), which is how exits, back-off ends and late volume sources are noticed.
 */
public final class PodWorkers implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PodWorkers.class);
    private static final long RELIST_MILLIS = 1000;

    private final NodeServices node;
    private final Map<String, PodWorker> workers = new ConcurrentHashMap<>();
    /** Pods whose sync runs now (true: another was asked for meanwhile). */
    private final Map<String, Boolean> busy = new ConcurrentHashMap<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "pod-worker");
        thread.setDaemon(true);
        return thread;
    });
    private final ScheduledExecutorService relist = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "pod-relist");
        thread.setDaemon(true);
        return thread;
    });

    PodWorkers(NodeServices node) {
        this.node = node;
    }

    /**
     * Takes over the sandboxes a previous agent left, before the first pod event: their pods are admitted already,
     * and a sandbox whose pod the API no longer has is removed at the first relist.
     */
    void adopt() throws IOException {
        for (SandboxStatus sandbox : node.runtime().sandboxes()) {
            worker(sandbox.sandbox().podUid()).adopted();
        }
    }

    /** Starts the relist; only once the pod source has listed every pod, or an adopted pod would look deleted. */
    void startRelist() {
        relist.scheduleWithFixedDelay(() -> {
            try {
                workers.keySet().forEach(this::schedule);
            } catch (RuntimeException e) {
                // A failed tick must not end the relist: the executor would cancel it silently for good.
                LOG.warnf(e, "relist failed; trying again in %d ms", RELIST_MILLIS);
            }
        }, RELIST_MILLIS, RELIST_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The pod as the API has it now. */
    void update(Pod pod) {
        worker(pod.getMetadata().getUid()).update(pod);
        schedule(pod.getMetadata().getUid());
    }

    /** The pod is gone from the API. */
    void removed(String uid) {
        PodWorker worker = workers.get(uid);
        if (worker != null) {
            worker.update(null);
            schedule(uid);
        }
    }

    /** The pod by namespace and name as the API last had it, or null when none such is bound here. */
    Pod pod(String namespace, String name) {
        return workers.values().stream().map(PodWorker::pod).filter(pod -> pod != null
                && pod.getMetadata().getNamespace().equals(namespace) && pod.getMetadata().getName().equals(name))
                .findFirst().orElse(null);
    }

    private PodWorker worker(String uid) {
        return workers.computeIfAbsent(uid, key -> new PodWorker(key, node, () -> schedule(key)));
    }

    void schedule(String uid) {
        while (true) {
            Boolean running = busy.putIfAbsent(uid, false);
            if (running == null) {
                pool.execute(() -> run(uid));
                return;
            }
            // Running: ask it for one more sync. If it ended between the two looks, the request is not lost:
            // the replace fails and the next turn starts a new run.
            if (running || busy.replace(uid, false, true)) {
                return;
            }
        }
    }

    private void run(String uid) {
        while (true) {
            PodWorker worker = workers.get(uid);
            if (worker != null) {
                String type = worker.syncType();
                long start = System.nanoTime();
                try {
                    if (worker.sync(admittedBesides(uid))) {
                        workers.remove(uid);
                    }
                    node.metrics().podWorker(type, java.time.Duration.ofNanos(System.nanoTime() - start));
                } catch (IOException | RuntimeException e) {
                    // A bad spec or a failing host tool must never stop the agent: the next relist tries again.
                    // A sync cut short by the agent's stop is no failure worth a trace.
                    if (pool.isShutdown()) {
                        LOG.debugf("sync of pod %s ended by the agent's stop: %s", uid, e.getMessage());
                    } else {
                        LOG.warnf(e, "sync of pod %s failed", uid);
                    }
                }
            }
            if (busy.replace(uid, true, false)) {
                continue;
            }
            if (busy.remove(uid, false)) {
                return;
            }
        }
    }

    /** The admitted pods that have not ended and are not being evicted: what eviction chooses from. */
    List<Pod> active() {
        return workers.values().stream().filter(w -> w.admitted() && w.pod() != null && !w.evicting())
                .map(PodWorker::pod).filter(pod -> pod.getStatus() == null
                        || !List.of("Succeeded", "Failed").contains(pod.getStatus().getPhase()))
                .toList();
    }

    /** Asks the pod's worker to stop the pod at once and fail it with the eviction's message. */
    void evict(String uid, String message) {
        PodWorker worker = workers.get(uid);
        if (worker != null) {
            worker.evict(message);
            schedule(uid);
        }
    }

    private List<Pod> admittedBesides(String uid) {
        return workers.values().stream().filter(w -> !w.uid().equals(uid) && w.admitted() && w.pod() != null)
                .map(PodWorker::pod)
                .filter(pod -> pod.getStatus() == null || !List.of("Succeeded", "Failed").contains(
                        pod.getStatus().getPhase()))
                .toList();
    }

    @Override
    public void close() {
        relist.shutdownNow();
        pool.shutdownNow();
    }
}
