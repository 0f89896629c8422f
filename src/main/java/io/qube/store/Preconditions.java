package io.qube.store;

/**
 * What must hold for an update or delete to go ahead, like Kubernetes' DeleteOptions.preconditions.
 *
 * @param revision the stored revision must equal this; 0 accepts any
 * @param uid      the stored uid must equal this; null accepts any
 */
public record Preconditions(long revision, String uid) {

    public static final Preconditions NONE = new Preconditions(0, null);

    public static Preconditions revision(long revision) {
        return new Preconditions(revision, null);
    }
}
