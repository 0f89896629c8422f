package io.qube.launcher;

import io.smallrye.config.ConfigMapping;

import java.nio.file.Path;
import java.util.Optional;

/** What the launcher hands the running application ({@code qube.launcher.*}). */
@ConfigMapping(prefix = "qube.launcher")
public interface LauncherSettings {

    /** Where to write a kubeconfig for this server once it listens; none is written when absent. */
    Optional<Path> kubeconfig();
}
