package io.qube.agent.storage;

import io.qube.agent.FileTrees;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Pattern;

/**
 * The directories of this node's local-path volumes, one per volume directly under one root
 * ({@code <state dir>/volumes}); removal refuses any path that is not such a directory, so that a volume whose
 * {@code spec.local.path} was edited cannot make the agent delete anything else.
 */
final class LocalVolumeDirectories {

    /** A volume's name as the API admits it (a DNS subdomain): never "..", never a separator. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");

    private final Path root;

    LocalVolumeDirectories(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The directory of the volume named so. */
    Path of(String volume) {
        if (volume == null || volume.length() > 253 || !NAME.matcher(volume).matches() || volume.contains("..")) {
            throw new IllegalArgumentException("\"" + volume + "\" is not a volume name");
        }
        return root.resolve(volume);
    }

    /**
     * Makes the volume's directory, writable by every user (a pod runs as any user; fsGroup narrows it) as other
     * local-path provisioners do; an existing one is kept, as after a crash between this and the PV's create.
     */
    Path create(String volume) throws IOException {
        Path directory = of(volume);
        Files.createDirectories(directory);
        // Not with createDirectories' attribute: the umask would take the bits off again.
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwxrwx"));
        return directory;
    }

    /** Removes the volume directory at {@code path} with everything in it; a path already gone is fine. */
    void remove(String path) throws IOException {
        Path directory = Path.of(path).toAbsolutePath().normalize();
        if (!root.equals(directory.getParent()) || !directory.toString().equals(Path.of(path).toString())) {
            throw new IOException("refusing to delete " + path + ": not a volume directory under " + root);
        }
        if (Files.isSymbolicLink(directory)) {
            throw new IOException("refusing to delete " + path + ": a symbolic link, not a volume directory");
        }
        if (Files.exists(directory, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(directory,
                LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("refusing to delete " + path + ": not a directory");
        }
        FileTrees.delete(directory);
    }
}
