package io.qube.apiserver;

import io.qube.apiserver.registry.FieldErrors;
import io.qube.store.StoreException;

import java.util.List;

/**
 * A request that failed, as Kubernetes reports it: an HTTP code, a Status reason and message, and optional details
 * naming the object and, for Invalid, each field at fault. The HTTP layer turns it into a {@code Status} body.
 */
public class ApiException extends RuntimeException {

    private final int code;
    private final String reason;
    private final String name;
    private final String group;
    private final String kind;
    private final List<FieldErrors.Cause> causes;

    public ApiException(int code, String reason, String message, String name, String group, String kind,
                        List<FieldErrors.Cause> causes) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.name = name;
        this.group = group;
        this.kind = kind;
        this.causes = causes == null ? List.of() : causes;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "BadRequest", message, null, null, null, null);
    }

    public static ApiException notFound(String group, String plural, String name) {
        return new ApiException(404, "NotFound", qualified(group, plural) + " \"" + name + "\" not found", name,
                group, plural, null);
    }

    public static ApiException forbidden(String group, String plural, String name, String why) {
        return new ApiException(403, "Forbidden", qualified(group, plural) + " \"" + name + "\" is forbidden: " + why,
                name, group, plural, null);
    }

    public static ApiException conflict(String group, String plural, String name, String why) {
        return new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + qualified(group, plural)
                + " \"" + name + "\": " + why, name, group, plural, null);
    }

    public static ApiException methodNotAllowed(String message) {
        return new ApiException(405, "MethodNotAllowed", message, null, null, null, null);
    }

    public static ApiException unsupportedMediaType(String contentType) {
        return new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                + "accepted media types include: application/json-patch+json, application/merge-patch+json, "
                + "application/apply-patch+yaml, application/strategic-merge-patch+json (got \"" + contentType + "\")",
                null, null, null, null);
    }

    /** 422: the object breaks the kind's rules; each cause names a field. */
    public static ApiException invalid(String group, String kind, String name, FieldErrors errors) {
        StringBuilder message = new StringBuilder(kind).append(" \"").append(name).append("\" is invalid: ");
        List<FieldErrors.Cause> causes = errors.causes();
        if (causes.size() > 1) {
            message.append('[');
        }
        for (int i = 0; i < causes.size(); i++) {
            if (i > 0) {
                message.append(", ");
            }
            message.append(causes.get(i).field()).append(": ").append(causes.get(i).message());
        }
        if (causes.size() > 1) {
            message.append(']');
        }
        return new ApiException(422, "Invalid", message.toString(), name, group, kind, causes);
    }

    /** The store's refusals, in Kubernetes' words. */
    public static ApiException from(StoreException e, String group, String plural) {
        String name = e.key() == null ? null : e.key().name();
        return switch (e.reason()) {
            case NOT_FOUND -> notFound(group, plural, name);
            case ALREADY_EXISTS -> new ApiException(409, "AlreadyExists", qualified(group, plural) + " \"" + name
                    + "\" already exists", name, group, plural, null);
            case CONFLICT -> new ApiException(409, "Conflict", e.getMessage().replace(e.key().type().toString(),
                    qualified(group, plural)), name, group, plural, null);
            default -> new ApiException(e.reason().code, e.reason().status, e.getMessage(), name, group, plural, null);
        };
    }

    private static String qualified(String group, String plural) {
        return group == null || group.isEmpty() ? plural : plural + "." + group;
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    public String name() {
        return name;
    }

    public String group() {
        return group;
    }

    public String kind() {
        return kind;
    }

    public List<FieldErrors.Cause> causes() {
        return causes;
    }
}
