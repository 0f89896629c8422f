/**
 * How much of each ResourceQuota resource one object uses and which objects a scoped quota selects, as Kubernetes'
 * quota evaluators count them: shared by the apiserver's quota admission, which charges a new object to its
 * namespace's quotas, and the quota controller, which recounts them from the objects.
 */
package io.qube.quota;
