package io.qube.controller;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Whether this process runs the controllers ({@code qube.controllers.*}). */
@ConfigMapping(prefix = "qube.controllers")
public interface ControllerSettings {

    @WithDefault("true")
    boolean enabled();
}
