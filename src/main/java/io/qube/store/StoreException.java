package io.qube.store;

/** A store operation that did not happen, with a reason the API layer turns into a Kubernetes Status. */
public class StoreException extends RuntimeException {

    /** Each reason carries Kubernetes' Status reason and HTTP code. */
    public enum Reason {
        ALREADY_EXISTS("AlreadyExists", 409),
        NOT_FOUND("NotFound", 404),
        CONFLICT("Conflict", 409),
        EXPIRED("Expired", 410),
        BAD_REQUEST("BadRequest", 400),
        /** A Service's cluster IP or node port another Service holds (the store's allocation table refused it). */
        ADDRESS_TAKEN("Invalid", 422),
        TOO_LARGE("RequestEntityTooLarge", 413),
        TIMEOUT("Timeout", 504),
        UNAVAILABLE("ServiceUnavailable", 503);

        public final String status;
        public final int code;

        Reason(String status, int code) {
            this.status = status;
            this.code = code;
        }
    }

    private final Reason reason;
    private final ObjectKey key;
    private final long currentRevision;

    public StoreException(Reason reason, ObjectKey key, long currentRevision, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.key = key;
        this.currentRevision = currentRevision;
    }

    public StoreException(Reason reason, String message) {
        this(reason, null, 0, message, null);
    }

    public static StoreException alreadyExists(ObjectKey key, long currentRevision) {
        return new StoreException(Reason.ALREADY_EXISTS, key, currentRevision,
                key.type() + " \"" + key.name() + "\" already exists", null);
    }

    public static StoreException notFound(ObjectKey key) {
        return new StoreException(Reason.NOT_FOUND, key, 0, key.type() + " \"" + key.name() + "\" not found", null);
    }

    public static StoreException conflict(ObjectKey key, long currentRevision, String why) {
        return new StoreException(Reason.CONFLICT, key, currentRevision, "Operation cannot be fulfilled on "
                + key.type() + " \"" + key.name() + "\": " + why, null);
    }

    public static StoreException expired(String message) {
        return new StoreException(Reason.EXPIRED, message);
    }

    /** @param address what is taken, e.g. "ip 10.96.4.7" or "port 30080" */
    public static StoreException addressTaken(String address) {
        return new StoreException(Reason.ADDRESS_TAKEN, null, 0, "provided " + address + " is already allocated",
                null);
    }

    public static StoreException unavailable(String message, Throwable cause) {
        return new StoreException(Reason.UNAVAILABLE, null, 0, message, cause);
    }

    public Reason reason() {
        return reason;
    }

    /** The object concerned, when there is one. */
    public ObjectKey key() {
        return key;
    }

    /** For AlreadyExists and Conflict: the revision stored when the write was refused. */
    public long currentRevision() {
        return currentRevision;
    }
}
