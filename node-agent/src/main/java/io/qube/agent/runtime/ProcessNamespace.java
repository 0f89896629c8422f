package io.qube.agent.runtime;

/** Whose process (PID) namespace a pod's containers have, as Kubernetes sets it from the pod's spec. */
public enum ProcessNamespace {
    /** Each container its own, its command PID 1 (the default). */
    CONTAINER,
    /** One for the whole pod ({@code shareProcessNamespace}): containers see each other's processes. */
    POD,
    /** The node's ({@code hostPID}). */
    NODE;

    /** The namespace the pod's spec asks for. */
    public static ProcessNamespace of(io.fabric8.kubernetes.api.model.PodSpec spec) {
        if (Boolean.TRUE.equals(spec.getHostPID())) {
            return NODE;
        }
        return Boolean.TRUE.equals(spec.getShareProcessNamespace()) ? POD : CONTAINER;
    }
}
