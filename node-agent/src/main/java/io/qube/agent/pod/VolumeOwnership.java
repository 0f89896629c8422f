package io.qube.agent.pod;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The kubelet's volume ownership management for a pod's fsGroup: every file of the volume gets the group, group
 * read and write (read only for a read-only volume), directories also group search and setgid so that new files
 * inherit the group; with {@code fsGroupChangePolicy: OnRootMismatch} nothing changes when the volume's root has
 * that group and those bits already.
 */
final class VolumeOwnership {

    private static final int SETGID = 02000;
    private static final int GROUP_RW = 0060;
    private static final int GROUP_R = 0040;
    private static final int GROUP_X = 0010;

    private VolumeOwnership() {
    }

    static void apply(Path volume, long fsGroup, String changePolicy, boolean readOnly) throws IOException {
        if ("OnRootMismatch".equals(changePolicy) && !mismatch(volume, fsGroup, readOnly)) {
            return;
        }
        Files.walkFileTree(volume, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes)
                    throws IOException {
                own(directory, fsGroup, readOnly);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                own(file, fsGroup, readOnly);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Whether the volume's root lacks the group or the bits {@link #apply} would give it. */
    static boolean mismatch(Path volume, long fsGroup, boolean readOnly) throws IOException {
        int gid = (Integer) Files.getAttribute(volume, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) Files.getAttribute(volume, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        int wanted = bits(true, readOnly);
        return gid != fsGroup || (mode & wanted) != wanted;
    }

    private static void own(Path path, long fsGroup, boolean readOnly) throws IOException {
        Files.setAttribute(path, "unix:gid", (int) fsGroup, LinkOption.NOFOLLOW_LINKS);
        if (Files.isSymbolicLink(path)) {
            return; // a link's own mode means nothing; what it points to is not the volume's to change
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:mode", (mode & 07777) | bits(Files.isDirectory(path,
                LinkOption.NOFOLLOW_LINKS), readOnly), LinkOption.NOFOLLOW_LINKS);
    }

    private static int bits(boolean directory, boolean readOnly) {
        int bits = readOnly ? GROUP_R : GROUP_RW;
        return directory ? bits | GROUP_X | SETGID : bits;
    }
}
