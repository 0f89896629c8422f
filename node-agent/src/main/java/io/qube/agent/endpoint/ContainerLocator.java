package io.qube.agent.endpoint;

/** Finds the run of a container that {@code kubectl logs} (or exec) means, as the kubelet does from the pod's status. */
public interface ContainerLocator {

    /**
     * @param previous the run before the current one ({@code --previous})
     * @return the runtime's container id
     * @throws NotFound with the kubelet's message when there is no such pod, container or run
     */
    String containerId(String namespace, String pod, String container, boolean previous) throws NotFound;

    /** Where port-forward finds the pod's ports. */
    PodAddress podAddress(String namespace, String pod) throws NotFound;

    /**
     * @param ip          the pod's IP (the node's for a pod in the node's network)
     * @param hostNetwork whether the pod is in the node's network (it has no namespace of its own)
     */
    record PodAddress(String uid, String ip, boolean hostNetwork) {
    }

    /** No such pod, container or run; {@code status} is the HTTP status the kubelet answers with. */
    final class NotFound extends Exception {
        private final int status;

        public NotFound(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
