package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.qube.apiserver.registry.FieldErrors;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Kubernetes' validation of a pod's containers and init containers. */
final class ContainerValidation {

    static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");
    private static final List<String> PULL_POLICIES = List.of("Always", "IfNotPresent", "Never");
    private static final List<String> MOUNT_PROPAGATIONS = List.of("Bidirectional", "HostToContainer", "None");
    private static final List<String> TERMINATION_MESSAGE_POLICIES = List.of("File", "FallbackToLogsOnError");

    private ContainerValidation() {
    }

    /**
     * @param volumes     the names of the pod's valid volumes, which volume mounts must name
     * @param gracePeriod the pod's terminationGracePeriodSeconds, which bounds sleep hooks
     */
    static void containers(List<Container> containers, Set<String> volumes, Long gracePeriod, String path,
                           FieldErrors errors) {
        if (containers.isEmpty()) {
            errors.required(path, "");
            return;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < containers.size(); i++) {
            Container container = containers.get(i);
            String at = path + "[" + i + "]";
            common(container, volumes, at, errors);
            if (!names.add(NullSafe.string(container.getName()))) {
                errors.duplicate(at + ".name", container.getName());
            }
            if (container.getLifecycle() != null) {
                ProbeValidation.lifecycle(container.getLifecycle(), gracePeriod, at + ".lifecycle", errors);
            }
            ProbeValidation.liveness(container.getLivenessProbe(), at + ".livenessProbe", errors);
            ProbeValidation.readiness(container.getReadinessProbe(), at + ".readinessProbe", errors);
            ProbeValidation.startup(container.getStartupProbe(), at + ".startupProbe", errors);
            if (container.getRestartPolicy() != null) {
                errors.forbidden(at + ".restartPolicy", "may not be set for non-init containers");
            }
        }
        hostPortConflicts(containers, path, errors);
    }

    /**
     * Init containers run one by one before the others, so they may not probe or hook unless they are sidecars
     * (restartPolicy Always); their names share one space with the regular containers'.
     */
    static void initContainers(List<Container> initContainers, List<Container> containers, Set<String> volumes,
                               Long gracePeriod, String path, FieldErrors errors) {
        Set<String> names = new HashSet<>();
        containers.forEach(container -> names.add(NullSafe.string(container.getName())));
        for (int i = 0; i < initContainers.size(); i++) {
            Container container = initContainers.get(i);
            String at = path + "[" + i + "]";
            common(container, volumes, at, errors);
            boolean sidecar = false;
            if (container.getRestartPolicy() != null) {
                sidecar = container.getRestartPolicy().equals("Always");
                if (!sidecar) {
                    errors.notSupported(at + ".restartPolicy", container.getRestartPolicy(), List.of("Always"));
                }
            }
            if (names.contains(NullSafe.string(container.getName()))) {
                errors.duplicate(at + ".name", container.getName());
            } else if (!NullSafe.isEmpty(container.getName())) {
                names.add(container.getName());
            }
            hostPortConflicts(List.of(container), path, errors);
            if (sidecar) {
                if (container.getLifecycle() != null) {
                    ProbeValidation.lifecycle(container.getLifecycle(), gracePeriod, at + ".lifecycle", errors);
                }
                ProbeValidation.liveness(container.getLivenessProbe(), at + ".livenessProbe", errors);
                ProbeValidation.readiness(container.getReadinessProbe(), at + ".readinessProbe", errors);
                ProbeValidation.startup(container.getStartupProbe(), at + ".startupProbe", errors);
            } else {
                String why = "may not be set for init containers without restartPolicy=Always";
                if (container.getLifecycle() != null) {
                    errors.forbidden(at + ".lifecycle", why);
                }
                if (container.getLivenessProbe() != null) {
                    errors.forbidden(at + ".livenessProbe", why);
                }
                if (container.getReadinessProbe() != null) {
                    errors.forbidden(at + ".readinessProbe", why);
                }
                if (container.getStartupProbe() != null) {
                    errors.forbidden(at + ".startupProbe", why);
                }
            }
        }
    }

    static void common(Container container, Set<String> volumes, String path, FieldErrors errors) {
        if (NullSafe.isEmpty(container.getName())) {
            errors.required(path + ".name", "");
        } else {
            NameSyntax.dns1123Label(container.getName()).forEach(problem ->
                    errors.invalid(path + ".name", container.getName(), problem));
        }
        if (NullSafe.isEmpty(container.getImage())) {
            errors.required(path + ".image", "");
        }
        oneOf(container.getTerminationMessagePolicy(), TERMINATION_MESSAGE_POLICIES, path + ".terminationMessagePolicy", errors);
        ports(NullSafe.list(container.getPorts()), path + ".ports", errors);
        env(NullSafe.list(container.getEnv()), path + ".env", errors);
        volumeMounts(container, volumes, path + ".volumeMounts", errors);
        oneOf(container.getImagePullPolicy(), PULL_POLICIES, path + ".imagePullPolicy", errors);
        if (container.getResources() != null) {
            resources(container.getResources(), path + ".resources", errors);
        }
    }

