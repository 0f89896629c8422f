/** Kubernetes' horizontal pod autoscaler: scales workloads through their scale subresource on pods' cpu and memory. */
package io.qube.controller.podautoscaler;
