package io.qube.apiserver.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.FieldErrors;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Kubernetes' validation of an update through {@code pods/ephemeralcontainers}
 * (ValidatePodEphemeralContainersUpdate): existing ephemeral containers stay as they are, new ones are valid
 * containers without the fields that would make a pod rely on them (ports, probes, lifecycle, resources), named
 * uniquely among all the pod's containers and targeting one of its other containers.
 */
final class EphemeralContainers {

    private static final String NOT_FOR_EPHEMERAL = "cannot be set for an Ephemeral Container";

    private EphemeralContainers() {
    }

    static Container asContainer(EphemeralContainer ephemeral) {
        ObjectNode tree = Json.MAPPER.valueToTree(ephemeral);
        tree.remove("targetContainerName");
        return Json.MAPPER.convertValue(tree, Container.class);
    }

    static EphemeralContainer fromContainer(Container container, String targetContainerName) {
        ObjectNode tree = Json.MAPPER.valueToTree(container);
        if (targetContainerName != null) {
            tree.put("targetContainerName", targetContainerName);
        }
        return Json.MAPPER.convertValue(tree, EphemeralContainer.class);
    }

    /** The update of a pod's ephemeral containers (the rest of the pod is the stored one, unchanged). */
    static void validateUpdate(Pod pod, Pod old, FieldErrors errors) {
        PodSpec spec = pod.getSpec() == null ? new PodSpec() : pod.getSpec();
        PodSpec oldSpec = old.getSpec() == null ? new PodSpec() : old.getSpec();
        Set<String> volumes = NullSafe.list(spec.getVolumes()).stream().map(Volume::getName)
                .collect(Collectors.toSet());
        Set<String> others = new HashSet<>();
        NullSafe.list(spec.getContainers()).forEach(c -> others.add(c.getName()));
        NullSafe.list(spec.getInitContainers()).forEach(c -> others.add(c.getName()));
        Set<String> names = new HashSet<>(others);
        List<EphemeralContainer> ephemeral = NullSafe.list(spec.getEphemeralContainers());
        for (int i = 0; i < ephemeral.size(); i++) {
            EphemeralContainer container = ephemeral.get(i);
            String path = "spec.ephemeralContainers[" + i + "]";
            Container common = asContainer(container);
            ContainerValidation.common(common, volumes, path, errors);
            if (!names.add(NullSafe.string(container.getName()))) {
                errors.duplicate(path + ".name", container.getName());
            }
            String target = container.getTargetContainerName();
            if (!NullSafe.isEmpty(target) && !others.contains(target)) {
                errors.notFound(path + ".targetContainerName", target);
            }
            forbiddenFields(common, path, errors);
        }
        Map<String, EphemeralContainer> byName = new HashMap<>();
        ephemeral.forEach(container -> byName.put(container.getName(), container));
        for (EphemeralContainer existing : NullSafe.list(oldSpec.getEphemeralContainers())) {
            EphemeralContainer now = byName.get(existing.getName());
            if (now == null) {
                errors.forbidden("spec.ephemeralContainers", "existing ephemeral containers \""
                        + existing.getName() + "\" may not be removed\n");
            } else if (!Objects.equals(Json.MAPPER.valueToTree(existing), Json.MAPPER.valueToTree(now))) {
                errors.forbidden("spec.ephemeralContainers", "existing ephemeral containers \""
                        + existing.getName() + "\" may not be changed\n");
            }
        }
    }

    /** Kubernetes' allow list, as the fields outside it that are set. */
    private static void forbiddenFields(Container container, String path, FieldErrors errors) {
        Map<String, Boolean> set = new LinkedHashMap<>();
        set.put("ports", !NullSafe.list(container.getPorts()).isEmpty());
        set.put("resources", container.getResources() != null && (!NullSafe.map(container.getResources()
                .getLimits()).isEmpty() || !NullSafe.map(container.getResources().getRequests()).isEmpty()));
        set.put("resizePolicy", !NullSafe.list(container.getResizePolicy()).isEmpty());
        set.put("lifecycle", container.getLifecycle() != null);
        set.put("livenessProbe", container.getLivenessProbe() != null);
        set.put("readinessProbe", container.getReadinessProbe() != null);
        set.put("startupProbe", container.getStartupProbe() != null);
        set.put("restartPolicy", container.getRestartPolicy() != null);
        set.forEach((field, present) -> {
            if (present) {
                errors.forbidden(path + "." + field, NOT_FOR_EPHEMERAL);
            }
        });
        List<VolumeMount> mounts = NullSafe.list(container.getVolumeMounts());
        for (int i = 0; i < mounts.size(); i++) {
            if (!NullSafe.isEmpty(mounts.get(i).getSubPath())) {
                errors.forbidden(path + ".volumeMounts[" + i + "].subPath", NOT_FOR_EPHEMERAL);
            }
            if (!NullSafe.isEmpty(mounts.get(i).getSubPathExpr())) {
                errors.forbidden(path + ".volumeMounts[" + i + "].subPathExpr", NOT_FOR_EPHEMERAL);
            }
        }
    }
}
