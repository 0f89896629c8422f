package io.qube.apiserver;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * A delete's options: Kubernetes' DeleteOptions body merged with the query parameters.
 *
 * @param gracePeriodSeconds null for the kind's default
 * @param propagationPolicy  Background, Foreground or Orphan (null: Background)
 */
public record DeleteOptions(String preconditionUid, String preconditionResourceVersion, Long gracePeriodSeconds,
                            String propagationPolicy, boolean dryRun) {

    /**
     * The options of a DeleteOptions body (a delete's, or an Eviction's deleteOptions), where the query's
     * parameters win.
     *
     * @throws ApiException 400 for an unknown propagation policy
     */
    static DeleteOptions of(JsonNode body, Query query) {
        JsonNode preconditions = body.path("preconditions");
        String propagation = query.text("propagationPolicy");
        if (propagation == null) {
            propagation = body.path("propagationPolicy").asText(null);
        }
        if (propagation == null) {
            // The deprecated orphanDependents, which a policy overrides.
            String orphan = query.text("orphanDependents");
            if (orphan == null && body.hasNonNull("orphanDependents")) {
                orphan = body.get("orphanDependents").asText();
            }
            if (orphan != null) {
                propagation = Boolean.parseBoolean(orphan) ? "Orphan" : "Background";
            }
        }
        if (propagation != null && !List.of("Background", "Foreground", "Orphan").contains(propagation)) {
            throw ApiException.badRequest("propagationPolicy must be Background, Foreground or Orphan, not \""
                    + propagation + "\"");
        }
        Long grace = query.optionalNumber("gracePeriodSeconds");
        if (grace == null && body.hasNonNull("gracePeriodSeconds")) {
            grace = body.get("gracePeriodSeconds").asLong();
        }
        boolean dryRun = query.writeOptions().dryRun() || body.path("dryRun").toString().contains("All");
        return new DeleteOptions(preconditions.path("uid").asText(null),
                preconditions.path("resourceVersion").asText(null), grace, propagation, dryRun);
    }

    /** The same options, on condition that the object is still at that resourceVersion (unless one was given). */
    DeleteOptions atVersion(String resourceVersion) {
        return preconditionResourceVersion != null ? this : withVersion(resourceVersion);
    }

    /** The same options, on condition that the object is at that resourceVersion. */
    DeleteOptions withVersion(String resourceVersion) {
        return new DeleteOptions(preconditionUid, resourceVersion, gracePeriodSeconds, propagationPolicy, dryRun);
    }
}
