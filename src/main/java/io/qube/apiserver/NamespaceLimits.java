package io.qube.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.admission.LimitRanger;
import io.qube.store.ListRequest;
import io.qube.store.ResourceType;
import io.qube.store.StoredObject;

import java.util.Collection;
import java.util.List;

/**
 * Kubernetes' LimitRanger admission for new pods and for claims, over the LimitRanges of their namespace as the
 * watch cache holds them: a namespace without any costs one cached list read.
 */
final class NamespaceLimits {

    private static final ResourceType LIMIT_RANGES = new ResourceType("", "limitranges");

    private NamespaceLimits() {
    }

    static ListRequest limitRangesOf(String namespace) {
        return new ListRequest(LIMIT_RANGES, namespace, null, null, 0, null);
    }

    /** @throws ApiException 403 with Kubernetes' messages when the pod or claim breaks a limit */
    static void admit(ObjectNode object, String plural, Collection<StoredObject> limitRanges) {
        if (limitRanges.isEmpty()) {
            return;
        }
        List<JsonNode> ranges = limitRanges.stream().map(StoredTrees::parse).toList();
        List<String> violations = plural.equals("pods") ? LimitRanger.admitPod(object, ranges)
                : LimitRanger.admitClaim(object, ranges);
        if (!violations.isEmpty()) {
            throw ApiException.forbidden("", plural, object.path("metadata").path("name").asText(""),
                    LimitRanger.message(violations));
        }
    }
}
