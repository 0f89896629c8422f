package io.qube.apiserver;

/** Which part of an object an update may change, by the endpoint it came through. */
enum WriteTarget {
    /** The object itself: everything but status (for kinds with a status subresource). */
    OBJECT,
    /** The status subresource: only status. */
    STATUS,
    /** A namespace's finalize subresource: only spec.finalizers. */
    FINALIZERS,
    /** A pod's ephemeralcontainers subresource: only spec.ephemeralContainers, validated as that update. */
    EPHEMERAL_CONTAINERS,
    /** A change the server makes on a client's behalf (a pod's binding): validated as a whole, not as an update. */
    SERVER
}
