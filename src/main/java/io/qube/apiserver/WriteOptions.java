package io.qube.apiserver;

/**
 * How a write request wants to be handled, from its query parameters.
 *
 * @param dryRun          {@code dryRun=All}: everything but persisting
 * @param fieldValidation Strict (unknown fields refused), Warn (reported in a Warning header) or Ignore
 * @param fieldManager    who makes the change, for managedFields
 */
public record WriteOptions(boolean dryRun, String fieldValidation, String fieldManager, boolean force) {

    public static final WriteOptions DEFAULT = new WriteOptions(false, "Warn", null, false);

    public boolean strict() {
        return "Strict".equals(fieldValidation);
    }

    public boolean warn() {
        return "Warn".equals(fieldValidation);
    }
}
