package io.qube.store;

/**
 * What a list asks for.
 *
 * @param namespace     null for every namespace
 * @param limit         at most this many items per page; 0 for all
 * @param continueToken the token of the previous page, or null for the first
 */
public record ListRequest(ResourceType type, String namespace, LabelSelector labels, FieldSelector fields,
                          int limit, String continueToken) {

    public ListRequest {
        labels = labels == null ? LabelSelector.EVERYTHING : labels;
        fields = fields == null ? FieldSelector.EVERYTHING : fields;
        if (limit < 0) {
            throw new StoreException(StoreException.Reason.BAD_REQUEST, "limit must not be negative");
        }
    }

    public static ListRequest all(ResourceType type) {
        return new ListRequest(type, null, null, null, 0, null);
    }

    public ListRequest withContinue(String token) {
        return new ListRequest(type, namespace, labels, fields, limit, token);
    }

    /** Whether an object of this request's type is selected by its namespace and selectors. */
    public boolean matches(StoredObject object) {
        return (namespace == null || namespace.equals(object.key().namespace()))
                && labels.matches(object.labels()) && fields.matches(object);
    }
}
