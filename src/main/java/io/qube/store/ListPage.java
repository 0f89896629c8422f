package io.qube.store;

import java.util.List;

/**
 * One page of a list.
 *
 * @param revision      the revision whose state every page of this list shows
 * @param continueToken where the next page starts, or null on the last page
 */
public record ListPage(List<StoredObject> items, long revision, String continueToken) {
}
