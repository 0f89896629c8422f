package io.qube.store;

/**
 * One event on a watch. ADDED, MODIFIED and DELETED carry the object (for DELETED: its last state, with the
 * revision of the deletion); BOOKMARK carries only a revision; ERROR carries the failure and ends the watch.
 */
public record WatchEvent(Type type, StoredObject object, long revision, StoreException error) {

    public enum Type { ADDED, MODIFIED, DELETED, BOOKMARK, ERROR }

    public static WatchEvent of(Type type, StoredObject object) {
        return new WatchEvent(type, object, object.revision(), null);
    }

    public static WatchEvent bookmark(long revision) {
        return new WatchEvent(Type.BOOKMARK, null, revision, null);
    }

    public static WatchEvent error(StoreException error) {
        return new WatchEvent(Type.ERROR, null, 0, error);
    }
}