    /** A required field with a fixed set of values: Required when empty, NotSupported when unknown. */
    static void oneOf(String value, List<String> allowed, String path, FieldErrors errors) {
        if (NullSafe.isEmpty(value)) {
            errors.required(path, "");
        } else if (!allowed.contains(value)) {
            errors.notSupported(path, value, allowed);
        }
    }

    private static void ports(List<ContainerPort> ports, String path, FieldErrors errors) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            ContainerPort port = ports.get(i);
            String at = path + "[" + i + "]";
            if (!NullSafe.isEmpty(port.getName())) {
                List<String> problems = NameSyntax.portName(port.getName());
                problems.forEach(problem -> errors.invalid(at + ".name", port.getName(), problem));
                if (problems.isEmpty() && !names.add(port.getName())) {
                    errors.duplicate(at + ".name", port.getName());
                }
            }
            if (port.getContainerPort() == null || port.getContainerPort() == 0) {
                errors.required(at + ".containerPort", "");
            } else {
                NameSyntax.portNumber(port.getContainerPort()).forEach(problem ->
                        errors.invalid(at + ".containerPort", port.getContainerPort(), problem));
            }
            if (port.getHostPort() != null && port.getHostPort() != 0) {
                NameSyntax.portNumber(port.getHostPort()).forEach(problem ->
                        errors.invalid(at + ".hostPort", port.getHostPort(), problem));
            }
            oneOf(port.getProtocol(), PROTOCOLS, at + ".protocol", errors);
        }
    }

    /** Two containers cannot bind the same host port (per protocol and host IP). */
    private static void hostPortConflicts(List<Container> containers, String path, FieldErrors errors) {
        Set<String> taken = new HashSet<>();
        for (int i = 0; i < containers.size(); i++) {
            List<ContainerPort> ports = NullSafe.list(containers.get(i).getPorts());
            for (int j = 0; j < ports.size(); j++) {
                ContainerPort port = ports.get(j);
                if (port.getHostPort() == null || port.getHostPort() == 0) {
                    continue;
                }
                String key = port.getProtocol() + "/" + NullSafe.string(port.getHostIP()) + "/" + port.getHostPort();
                if (!taken.add(key)) {
                    errors.duplicate(path + "[" + i + "].ports[" + j + "].hostPort", key);
                }
            }
        }
    }

    private static void env(List<EnvVar> variables, String path, FieldErrors errors) {
        for (int i = 0; i < variables.size(); i++) {
            EnvVar variable = variables.get(i);
            String at = path + "[" + i + "]";
            if (NullSafe.isEmpty(variable.getName())) {
                errors.required(at + ".name", "");
            } else {
                NameSyntax.envVarName(variable.getName()).forEach(problem ->
                        errors.invalid(at + ".name", variable.getName(), problem));
            }
            if (variable.getValueFrom() != null) {
                valueFrom(variable.getValueFrom(), !NullSafe.isEmpty(variable.getValue()), at + ".valueFrom", errors);
            }
        }
    }

    private static void valueFrom(EnvVarSource source, boolean hasValue, String path, FieldErrors errors) {
        int sources = 0;
        if (source.getFieldRef() != null) {
            sources++;
            if (NullSafe.isEmpty(source.getFieldRef().getFieldPath())) {
                errors.required(path + ".fieldRef.fieldPath", "");
            }
        }
        if (source.getResourceFieldRef() != null) {
            sources++;
            if (NullSafe.isEmpty(source.getResourceFieldRef().getResource())) {
                errors.required(path + ".resourceFieldRef.resource", "");
            }
        }
        if (source.getConfigMapKeyRef() != null) {
            sources++;
            ConfigMapKeySelector selector = source.getConfigMapKeyRef();
            keySelector(selector.getName(), selector.getKey(), path + ".configMapKeyRef", errors);
        }
        if (source.getSecretKeyRef() != null) {
            sources++;
            SecretKeySelector selector = source.getSecretKeyRef();
            keySelector(selector.getName(), selector.getKey(), path + ".secretKeyRef", errors);
        }
        if (sources == 0) {
            errors.invalid(path, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`");
        } else if (hasValue) {
            errors.invalid(path, "", "may not be specified when `value` is not empty");
        } else if (sources > 1) {
            errors.invalid(path, "", "may not have more than one field specified at a time");
        }
    }

    private static void keySelector(String name, String key, String path, FieldErrors errors) {
        if (NullSafe.isEmpty(name)) {
            errors.required(path + ".name", "");
        }
        if (NullSafe.isEmpty(key)) {
            errors.required(path + ".key", "");
        } else {
            NameSyntax.configMapKey(key).forEach(problem -> errors.invalid(path + ".key", key, problem));
        }
    }

    private static void volumeMounts(Container container, Set<String> volumes, String path, FieldErrors errors) {
        List<VolumeMount> mounts = NullSafe.list(container.getVolumeMounts());
        Set<String> mountPaths = new HashSet<>();
        for (int i = 0; i < mounts.size(); i++) {
            VolumeMount mount = mounts.get(i);
            String at = path + "[" + i + "]";
            if (NullSafe.isEmpty(mount.getName())) {
                errors.required(at + ".name", "");
            }
            if (!volumes.contains(NullSafe.string(mount.getName()))) {
                errors.notFound(at + ".name", NullSafe.string(mount.getName()));
            }
            if (NullSafe.isEmpty(mount.getMountPath())) {
                errors.required(at + ".mountPath", "");
            }
            if (!mountPaths.add(NullSafe.string(mount.getMountPath()))) {
                errors.invalid(at + ".mountPath", mount.getMountPath(), "must be unique");
            }
            mountPropagation(mount.getMountPropagation(), container, at + ".mountPropagation", errors);
        }
    }

    /** Kubernetes' three modes; Bidirectional, which lets the container's mounts out, only when privileged. */
    private static void mountPropagation(String mode, Container container, String path, FieldErrors errors) {
        if (mode == null) {
            return;
        }
        if (!MOUNT_PROPAGATIONS.contains(mode)) {
            errors.notSupported(path, mode, MOUNT_PROPAGATIONS);
        } else if (mode.equals("Bidirectional") && (container.getSecurityContext() == null
                || !Boolean.TRUE.equals(container.getSecurityContext().getPrivileged()))) {
            errors.forbidden(path, "Bidirectional mount propagation is available only to privileged containers");
        }
    }

    /**
     * Quantities must parse and not be negative; a request may not exceed its limit; and resources the node cannot
     * overcommit (extended resources such as GPUs, huge pages) must request exactly their limit.
     */
    private static void resources(ResourceRequirements resources, String path, FieldErrors errors) {
        Map<String, Quantity> limits = NullSafe.map(resources.getLimits());
        Map<String, Quantity> requests = NullSafe.map(resources.getRequests());
        limits.forEach((name, quantity) -> quantity(quantity, path + ".limits[" + name + "]", errors));
        requests.forEach((name, quantity) -> {
            Optional<BigDecimal> request = quantity(quantity, path + ".requests[" + name + "]", errors);
            Optional<BigDecimal> limit = Quantities.value(limits.get(name));
            String shown = quantity == null ? "" : quantity.toString();
            if (request.isPresent() && limit.isPresent()) {
                int comparison = request.get().compareTo(limit.get());
                if (!overcommittable(name) && comparison != 0) {
                    errors.invalid(path + ".requests", shown,
                            "must be equal to " + name + " limit of " + limits.get(name));
                } else if (comparison > 0) {
                    errors.invalid(path + ".requests", shown,
                            "must be less than or equal to " + name + " limit of " + limits.get(name));
                }
            } else if (!limits.containsKey(name) && !overcommittable(name)) {
                errors.required(path + ".limits", "Limit must be set for non overcommitable resources");
            }
        });
    }

    /** A quantity that must parse and not be negative; its value, if it parses. */
    static Optional<BigDecimal> quantity(Quantity quantity, String path, FieldErrors errors) {
        Optional<BigDecimal> value = Quantities.value(quantity);
        String shown = quantity == null ? "" : quantity.toString();
        if (value.isEmpty()) {
            errors.invalid(path, shown, Quantities.MALFORMED);
        } else if (value.get().signum() < 0) {
            errors.invalid(path, shown, "must be greater than or equal to 0");
        }
        return value;
    }

    /** Kubernetes' own resources (no domain, or a kubernetes.io one) may be overcommitted, except huge pages. */
    static boolean overcommittable(String resource) {
        boolean kubernetesOwn = !resource.contains("/") || resource.contains("kubernetes.io/");
        return kubernetesOwn && !resource.startsWith("hugepages-");
    }
}
