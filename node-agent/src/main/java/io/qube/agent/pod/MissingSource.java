package io.qube.agent.pod;

/** A ConfigMap, Secret or key a pod refers to is not there (yet): the pod waits and retries, it does not fail. */
final class MissingSource extends Exception {

    MissingSource(String message) {
        super(message);
    }
}
