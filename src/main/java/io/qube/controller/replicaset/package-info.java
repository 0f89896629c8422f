/** The ReplicaSet controller: keeps each ReplicaSet's number of pods at its replicas, and its status current. */
package io.qube.controller.replicaset;
