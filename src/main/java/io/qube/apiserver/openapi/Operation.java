package io.qube.apiserver.openapi;

import io.qube.apiserver.discovery.GroupVersionKind;

import java.util.List;

/**
 * One HTTP operation on a resource path, described once and then written in either OpenAPI dialect.
 *
 * @param method       the lower-case HTTP method, as OpenAPI keys operations
 * @param action       Kubernetes' x-kubernetes-action: get, list, post, put, patch, delete or deletecollection
 * @param gvk          the kind the operation serves; clients find a kind's operations by it
 * @param body         what the request carries
 * @param bodyType     the model class of an {@link Body#OBJECT} or {@link Body#DELETE_OPTIONS} body, else null
 * @param responseType the model class of a successful response
 */
record Operation(String method, String action, String operationId, GroupVersionKind gvk,
                 List<QueryParameter> parameters, Body body, Class<?> bodyType, Class<?> responseType) {

    enum Body {
        NONE,
        /** An object of {@code bodyType}. */
        OBJECT,
        /** A patch in one of the four patch formats. */
        PATCH,
        /** Optional DeleteOptions. */
        DELETE_OPTIONS
    }

    /** The Content-Types a PATCH accepts; kubectl apply computes a strategic merge patch only if it is listed. */
    static final List<String> PATCH_TYPES = List.of("application/apply-patch+yaml", "application/json-patch+json",
            "application/merge-patch+json", "application/strategic-merge-patch+json");

    /** The success codes Kubernetes documents: writes may also create (201) or finish later (202). */
    List<String> successCodes() {
        return switch (method) {
            case "post" -> List.of("200", "201", "202");
            case "put", "patch" -> List.of("200", "201");
            case "delete" -> List.of("200", "202");
            default -> List.of("200");
        };
    }
}
