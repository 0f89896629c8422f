package io.qube.controller;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** Failed API requests as controllers report them in events. */
public final class ApiErrors {

    private ApiErrors() {
    }

    /** The API's own words (its Status message), as Kubernetes' events quote them. */
    public static String message(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : e.getMessage();
    }
}
