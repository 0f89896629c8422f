/** Kubernetes' disruption controller: the status of PodDisruptionBudgets, which the pods/eviction subresource reads. */
package io.qube.controller.disruption;
