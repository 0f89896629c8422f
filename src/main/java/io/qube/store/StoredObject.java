package io.qube.store;

import java.util.Map;

/**
 * One object as the store holds it at one revision. The body is the serialized JSON the caller wrote; the revision
 * is the object's resourceVersion, which the caller puts into the body when it decodes it.
 *
 * @param revision       the revision of the write that produced this state (for a deletion: of the deletion)
 * @param createRevision the revision of the create that started this object's life
 * @param labels         the object's labels, indexed for label selectors
 * @param fields         the values of the resource type's indexed fields (see {@link IndexedFields})
 */
public record StoredObject(ObjectKey key, String uid, long revision, long createRevision,
                           Map<String, String> labels, Map<String, String> fields, String body) {

    public StoredObject withRevision(long newRevision) {
        return new StoredObject(key, uid, newRevision, createRevision, labels, fields, body);
    }
}
