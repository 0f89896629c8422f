package io.qube.apiserver;

/**
 * A delete's options: Kubernetes' DeleteOptions body merged with the query parameters.
 *
 * @param gracePeriodSeconds null for the kind's default
 * @param propagationPolicy  Background, Foreground or Orphan (null: Background)
 */
public record DeleteOptions(String preconditionUid, String preconditionResourceVersion, Long gracePeriodSeconds,
                            String propagationPolicy, boolean dryRun) {
}
