package io.qube.apiserver.patch;

import io.qube.apiserver.ApiException;

import java.util.Locale;

/** The patch types Kubernetes accepts, by the request's Content-Type; parameters such as {@code charset} are ignored. */
public enum PatchType {
    JSON_PATCH("application/json-patch+json"),
    MERGE_PATCH("application/merge-patch+json"),
    STRATEGIC_MERGE_PATCH("application/strategic-merge-patch+json"),
    /** Server-side apply: the only type that creates the object when it does not exist. */
    APPLY_PATCH("application/apply-patch+yaml");

    private final String mediaType;

    PatchType(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    /** The patch type of a Content-Type header; 415 UnsupportedMediaType for anything else, a missing header included. */
    public static PatchType of(String contentType) {
        if (contentType != null) {
            String bare = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            for (PatchType type : values()) {
                if (type.mediaType.equals(bare)) {
                    return type;
                }
            }
        }
        throw ApiException.unsupportedMediaType(String.valueOf(contentType));
    }
}
