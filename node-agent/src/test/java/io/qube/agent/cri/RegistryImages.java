package io.qube.agent.cri;

/**
 * A started public {@link LocalRegistry} with the {@link TestImages} pushed: what {@link RegistryImagesExtension}
 * hands to tests.
 *
 * @param busybox the busybox image's reference, {@code 127.0.0.1:<port>/busybox:<tag>}
 * @param pause   the pause image's reference, for containerd's {@code sandbox_image}
 */
public record RegistryImages(LocalRegistry registry, String busybox, String pause) {

    /** The tag both images are pushed under. */
    public static final String TAG = "1.0";

    /** Starts a registry without auth and pushes both images to it. */
    public static RegistryImages publish() {
        LocalRegistry registry = LocalRegistry.start();
        try {
            return new RegistryImages(registry,
                    registry.push(TestImages.layout(), TestImages.BUSYBOX, "busybox", TAG),
                    registry.push(TestImages.layout(), TestImages.PAUSE, "pause", TAG));
        } catch (RuntimeException | Error e) {
            registry.close();
            throw e;
        }
    }
}
