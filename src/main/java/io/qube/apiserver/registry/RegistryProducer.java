package io.qube.apiserver.registry;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Makes the built-in registry injectable; a default bean, so whoever needs a different registry can declare one. */
public class RegistryProducer {

    @Produces
    @Singleton
    @DefaultBean
    ResourceRegistry registry() {
        return BuiltinResources.registry();
    }
}
