package io.qube.controller.job;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.qube.client.ApiRequests;
import io.qube.client.EventRecorder;
import io.qube.controller.Expectations;
import io.qube.controller.OwnedPods;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
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
    private final ControllerQueue queue;
    private final Expectations expectations = new Expectations(Clock.systemUTC());
    private SharedIndexInformer<Job> jobs;

    public JobController(KubernetesClient client, int workers) {
        this.client = client;
        this.queue = new ControllerQueue(COMPONENT, workers);
    }

    @Override
    public void start(Informers informers) {
        jobs = informers.of(Job.class);
        jobs.addEventHandler(new EnqueueHandler<>(job -> {
            String key = Cache.metaNamespaceKeyFunc(job);
            if (jobs.getIndexer().getByKey(key) == null) {
                expectations.forget(key); // deleted
            }
            queue.add(key);
        }));
        SharedIndexInformer<Pod> pods = informers.of(Pod.class);
        pods.addEventHandler(new OwnedPods<>("batch/v1", "Job", jobs, job -> job.getSpec().getSelector(), expectations,
                queue::addKeyOf));
        informers.awaitSynced();
        JobSync sync = new JobSync(client, jobs, pods, expectations,
                new EventRecorder(new ApiRequests(client), COMPONENT, COMPONENT), Clock.systemUTC());
        queue.start(sync::sync);
        queue.addAll(jobs);
    }

    @Override
    public void close() {
        queue.close();
    }
}
