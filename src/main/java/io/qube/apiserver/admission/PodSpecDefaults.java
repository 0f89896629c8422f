package io.qube.apiserver.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.qube.apiserver.codec.Json;

import java.util.List;

/**
 * Kubernetes' defaults for a pod spec, wherever it appears: in a Pod and in every workload's pod template
 * (SetDefaults_PodSpec, _Container, _Probe, _Volume and friends). Defaults only a Pod gets are in {@link PodDefaults}.
 */
final class PodSpecDefaults {

    /** File mode 0644, Kubernetes' default for files projected from secrets, config maps and the downward API. */
    private static final int DEFAULT_FILE_MODE = 0644;

    private PodSpecDefaults() {
    }

    static void apply(PodSpec spec) {
        if (NullSafe.isEmpty(spec.getDnsPolicy())) {
            spec.setDnsPolicy("ClusterFirst");
        }
        if (NullSafe.isEmpty(spec.getRestartPolicy())) {
            spec.setRestartPolicy("Always");
        }
        if (spec.getSecurityContext() == null) {
            spec.setSecurityContext(new PodSecurityContext());
        }
        if (spec.getTerminationGracePeriodSeconds() == null) {
            spec.setTerminationGracePeriodSeconds(30L);
        }
        if (NullSafe.isEmpty(spec.getSchedulerName())) {
            spec.setSchedulerName("default-scheduler");
        }
        // v1 still carries the deprecated serviceAccount field: it is read when serviceAccountName is absent and
        // always written back as a copy of serviceAccountName.
        if (NullSafe.isEmpty(spec.getServiceAccountName()) && !NullSafe.isEmpty(spec.getServiceAccount())) {
            spec.setServiceAccountName(spec.getServiceAccount());
        }
        spec.setServiceAccount(NullSafe.isEmpty(spec.getServiceAccountName()) ? null : spec.getServiceAccountName());
        NullSafe.list(spec.getVolumes()).forEach(PodSpecDefaults::volume);
        NullSafe.list(spec.getInitContainers()).forEach(PodSpecDefaults::container);
        NullSafe.list(spec.getContainers()).forEach(PodSpecDefaults::container);
        if (spec.getEphemeralContainers() != null) {
            // Kubernetes defaults an ephemeral container's common fields as a container's.
            spec.setEphemeralContainers(spec.getEphemeralContainers().stream().map(ephemeral -> {
                Container container = EphemeralContainers.asContainer(ephemeral);
                container(container);
                return EphemeralContainers.fromContainer(container, ephemeral.getTargetContainerName());
            }).toList());
        }
    }

    private static void container(Container container) {
        if (NullSafe.isEmpty(container.getImagePullPolicy())) {
            container.setImagePullPolicy(ImageReference.pullsLatest(container.getImage()) ? "Always" : "IfNotPresent");
        }
        if (NullSafe.isEmpty(container.getTerminationMessagePath())) {
            container.setTerminationMessagePath("/dev/termination-log");
        }
        if (NullSafe.isEmpty(container.getTerminationMessagePolicy())) {
            container.setTerminationMessagePolicy("File");
        }
        if (container.getResources() == null) {
            // Go's non-pointer struct: a real cluster always shows "resources: {}".
            container.setResources(new ResourceRequirements());
        }
        Quantities.canonicalize(container.getResources().getLimits());
        Quantities.canonicalize(container.getResources().getRequests());
        for (ContainerPort port : NullSafe.list(container.getPorts())) {
            if (NullSafe.isEmpty(port.getProtocol())) {
                port.setProtocol("TCP");
            }
        }
        for (EnvVar env : NullSafe.list(container.getEnv())) {
            if (env.getValueFrom() != null) {
                fieldSelector(env.getValueFrom().getFieldRef());
            }
        }
        probe(container.getLivenessProbe());
        probe(container.getReadinessProbe());
        probe(container.getStartupProbe());
        Lifecycle lifecycle = container.getLifecycle();
        if (lifecycle != null) {
            lifecycleHandler(lifecycle.getPostStart());
            lifecycleHandler(lifecycle.getPreStop());
        }
    }

