package io.qube.apiserver.kubernetesservice;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The default storage class ({@code qube.local-path.*}). */
@ConfigMapping(prefix = "qube.local-path")
public interface LocalPathSettings {

    /** Whether every apiserver makes the default StorageClass {@code local-path} when it is missing. */
    @WithDefault("true")
    boolean enabled();
}
