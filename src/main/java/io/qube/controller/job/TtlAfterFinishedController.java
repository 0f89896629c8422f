package io.qube.controller.job;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.client.WorkQueue;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.EnqueueHandler;
import io.qube.controller.api.Informers;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Kubernetes' TTL-after-finished controller: a finished Job with {@code spec.ttlSecondsAfterFinished} is deleted
 * (its pods with it, in the background) that many seconds after it finished; until then its key waits in the queue.
 */
public final class TtlAfterFinishedController implements Controller {

    static final String COMPONENT = "ttl-after-finished-controller";

    private final KubernetesClient client;
    private final ControllerQueue queue;
    private final Clock clock;
    private SharedIndexInformer<Job> jobs;

    public TtlAfterFinishedController(KubernetesClient client, int workers, Clock clock) {
        this.client = client;
        this.queue = new ControllerQueue(COMPONENT, workers);
        this.clock = clock;
    }

    @Override
    public void start(Informers informers) {
        jobs = informers.of(Job.class);
        jobs.addEventHandler(new EnqueueHandler<>(job -> {
            if (job.getSpec() != null && job.getSpec().getTtlSecondsAfterFinished() != null) {
                queue.addKeyOf(job);
            }
        }));
        informers.awaitSynced();
        queue.start(this::sync);
        queue.addAll(jobs);
    }

    WorkQueue.Outcome sync(String key) {
        Job job = jobs.getIndexer().getByKey(key);
        if (job == null || job.getMetadata().getDeletionTimestamp() != null || job.getSpec() == null
                || job.getSpec().getTtlSecondsAfterFinished() == null) {
            return WorkQueue.Outcome.DONE;
        }
        JobCondition finished = JobConditions.finishedCondition(job);
        if (finished == null) {
            return WorkQueue.Outcome.DONE;
        }
        // Complete jobs have a completionTime; Failed ones only their condition's time.
        String at = "Complete".equals(finished.getType()) && job.getStatus().getCompletionTime() != null
                ? job.getStatus().getCompletionTime() : finished.getLastTransitionTime();
        if (at == null) {
            return WorkQueue.Outcome.DONE;
        }
        Instant expires = Instant.parse(at).plusSeconds(job.getSpec().getTtlSecondsAfterFinished());
        Instant now = clock.instant();
        if (now.isBefore(expires)) {
            return WorkQueue.Outcome.after(Duration.between(now, expires).plusMillis(100));
        }
        try {
            client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace())
                    .withName(job.getMetadata().getName()).withPropagationPolicy(DeletionPropagation.BACKGROUND)
                    .delete();
        } catch (KubernetesClientException e) {
            return e.getCode() == 404 || e.getCode() == 409 ? WorkQueue.Outcome.DONE : WorkQueue.Outcome.FAILED;
        }
        return WorkQueue.Outcome.DONE;
    }

    @Override
    public void close() {
        queue.close();
    }
}