    private static void probe(Probe probe) {
        if (probe == null) {
            return;
        }
        if (probe.getTimeoutSeconds() == null || probe.getTimeoutSeconds() == 0) {
            probe.setTimeoutSeconds(1);
        }
        if (probe.getPeriodSeconds() == null || probe.getPeriodSeconds() == 0) {
            probe.setPeriodSeconds(10);
        }
        if (probe.getSuccessThreshold() == null || probe.getSuccessThreshold() == 0) {
            probe.setSuccessThreshold(1);
        }
        if (probe.getFailureThreshold() == null || probe.getFailureThreshold() == 0) {
            probe.setFailureThreshold(3);
        }
        httpGet(probe.getHttpGet());
    }

    private static void lifecycleHandler(LifecycleHandler handler) {
        if (handler != null) {
            httpGet(handler.getHttpGet());
        }
    }

    private static void httpGet(HTTPGetAction action) {
        if (action == null) {
            return;
        }
        if (NullSafe.isEmpty(action.getPath())) {
            action.setPath("/");
        }
        if (NullSafe.isEmpty(action.getScheme())) {
            action.setScheme("HTTP");
        }
    }

    private static void volume(Volume volume) {
        if (hasNoSource(volume)) {
            volume.setEmptyDir(new EmptyDirVolumeSource());
        }
        if (volume.getSecret() != null && volume.getSecret().getDefaultMode() == null) {
            volume.getSecret().setDefaultMode(DEFAULT_FILE_MODE);
        }
        if (volume.getConfigMap() != null && volume.getConfigMap().getDefaultMode() == null) {
            volume.getConfigMap().setDefaultMode(DEFAULT_FILE_MODE);
        }
        if (volume.getDownwardAPI() != null) {
            if (volume.getDownwardAPI().getDefaultMode() == null) {
                volume.getDownwardAPI().setDefaultMode(DEFAULT_FILE_MODE);
            }
            downwardApiFiles(volume.getDownwardAPI().getItems());
        }
        if (volume.getProjected() != null) {
            if (volume.getProjected().getDefaultMode() == null) {
                volume.getProjected().setDefaultMode(DEFAULT_FILE_MODE);
            }
            NullSafe.list(volume.getProjected().getSources()).forEach(PodSpecDefaults::projection);
        }
        if (volume.getHostPath() != null && volume.getHostPath().getType() == null) {
            // "" is Kubernetes' HostPathUnset: no check of what is at the path.
            volume.getHostPath().setType("");
        }
        if (volume.getEphemeral() != null && volume.getEphemeral().getVolumeClaimTemplate() != null
                && volume.getEphemeral().getVolumeClaimTemplate().getSpec() != null
                && volume.getEphemeral().getVolumeClaimTemplate().getSpec().getVolumeMode() == null) {
            volume.getEphemeral().getVolumeClaimTemplate().getSpec().setVolumeMode("Filesystem");
        }
    }

    private static void projection(VolumeProjection projection) {
        if (projection.getDownwardAPI() != null) {
            downwardApiFiles(projection.getDownwardAPI().getItems());
        }
        if (projection.getServiceAccountToken() != null
                && projection.getServiceAccountToken().getExpirationSeconds() == null) {
            projection.getServiceAccountToken().setExpirationSeconds(3600L);
        }
    }

    private static void downwardApiFiles(List<DownwardAPIVolumeFile> files) {
        NullSafe.list(files).forEach(file -> fieldSelector(file.getFieldRef()));
    }

    private static void fieldSelector(ObjectFieldSelector selector) {
        if (selector != null && NullSafe.isEmpty(selector.getApiVersion())) {
            selector.setApiVersion("v1");
        }
    }

    /**
     * A volume that names no source at all: Kubernetes gives it an emptyDir. Asked of the volume's JSON because
     * the model has one field per volume type (about thirty) and new ones keep coming.
     */
    private static boolean hasNoSource(Volume volume) {
        ObjectNode json = Json.MAPPER.valueToTree(volume);
        json.remove("name");
        return json.isEmpty();
    }
}
