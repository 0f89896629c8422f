package io.qube.agent.runtime;

import java.io.IOException;
import java.util.List;

/** A runtime's images, after CRI's ImageService: what is on the node, pulls (with credentials), removal. */
public interface ImageManager {

    /** The image as stored on the node, or null when it is not there. */
    Image status(String image) throws IOException;

    /**
     * Pulls the image; {@code credentials} are tried in order (none: anonymous) until one succeeds.
     *
     * @throws PullFailure with the registry's reason when no pull succeeded
     */
    Image pull(String image, List<RegistryCredentials> credentials) throws IOException, PullFailure;

    List<Image> list() throws IOException;

    void remove(String imageId) throws IOException;

    /** The file system images are stored on: its mount point and the bytes the images use there. */
    ImageFs imageFs() throws IOException;

    /** Where images live and how much of it they use. */
    record ImageFs(java.nio.file.Path mountpoint, long usedBytes) {
    }

    /** An image on the node: its id (digest), names, size in bytes, and whether the runtime pins it. */
    record Image(String id, List<String> tags, List<String> digests, long size, boolean pinned) {
        /** The names the Node's status.images lists. */
        public List<String> names() {
            return java.util.stream.Stream.concat(digests.stream(), tags.stream()).toList();
        }
    }

    /** A user name and password for the image's registry, as an imagePullSecret carries them. */
    record RegistryCredentials(String username, String password) {
    }

    /** What the registry (or the runtime) said when a pull failed. */
    final class PullFailure extends Exception {
        public PullFailure(String message) {
            super(message);
        }
    }
}
