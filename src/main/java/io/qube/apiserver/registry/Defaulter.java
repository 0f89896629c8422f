package io.qube.apiserver.registry;

/** Fills in Kubernetes' defaults for one kind; runs on every create and update, after patches. */
@FunctionalInterface
public interface Defaulter<T> {

    Defaulter<Object> NONE = object -> { };

    void apply(T object);
}
