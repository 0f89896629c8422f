package io.qube.agent.pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * A volume mount's {@code subPath} (or expanded {@code subPathExpr}) inside its volume, as the kubelet prepares it:
 * relative, without "..", made (as directories with the volume's own mode) when missing, and never, through a
 * symbolic link in the volume, a path outside it.
 */
final class SubPaths {

    private SubPaths() {
    }

    /**
     * The host path of {@code subPath} in the volume at {@code volume}, made when missing.
     *
     * @throws IllegalArgumentException with the reason the container cannot have it
     */
    static Path prepare(Path volume, String subPath) throws IOException {
        if (subPath.startsWith("/")) {
            throw new IllegalArgumentException("subPath \"" + subPath + "\" must be a relative path");
        }
        Path relative = Path.of(subPath);
        for (Path part : relative) {
            if (part.toString().equals("..")) {
                throw new IllegalArgumentException("subPath \"" + subPath + "\" must not contain '..'");
            }
        }
        Path base = volume.toRealPath();
        Path target = base.resolve(relative).normalize();
        // The part that exists already decides where the rest would be made: a link in it must stay in the volume.
        Path existing = target;
        while (!Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (!existing.toRealPath().startsWith(base)) {
            throw new IllegalArgumentException("subPath \"" + subPath + "\" is outside of the volume: "
                    + "a symbolic link in it leads out");
        }
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(base);
            for (Path made = existing; !made.equals(target); ) {
                made = made.resolve(target.getName(made.getNameCount()));
                Files.createDirectory(made);
                Files.setPosixFilePermissions(made, mode);
            }
        }
        if (!target.toRealPath().startsWith(base)) {
            throw new IllegalArgumentException("subPath \"" + subPath + "\" is outside of the volume: "
                    + "a symbolic link in it leads out");
        }
        return target;
    }
}
