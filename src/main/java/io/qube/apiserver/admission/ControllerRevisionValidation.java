package io.qube.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.FieldErrors;

/**
 * Kubernetes' validation of a ControllerRevision: it must hold data, a non-negative revision, and its data is a
 * snapshot that never changes (only its revision number, labels and owners may).
 */
final class ControllerRevisionValidation {

    private ControllerRevisionValidation() {
    }

    static void validate(ControllerRevision revision, ControllerRevision old, FieldErrors errors) {
        JsonNode data = Json.MAPPER.valueToTree(revision.getData());
        if (data.isNull() || data.isMissingNode()) {
            errors.required("data", "data is mandatory");
        }
        if (revision.getRevision() != null && revision.getRevision() < 0) {
            errors.invalid("revision", revision.getRevision(), "must be greater than or equal to 0");
        }
        if (old != null && !data.equals(Json.MAPPER.valueToTree(old.getData()))) {
            errors.immutable("data");
        }
    }
}
