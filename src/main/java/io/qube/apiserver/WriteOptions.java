package io.qube.apiserver;

/**
 * How a write request wants to be handled, from its query parameters.
 *
 * @param dryRun          {@code dryRun=All}: everything but persisting
 * @param fieldValidation Strict (unknown fields refused), Warn (reported in a Warning header) or Ignore
 * @param fieldManager    who makes the change, for managedFields
 * @param apply           a server-side apply (it has set managedFields itself)
 */
public record WriteOptions(boolean dryRun, String fieldValidation, String fieldManager, boolean force,
                           boolean apply) {

    public static final WriteOptions DEFAULT = new WriteOptions(false, "Warn", null, false, false);

    public WriteOptions(boolean dryRun, String fieldValidation, String fieldManager, boolean force) {
        this(dryRun, fieldValidation, fieldManager, force, false);
    }

    /** The same options for a server-side apply, which records its own managedFields. */
    public WriteOptions withApply(boolean isApply) {
        return new WriteOptions(dryRun, fieldValidation, fieldManager, force, isApply);
    }

    public boolean strict() {
        return "Strict".equals(fieldValidation);
    }

    public boolean warn() {
        return "Warn".equals(fieldValidation);
    }
}
