package io.qube.agent;

import io.qube.agent.cri.Commands;
import io.qube.agent.cri.RegistryImages;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Qube's images built from docker/ by docker/build.sh (buildah, no Docker engine) and pushed to the run's test
 * registry, once per test run however many classes use them: a build takes minutes (a first one makes the Debian
 * base with debootstrap), and every class uses the same images.
 *
 * @param controlPlane the control plane's reference in the registry
 * @param nodeAgent    the node agent's
 * @param postgresql   the chart's bundled PostgreSQL's
 */
record QubeImages(String controlPlane, String nodeAgent, String postgresql) {

    static final String TAG = "it";
    /** A first build makes the Debian base with debootstrap; later ones reuse it from target/images. */
    private static final Duration BUILD = Duration.ofMinutes(40);
    /** By registry host: the registry is one per run, so is the build. */
    private static final Map<String, QubeImages> BUILT = new HashMap<>();

    /** The images in {@code images}' registry, built and pushed by the first caller of the run. */
    static synchronized QubeImages pushed(RegistryImages images) {
        return BUILT.computeIfAbsent(images.registry().host(), host -> {
            Path repository = Path.of("..").toAbsolutePath().normalize();
            Commands.run(BUILD, repository.resolve("docker/build.sh").toString(), "--push", host, "--tag", TAG)
                    .ok();
            return new QubeImages(images.registry().imageRef("qube/control-plane", TAG),
                    images.registry().imageRef("qube/node-agent", TAG),
                    images.registry().imageRef("qube/postgresql", TAG));
        });
    }
}
