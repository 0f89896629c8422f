package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EphemeralContainer;

/**
 * An ephemeral container as the worker starts it: a container with only the fields Kubernetes lets ephemeral
 * containers have effect (no ports, probes, lifecycle hooks or resources: it runs within the pod's), started once
 * and never restarted.
 */
final class EphemeralContainers {

    private EphemeralContainers() {
    }

    static Container asContainer(EphemeralContainer ephemeral) {
        return new ContainerBuilder().withName(ephemeral.getName()).withImage(ephemeral.getImage())
                .withImagePullPolicy(ephemeral.getImagePullPolicy()).withCommand(ephemeral.getCommand())
                .withArgs(ephemeral.getArgs()).withWorkingDir(ephemeral.getWorkingDir()).withEnv(ephemeral.getEnv())
                .withEnvFrom(ephemeral.getEnvFrom()).withVolumeMounts(ephemeral.getVolumeMounts())
                .withVolumeDevices(ephemeral.getVolumeDevices()).withSecurityContext(ephemeral.getSecurityContext())
                .withStdin(ephemeral.getStdin()).withStdinOnce(ephemeral.getStdinOnce()).withTty(ephemeral.getTty())
                .withTerminationMessagePath(ephemeral.getTerminationMessagePath())
                .withTerminationMessagePolicy(ephemeral.getTerminationMessagePolicy()).build();
    }
}
