package io.qube.store.watch;

import io.qube.store.StoredObject;
import io.qube.store.WatchEvent;

/** One row of the change log: ADDED, MODIFIED or DELETED, with the object's state at that revision. */
public record Change(WatchEvent.Type type, StoredObject object) {

    public long revision() {
        return object.revision();
    }
}
