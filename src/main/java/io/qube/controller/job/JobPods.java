package io.qube.controller.job;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.qube.controller.ControllerRefs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** A Job's pods: how they are made from its template, and what the controller reads from them. */
final class JobPods {

    static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
    static final String COMPLETION_INDEX_ENV = "JOB_COMPLETION_INDEX";

    private JobPods() {
    }

    /**
     * A new pod from the template, owned by the job. An Indexed job's pod carries its index as annotation and
     * label, in {@code JOB_COMPLETION_INDEX} (read from the annotation, as Kubernetes injects it) and in its
     * hostname {@code <job>-<index>}.
     *
     * @param index the completion index, or null for a NonIndexed job
     * @param extraAnnotations what the controller adds to the template's annotations (failure counts per index)
     */
    static Pod newPod(Job job, Integer index, Map<String, String> extraAnnotations) {
        ObjectMeta template = job.getSpec().getTemplate().getMetadata() == null ? new ObjectMeta()
                : job.getSpec().getTemplate().getMetadata();
        Map<String, String> labels = new LinkedHashMap<>(template.getLabels() == null ? Map.of() : template.getLabels());
        Map<String, String> annotations = new LinkedHashMap<>(template.getAnnotations() == null ? Map.of()
                : template.getAnnotations());
        annotations.putAll(extraAnnotations);
        PodSpec spec = new PodSpecBuilder(job.getSpec().getTemplate().getSpec()).build();
        String name = job.getMetadata().getName();
        if (index != null) {
            annotations.put(COMPLETION_INDEX, index.toString());
            labels.put(COMPLETION_INDEX, index.toString());
            if (spec.getHostname() == null || spec.getHostname().isEmpty()) {
                spec.setHostname(name + "-" + index);
            }
            Stream.concat(list(spec.getInitContainers()).stream(), list(spec.getContainers()).stream())
                    .forEach(JobPods::addIndexEnv);
        }
        return new PodBuilder()
                .withNewMetadata()
                .withGenerateName(index == null ? name + "-" : name + "-" + index + "-")
                .withNamespace(job.getMetadata().getNamespace())
                .withLabels(labels.isEmpty() ? null : labels)
                .withAnnotations(annotations.isEmpty() ? null : annotations)
                .withFinalizers(template.getFinalizers())
                .withOwnerReferences(ControllerRefs.controllerRef(job))
                .endMetadata()
                .withSpec(spec)
                .build();
    }

    private static void addIndexEnv(Container container) {
        List<EnvVar> env = new ArrayList<>(list(container.getEnv()));
        if (env.stream().noneMatch(var -> COMPLETION_INDEX_ENV.equals(var.getName()))) {
            env.add(new EnvVarBuilder().withName(COMPLETION_INDEX_ENV).withNewValueFrom().withNewFieldRef()
                    .withApiVersion("v1").withFieldPath("metadata.annotations['" + COMPLETION_INDEX + "']")
                    .endFieldRef().endValueFrom().build());
            container.setEnv(env);
        }
    }

    /** The pod's completion index, or -1 when it has none or one outside [0, completions). */
    static int index(Pod pod, int completions) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(COMPLETION_INDEX);
        if (value == null || !value.matches("[0-9]{1,9}")) {
            return -1;
        }
        int index = Integer.parseInt(value);
        return index < completions ? index : -1;
    }

    static String phase(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getPhase() == null ? "" : pod.getStatus().getPhase();
    }

    static boolean succeeded(Pod pod) {
        return phase(pod).equals("Succeeded");
    }

    static boolean failed(Pod pod) {
        return phase(pod).equals("Failed");
    }

    /** Being deleted but not yet finished: its containers may still run. */
    static boolean terminating(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() != null && !succeeded(pod) && !failed(pod);
    }

    /** When a finished pod finished: its last container's end, else its Ready condition's last change. */
    static Instant finishedAt(Pod pod) {
        Instant latest = null;
        for (ContainerStatus status : containerStatuses(pod)) {
            if (status.getState() != null && status.getState().getTerminated() != null
                    && status.getState().getTerminated().getFinishedAt() != null) {
                Instant at = Instant.parse(status.getState().getTerminated().getFinishedAt());
                latest = latest == null || at.isAfter(latest) ? at : latest;
            }
        }
        if (latest == null && pod.getStatus() != null && pod.getStatus().getConditions() != null) {
            for (PodCondition condition : pod.getStatus().getConditions()) {
                if ("Ready".equals(condition.getType()) && condition.getLastTransitionTime() != null) {
                    latest = Instant.parse(condition.getLastTransitionTime());
                }
            }
        }
        return latest;
    }

    /** Restarts of every container, which count as failures for restartPolicy OnFailure. */
    static int restarts(Pod pod) {
        return containerStatuses(pod).stream().mapToInt(s -> s.getRestartCount() == null ? 0 : s.getRestartCount())
                .sum();
    }

    private static List<ContainerStatus> containerStatuses(Pod pod) {
        if (pod.getStatus() == null) {
            return List.of();
        }
        List<ContainerStatus> all = new ArrayList<>(list(pod.getStatus().getInitContainerStatuses()));
        all.addAll(list(pod.getStatus().getContainerStatuses()));
        return all;
    }

    private static <T> List<T> list(List<T> items) {
        return items == null ? List.of() : items;
    }
}
