/**
 * How much of each ResourceQuota resource one object uses, as Kubernetes' quota evaluators count it: shared by the
 * apiserver's quota admission, which charges a new object to its namespace's quotas, and the quota controller,
 * which recounts them from the objects.
 */
package io.qube.quota;
