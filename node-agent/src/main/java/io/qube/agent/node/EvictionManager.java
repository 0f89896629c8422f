package io.qube.agent.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.qube.agent.pod.PodManager;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet's eviction manager for hard thresholds: every interval the node's signals (memory.available,
 * nodefs.available) are compared with the thresholds; a signal below its threshold sets the node's pressure
 * condition (MemoryPressure, DiskPressure) and one pod is evicted per interval until it recovers: BestEffort
 * pods first, then Burstable, then Guaranteed, lower priority first within a class, as the kubelet's ranking
 * orders pods that exceed their requests before those that do not. Under disk pressure the node's unused images go
 * first (the kubelet's reclaim of node-level resources): a pod is evicted only if that did not free enough.
 */
public final class EvictionManager implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EvictionManager.class);

    /** What the node has and has left, in bytes. */
    public interface Signals {
        /** [capacity, available] of memory. */
        long[] memory() throws IOException;

        /** [capacity, available] of the file system the node's pods write to. */
        long[] nodefs() throws IOException;

        /** The machine's own: /proc/meminfo's MemTotal and MemAvailable, the state directory's file system. */
        static Signals of(Path stateDir) {
            return new Signals() {
                @Override
                public long[] memory() throws IOException {
                    long total = 0;
                    long available = 0;
                    for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                        String[] fields = line.split("\\s+");
                        if (fields[0].equals("MemTotal:")) {
                            total = Long.parseLong(fields[1]) * 1024;
                        } else if (fields[0].equals("MemAvailable:")) {
                            available = Long.parseLong(fields[1]) * 1024;
                        }
                    }
                    return new long[] {total, available};
                }

                @Override
                public long[] nodefs() throws IOException {
                    FileStore store = Files.getFileStore(stateDir);
                    return new long[] {store.getTotalSpace(), store.getUsableSpace()};
                }
            };
        }
    }

    private final EvictionThresholds thresholds;
    private final Signals signals;
    private final NodePressure pressure;
    private final Pods pods;
    private final DiskReclaim reclaim;
    private final Runnable pressureChanged;
    /** Told each eviction's signal (the node's kubelet_evictions). */
    private volatile java.util.function.Consumer<String> evicted = signal -> { };
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "eviction");
        thread.setDaemon(true);
        return thread;
    });

    /** The node's pods as eviction sees them. */
    public interface Pods {
        /** The pods running here that have not ended. */
        List<Pod> active();

        void evict(String podUid, String message);

        static Pods of(PodManager manager) {
            return new Pods() {
                @Override
                public List<Pod> active() {
                    return manager.active();
                }

                @Override
                public void evict(String podUid, String message) {
                    manager.evict(podUid, message);
                }
            };
        }
    }

    /** What the node frees of its own before evicting pods for disk: its unused images. */
    @FunctionalInterface
    public interface DiskReclaim {
        DiskReclaim NONE = () -> { };

        void reclaim() throws IOException;
    }

    public EvictionManager(EvictionThresholds thresholds, Signals signals, NodePressure pressure, Pods pods,
                           DiskReclaim reclaim, Runnable pressureChanged) {
        this.thresholds = thresholds;
        this.signals = signals;
        this.pressure = pressure;
        this.pods = pods;
        this.reclaim = reclaim;
        this.pressureChanged = pressureChanged;
    }

    /** @param listener told the signal (memory.available, nodefs.available) of each eviction */
    public void onEviction(java.util.function.Consumer<String> listener) {
        evicted = listener;
    }

    public void start(Duration interval) {
        ticks.scheduleWithFixedDelay(() -> {
            try {
                check();
            } catch (IOException | RuntimeException e) {
                LOG.warnf("eviction check failed: %s", e.getMessage());
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One look at the signals; evicts at most one pod. */
    void check() throws IOException {
        Optional<String> memory = low(EvictionThresholds.MEMORY, signals.memory(), "memory");
        Optional<String> disk = low(EvictionThresholds.NODEFS, signals.nodefs(), "ephemeral-storage");
        boolean changed = pressure.set(NodePressure.MEMORY, memory.isPresent());
        changed |= pressure.set(NodePressure.DISK, disk.isPresent());
        if (changed) {
            pressureChanged.run();
        }
        Optional<String> why = memory.or(() -> disk);
        if (why.isEmpty()) {
            return;
        }
        if (memory.isEmpty() && reclaimedEnough()) {
            return;
        }
        Optional<Pod> victim = pods.active().stream().min(RANKING);
        victim.ifPresent(pod -> {
            LOG.infof("evicting pod %s/%s: %s", pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                    why.get());
            pods.evict(pod.getMetadata().getUid(), why.get());
            evicted.accept(memory.isPresent() ? EvictionThresholds.MEMORY : EvictionThresholds.NODEFS);
        });
    }

    /**
     * Frees the node's own disk, then looks again: true if the disk signal is no longer below its threshold. A
     * reclaim that fails frees nothing: pods are evicted as without it, as the kubelet goes on to.
     */
    private boolean reclaimedEnough() throws IOException {
        try {
            reclaim.reclaim();
        } catch (IOException | RuntimeException e) {
            LOG.warnf("removing unused images under disk pressure failed: %s", e.getMessage());
            return false;
        }
        boolean enough = low(EvictionThresholds.NODEFS, signals.nodefs(), "ephemeral-storage").isEmpty();
        if (enough) {
            LOG.info("disk pressure relieved by removing unused images: no pod evicted");
        }
        return enough;
    }

    /** The kubelet's eviction message when the signal is below its threshold. */
    private Optional<String> low(String signal, long[] capacityAndAvailable, String resource) {
        EvictionThresholds.Threshold threshold = thresholds.thresholds().get(signal);
        if (threshold == null || capacityAndAvailable[1] >= threshold.bytes(capacityAndAvailable[0])) {
            return Optional.empty();
        }
        return Optional.of("The node was low on resource: " + resource + ". Threshold quantity: "
                + threshold.text() + ", available: " + capacityAndAvailable[1] / 1024 + "Ki. ");
    }

    /** Eviction order: QoS class (BestEffort first), then priority (lowest first), then the newest first. */
    static final Comparator<Pod> RANKING = Comparator.<Pod>comparingInt(EvictionManager::qosRank)
            .thenComparingInt(pod -> pod.getSpec().getPriority() == null ? 0 : pod.getSpec().getPriority())
            .thenComparing(pod -> pod.getMetadata().getCreationTimestamp() == null ? ""
                    : pod.getMetadata().getCreationTimestamp(), Comparator.reverseOrder());

    private static int qosRank(Pod pod) {
        String qos = pod.getStatus() == null ? null : pod.getStatus().getQosClass();
        return qos == null ? 1 : List.of("BestEffort", "Burstable", "Guaranteed").indexOf(qos);
    }

    @Override
    public void close() {
        ticks.shutdownNow();
    }
}
