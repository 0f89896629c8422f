package io.qube.apiserver.table;

import io.qube.apiserver.ApiException;

/**
 * What each Table row carries besides its cells, from the {@code includeObject} query parameter. kubectl asks for
 * nothing, which means {@link #METADATA}: the object's metadata is what {@code -A} (NAMESPACE) and
 * {@code --show-labels} read.
 */
public enum IncludeObject {
    /** No object in the rows. */
    NONE("None"),
    /** A PartialObjectMetadata with the object's full metadata. */
    METADATA("Metadata"),
    /** The whole object. */
    OBJECT("Object");

    private final String queryValue;

    IncludeObject(String queryValue) {
        this.queryValue = queryValue;
    }

    /**
     * Parses the query parameter; absent or empty means {@link #METADATA}. Any other value is refused with 400,
     * as Kubernetes refuses it, rather than silently changing what the client gets.
     */
    public static IncludeObject fromQuery(String value) {
        if (value == null || value.isEmpty()) {
            return METADATA;
        }
        for (IncludeObject include : values()) {
            if (include.queryValue.equals(value)) {
                return include;
            }
        }
        throw ApiException.badRequest("Unable to convert to Table as requested: includeObject: Unsupported value: \""
                + value + "\": supported values: \"Metadata\", \"None\", \"Object\"");
    }
}
