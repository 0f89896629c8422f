package io.qube.controller.job;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.client.ApiRequests;
import io.qube.client.EventRecorder;
import io.qube.client.Selectors;
import io.qube.client.WorkQueue;
import io.qube.controller.ControllerRefs;
import io.qube.controller.Expectations;
import io.qube.controller.api.Controller;
import io.qube.controller.api.EnqueueHandler;
import io.qube.controller.api.Informers;

import java.time.Clock;

/**
 * Kubernetes' Job controller. Handlers only enqueue the key of the Job an event concerns (a pod's controller, or
 * for an orphan every Job selecting it); {@link JobSync#sync} does the rest, idempotently, from the caches.
 */
public final class JobController implements Controller {

    static final String COMPONENT = "job-controller";

    private final KubernetesClient client;
    private final int workers;
    private volatile WorkQueue<String> queue;
    private final Expectations expectations = new Expectations(Clock.systemUTC());
    private SharedIndexInformer<Job> jobs;

    public JobController(KubernetesClient client, int workers) {
        this.client = client;
        this.workers = workers;
    }

    @Override
    public void start(Informers informers) {
        jobs = informers.of(Job.class);
        jobs.addEventHandler(new EnqueueHandler<>(job -> {
            String key = Cache.metaNamespaceKeyFunc(job);
            if (jobs.getIndexer().getByKey(key) == null) {
                expectations.forget(key); // deleted
            }
            enqueue(key);
        }));
        SharedIndexInformer<Pod> pods = informers.of(Pod.class);
        pods.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                String owner = ownerKey(pod);
                if (owner != null) {
                    expectations.creationObserved(owner);
                }
                enqueueFor(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                String owner = ownerKey(pod);
                if (owner != null && pod.getMetadata().getDeletionTimestamp() != null) {
                    expectations.deletionObserved(owner, Cache.metaNamespaceKeyFunc(pod));
                }
                String oldOwner = ownerKey(old);
                if (oldOwner != null && !oldOwner.equals(owner)) {
                    enqueue(oldOwner);
                }
                enqueueFor(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                String owner = ownerKey(pod);
                if (owner != null) {
                    expectations.deletionObserved(owner, Cache.metaNamespaceKeyFunc(pod));
                }
                enqueueFor(pod);
            }
        });
        informers.awaitSynced();
        JobSync sync = new JobSync(client, jobs, pods, expectations,
                new EventRecorder(new ApiRequests(client), COMPONENT, COMPONENT), Clock.systemUTC());
        queue = new WorkQueue<>(COMPONENT, workers, sync::sync);
        jobs.getIndexer().list().forEach(job -> enqueue(Cache.metaNamespaceKeyFunc(job)));
    }

    private void enqueue(String key) {
        WorkQueue<String> ready = queue;
        if (ready != null) {
            ready.add(key);
        }
    }

    /** The pod's controller if it is a Job, else every Job that could adopt it. */
    private void enqueueFor(Pod pod) {
        String owner = ownerKey(pod);
        if (owner != null) {
            enqueue(owner);
            return;
        }
        if (ControllerRefs.controllerOf(pod) != null) {
            return;
        }
        for (Job job : jobs.getIndexer().byIndex(Cache.NAMESPACE_INDEX, pod.getMetadata().getNamespace())) {
            if (job.getSpec().getSelector() != null
                    && Selectors.matches(job.getSpec().getSelector(), pod.getMetadata().getLabels())) {
                enqueue(Cache.metaNamespaceKeyFunc(job));
            }
        }
    }

    private static String ownerKey(Pod pod) {
        String name = ControllerRefs.controllerName(pod, "batch/v1", "Job");
        return name == null ? null : pod.getMetadata().getNamespace() + "/" + name;
    }

    @Override
    public void close() {
        if (queue != null) {
            queue.close();
        }
    }
}
