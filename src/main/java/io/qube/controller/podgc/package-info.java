/** Kubernetes' pod garbage collector: terminated pods beyond a threshold, pods of nodes that are gone and unscheduled pods being deleted are removed. */
package io.qube.controller.podgc;
