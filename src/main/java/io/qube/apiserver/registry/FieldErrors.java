package io.qube.apiserver.registry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The problems found in an object, each as Kubernetes reports it in a 422 Status's {@code details.causes}. */
public final class FieldErrors {

    /** One problem: Kubernetes' cause type (e.g. FieldValueRequired), the message and the field path. */
    public record Cause(String reason, String message, String field) {
    }

    private final List<Cause> causes = new ArrayList<>();

    public FieldErrors required(String field, String detail) {
        return add("FieldValueRequired", field, "Required value" + suffix(detail));
    }

    public FieldErrors invalid(String field, Object value, String detail) {
        return add("FieldValueInvalid", field, "Invalid value: " + quote(value) + suffix(detail));
    }

    public FieldErrors notSupported(String field, Object value, Collection<String> allowed) {
        return add("FieldValueNotSupported", field, "Unsupported value: " + quote(value)
                + ": supported values: " + String.join(", ", allowed.stream().map(a -> "\"" + a + "\"").toList()));
    }

    public FieldErrors forbidden(String field, String detail) {
        return add("FieldValueForbidden", field, "Forbidden" + suffix(detail));
    }

    public FieldErrors duplicate(String field, Object value) {
        return add("FieldValueDuplicate", field, "Duplicate value: " + quote(value));
    }

    /** A reference to something the object does not define (e.g. a volume mount naming no volume). */
    public FieldErrors notFound(String field, Object value) {
        return add("FieldValueNotFound", field, "Not found: " + quote(value));
    }

    public FieldErrors tooMany(String field, int actual, int max) {
        return add("FieldValueTooMany", field, "Too many: " + actual + ": must have at most " + max + " items");
    }

    public FieldErrors tooLong(String field, int max) {
        return add("FieldValueTooLong", field, "Too long: must have at most " + max + " bytes");
    }

    /** An immutable field that an update changed. */
    public FieldErrors immutable(String field) {
        return add("FieldValueInvalid", field, "Invalid value: field is immutable");
    }

    public boolean isEmpty() {
        return causes.isEmpty();
    }

    public List<Cause> causes() {
        return List.copyOf(causes);
    }

    private FieldErrors add(String reason, String field, String message) {
        causes.add(new Cause(reason, message, field));
        return this;
    }

    private static String suffix(String detail) {
        return detail == null || detail.isEmpty() ? "" : ": " + detail;
    }

    private static String quote(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }
}
