/** The scheduler: assigns pending pods to nodes through the API, Kubernetes' scheduler framework in Java. */
package io.qube.scheduler;
