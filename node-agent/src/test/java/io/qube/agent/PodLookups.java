package io.qube.agent;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.List;
import java.util.stream.Stream;

/** What end-to-end tests read of a namespace's pods through the API: conditions, phase, container states, events. */
record PodLookups(KubernetesClient client, String namespace) {

    Pod pod(String name) {
        return client.pods().inNamespace(namespace).withName(name).get();
    }

    String condition(String pod, String type) {
        Pod current = pod(pod);
        if (current == null || current.getStatus() == null || current.getStatus().getConditions() == null) {
            return null;
        }
        return current.getStatus().getConditions().stream().filter(c -> c.getType().equals(type))
                .map(PodCondition::getStatus).findFirst().orElse(null);
    }

    String phase(String pod) {
        Pod current = pod(pod);
        return current == null || current.getStatus() == null ? null : current.getStatus().getPhase();
    }

    ContainerStatus status(String pod, String container) {
        Pod current = pod(pod);
        if (current == null || current.getStatus() == null) {
            return null;
        }
        return Stream.concat(current.getStatus().getContainerStatuses().stream(),
                        current.getStatus().getInitContainerStatuses().stream())
                .filter(s -> s.getName().equals(container)).findFirst().orElse(null);
    }

    /** An ephemeral container's status, or null while the pod reports none for it. */
    ContainerStatus ephemeral(String pod, String container) {
        Pod current = pod(pod);
        return current == null || current.getStatus() == null ? null : current.getStatus()
                .getEphemeralContainerStatuses().stream().filter(s -> s.getName().equals(container)).findFirst()
                .orElse(null);
    }

    String waitingReason(String pod, String container) {
        ContainerStatus status = status(pod, container);
        return status == null || status.getState() == null || status.getState().getWaiting() == null ? null
                : status.getState().getWaiting().getReason();
    }

    List<Event> events(String pod) {
        return client.v1().events().inNamespace(namespace).withField("involvedObject.name", pod).list().getItems();
    }

    static boolean ready(Node node) {
        return node != null && node.getStatus() != null && node.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }
}
