package io.qube.store;

/**
 * What a watch asks for.
 *
 * @param selection       the type, namespace and selectors to filter by (limit and continue are ignored)
 * @param fromRevision    replay every change after this revision; 0 starts with ADDED events for the current state
 * @param bookmarks       whether to send periodic BOOKMARK events carrying the current revision
 */
public record WatchRequest(ListRequest selection, long fromRevision, boolean bookmarks) {

    public static WatchRequest from(ResourceType type, long fromRevision) {
        return new WatchRequest(ListRequest.all(type), fromRevision, false);
    }
}
