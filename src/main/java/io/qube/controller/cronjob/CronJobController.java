package io.qube.controller.cronjob;

import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.client.ApiRequests;
import io.qube.client.EventRecorder;
import io.qube.controller.ControllerRefs;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.EnqueueHandler;
import io.qube.controller.api.Informers;

import java.time.Clock;
import java.time.ZoneId;

/**
 * Kubernetes' CronJob controller. A CronJob's key comes back at its next scheduled time (the sync asks for it);
 * a change to the CronJob or to one of its Jobs enqueues it at once.
 */
public final class CronJobController implements Controller {

    static final String COMPONENT = "cronjob-controller";

    private final KubernetesClient client;
    private final ControllerQueue queue;

    public CronJobController(KubernetesClient client, int workers) {
        this.client = client;
        this.queue = new ControllerQueue(COMPONENT, workers);
    }

    @Override
    public void start(Informers informers) {
        SharedIndexInformer<CronJob> cronJobs = informers.of(CronJob.class);
        cronJobs.addEventHandler(new EnqueueHandler<>(queue::addKeyOf));
        SharedIndexInformer<Job> jobs = informers.of(Job.class);
        jobs.addEventHandler(new EnqueueHandler<>(job -> {
            String owner = ControllerRefs.controllerName(job, "batch/v1", "CronJob");
            if (owner != null) {
                queue.add(job.getMetadata().getNamespace() + "/" + owner);
            }
        }));
        informers.awaitSynced();
        CronJobSync sync = new CronJobSync(client, cronJobs, jobs,
                new EventRecorder(new ApiRequests(client), COMPONENT, COMPONENT), Clock.systemUTC(),
                ZoneId.systemDefault());
        queue.start(sync::sync);
        queue.addAll(cronJobs);
    }

    @Override
    public void close() {
        queue.close();
    }
}
