package io.qube.apiserver.admission;

import java.util.Locale;

/** What Kubernetes reads from a container image reference such as {@code registry:5000/team/app:1.2@sha256:...}. */
final class ImageReference {

    private ImageReference() {
    }

    /**
     * Whether the image means "the latest": an explicit {@code :latest} tag, or neither tag nor digest (which
     * Kubernetes reads as {@code :latest}). Such images get imagePullPolicy Always, others IfNotPresent. A reference
     * Kubernetes cannot parse (an empty one, or one with capitals in the repository path) counts as not latest.
     */
    static boolean pullsLatest(String image) {
        if (image == null || image.isEmpty()) {
            return false;
        }
        int at = image.indexOf('@');
        boolean digested = at >= 0;
        String named = digested ? image.substring(0, at) : image;
        // A ':' after the last '/' starts the tag; one before it belongs to a registry's port.
        int lastSlash = named.lastIndexOf('/');
        int colon = named.indexOf(':', lastSlash + 1);
        String repository = colon >= 0 ? named.substring(0, colon) : named;
        if (!pathIsLowerCase(repository)) {
            return false;
        }
        if (colon >= 0) {
            return named.substring(colon + 1).equals("latest");
        }
        return !digested;
    }

    /** Only the registry host (a first component with '.' or ':', or "localhost") may contain capitals. */
    private static boolean pathIsLowerCase(String repository) {
        int firstSlash = repository.indexOf('/');
        String path = repository;
        if (firstSlash >= 0) {
            String first = repository.substring(0, firstSlash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                path = repository.substring(firstSlash + 1);
            }
        }
        return path.equals(path.toLowerCase(Locale.ROOT));
    }
}
