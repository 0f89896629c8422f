package io.qube.agent.endpoint;

/** Finds the run of a container that {@code kubectl logs} (or exec) means, as the kubelet does from the pod's status. */
public interface ContainerLocator {

    /**
     * @param previous the run before the current one ({@code --previous})
     * @return the runtime's container id
     * @throws NotFound with the kubelet's message when there is no such pod, container or run
     */
    String containerId(String namespace, String pod, String container, boolean previous) throws NotFound;

    /** The address the pod's ports listen on (its IP, the node's for a pod in the node's network). */
    String podIp(String namespace, String pod) throws NotFound;

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
