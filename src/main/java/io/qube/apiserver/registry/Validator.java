package io.qube.apiserver.registry;

/**
 * Kubernetes' validation for one kind, beyond the metadata rules every kind shares. Reports each problem with its
 * field path (e.g. {@code spec.containers[0].image}); the request is refused with 422 if any is reported.
 */
@FunctionalInterface
public interface Validator<T> {

    Validator<Object> NONE = (object, old, errors) -> { };

    /**
     * @param old the stored object on an update (for immutable fields), or null on a create
     */
    void validate(T object, T old, FieldErrors errors);
}
