package io.qube.scheduler;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.client.ApiRequests;
import io.qube.client.EventRecorder;
import io.qube.scheduler.cache.SchedulerCache;
import io.qube.scheduler.framework.Framework;
import io.qube.scheduler.framework.Handle;
import io.qube.scheduler.framework.Nominator;
import io.qube.scheduler.framework.PodActions;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Snapshot;
import io.qube.scheduler.framework.StorageLister;
import io.qube.scheduler.framework.VolumeActions;
import io.qube.scheduler.plugins.PluginRegistry;
import io.qube.scheduler.queue.Nominations;
import io.qube.scheduler.queue.QueuedPodInfo;
import io.qube.scheduler.queue.SchedulingQueue;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running scheduler: its informers feed the cache and the queue ({@link ClusterEvents}); one thread takes pods
 * from the queue and runs {@link ScheduleOne} for each; a timer flushes the backoff queue every second. Started
 * when this process becomes the leader, closed when it stops being one.
 */
final class Scheduler implements Handle, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Scheduler.class);

    private final KubernetesClient client;
    private final PluginRegistry.Profile profile;
    private final SchedulerCache cache = new SchedulerCache();
    private final Nominations nominations = new Nominations();
    private final Snapshot snapshot = new Snapshot();
    private final Framework framework;
    private final SchedulingQueue queue;
    private final PodWrites writes;
    private final VolumeWrites volumeWrites;
    private final StorageInformers storage = new StorageInformers();
    private final ScheduleOne scheduleOne;
    private final SchedulerMetrics metrics;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "scheduler-queue-flush"));
    /** Binding cycles, one thread each while it runs: VolumeBinding's PreBind may wait minutes for a provisioner. */
    private final ExecutorService binding = Executors.newCachedThreadPool(new ThreadFactory() {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            return daemon(r, "scheduler-binding-" + count.incrementAndGet());
        }
    });
    private SharedIndexInformer<Namespace> namespaces;
    private SharedIndexInformer<Service> services;
    private SharedIndexInformer<ReplicaSet> replicaSets;
    private SharedIndexInformer<ReplicationController> replicationControllers;
    private SharedIndexInformer<Pod> pods;
    private Thread loop;

    Scheduler(KubernetesClient client, PluginRegistry.Profile profile, int percentageOfNodesToScore,
              SchedulerMetrics metrics, String identity) {
        this.client = client;
        this.profile = profile;
        this.metrics = metrics;
        ApiRequests api = new ApiRequests(client);
        EventRecorder events = new EventRecorder(api, profile.schedulerName(), identity);
        this.writes = new PodWrites(api, events, profile.schedulerName());
        this.volumeWrites = new VolumeWrites(api);
        this.framework = PluginRegistry.framework(profile, this);
        framework.setHandle(this);
        this.queue = new SchedulingQueue(Clock.systemUTC(), framework);
        this.scheduleOne = new ScheduleOne(framework, cache, queue, snapshot, nominations, writes, events, metrics,
                percentageOfNodesToScore, binding);
    }

    /**
     * Starts the informers and waits for their first lists; pending pods queue up meanwhile. A standby does this
     * before it leads, as kube-scheduler syncs its informers before running for the lease, so that a new leader
     * schedules at once instead of first listing the cluster.
     */
    void startInformers() {
        ClusterEvents handlers = new ClusterEvents(profile.schedulerName(), cache, queue, nominations);
        namespaces = client.namespaces().inform(handlers.namespaces(), 0);
        services = client.services().inAnyNamespace().inform();
        replicaSets = client.apps().replicaSets().inAnyNamespace().inform();
        replicationControllers = client.replicationControllers().inAnyNamespace().inform();
        informers.addAll(List.of(namespaces, services, replicaSets, replicationControllers));
        informers.addAll(storage.start(client, handlers));
        informers.add(client.nodes().inform(handlers.nodes(), 0));
        pods = client.pods().inAnyNamespace().inform(handlers.pods(), 0);
        informers.add(pods);
    }

    /** Schedules from the synced informers: only the leader does. */
    void startScheduling() {
        metrics.watch(queue);
        timer.scheduleWithFixedDelay(queue::flush, 1, 1, TimeUnit.SECONDS);
        loop = new Thread(this::scheduleLoop, "scheduler");
        loop.setDaemon(true);
        loop.start();
        LOG.infof("scheduler %s started", profile.schedulerName());
    }

    private void scheduleLoop() {
        while (!Thread.currentThread().isInterrupted()) {
            QueuedPodInfo next;
            try {
                next = queue.pop();
            } catch (InterruptedException e) {
                return;
            }
            if (next == null) {
                return;
            }
            try {
                scheduleOne.run(next);
            } catch (RuntimeException e) {
                // A bug in one cycle must not stop scheduling for everyone.
                LOG.errorf(e, "scheduling cycle for %s failed", next.pod().key());
            }
        }
    }

    @Override
    public Snapshot snapshot() {
        return snapshot;
    }

    @Override
    public Map<String, String> namespaceLabels(String namespace) {
        Namespace found = namespaces == null ? null : namespaces.getIndexer().getByKey(namespace);
        return found == null || found.getMetadata().getLabels() == null ? Map.of() : found.getMetadata().getLabels();
    }

    @Override
    public Nominator nominator() {
        return nominations;
    }

    @Override
    public Framework framework() {
        return framework;
    }

    @Override
    public PodActions actions() {
        return writes;
    }

    @Override
    public boolean podExists(PodInfo pod) {
        Pod current = pods == null ? null : pods.getIndexer().getByKey(pod.key());
        return current != null && pod.uid().equals(current.getMetadata().getUid());
    }

    @Override
    public StorageLister storage() {
        return storage;
    }

    @Override
    public VolumeActions volumeActions() {
        return volumeWrites;
    }

    @Override
    public void recordPreemption(int victims) {
        metrics.preemptionVictims(victims);
    }

    @Override
    public LabelSelector defaultSpreadSelector(PodInfo pod) {
        return DefaultSpreadSelector.of(pod, services.getIndexer().byIndex(Cache.NAMESPACE_INDEX, pod.namespace()),
                replicationControllers.getIndexer().byIndex(Cache.NAMESPACE_INDEX, pod.namespace()),
                replicaSets.getIndexer().byIndex(Cache.NAMESPACE_INDEX, pod.namespace()));
    }

    @Override
    public void close() {
        queue.close();
        timer.shutdownNow();
        // Interrupts binding cycles waiting for volumes; their pods are the next leader's to schedule.
        binding.shutdownNow();
        if (loop != null) {
            loop.interrupt();
        }
        informers.forEach(SharedIndexInformer::close);
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}
