package io.qube.agent.pod;

import io.qube.agent.FileTrees;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes a projected volume's files the way the kubelet's atomic writer does, so a container never reads half of
 * an update: the files go to a fresh {@code ..<time>} directory, the {@code ..data} link is swapped to it by a
 * rename, and each top-level entry is a link through {@code ..data}. Unchanged content is left alone.
 */
final class AtomicWriter {

    private static final String DATA = "..data";

    private AtomicWriter() {
    }

    /** @param files relative path → content and mode */
    static void write(Path volume, Map<String, File> files) throws IOException {
        Files.createDirectories(volume);
        Path data = volume.resolve(DATA);
        if (Files.isDirectory(data) && same(data, files)) {
            return;
        }
        Path fresh = Files.createDirectories(volume.resolve(".." + System.nanoTime()));
        for (Map.Entry<String, File> entry : files.entrySet()) {
            Path file = fresh.resolve(entry.getKey());
            Files.createDirectories(file.getParent());
            Files.write(file, entry.getValue().content());
            Files.setPosixFilePermissions(file, permissions(entry.getValue().mode()));
        }
        Path previous = Files.isSymbolicLink(data) ? volume.resolve(Files.readSymbolicLink(data)) : null;
        Path link = volume.resolve(DATA + "_tmp");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, fresh.getFileName());
        Files.move(link, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Set<String> tops = files.keySet().stream().map(path -> path.split("/", 2)[0])
                .collect(java.util.stream.Collectors.toSet());
        try (Stream<Path> entries = Files.list(volume)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (!name.startsWith("..") && !tops.contains(name)) {
                    Files.delete(entry);
                }
            }
        }
        for (String top : tops) {
            Path entry = volume.resolve(top);
            if (!Files.isSymbolicLink(entry)) {
                Files.createSymbolicLink(entry, Path.of(DATA, top));
            }
        }
        if (previous != null && !previous.equals(fresh)) {
            FileTrees.delete(previous);
        }
    }

    private static boolean same(Path data, Map<String, File> files) throws IOException {
        try (Stream<Path> walk = Files.walk(data.toRealPath())) {
            if (walk.filter(Files::isRegularFile).count() != files.size()) {
                return false;
            }
        }
        for (Map.Entry<String, File> entry : files.entrySet()) {
            Path file = data.resolve(entry.getKey());
            if (!Files.isRegularFile(file) || !Arrays.equals(Files.readAllBytes(file), entry.getValue().content())
                    || !Files.getPosixFilePermissions(file).equals(permissions(entry.getValue().mode()))) {
                return false;
            }
        }
        return true;
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(order[bit]);
            }
        }
        return set;
    }

    /** One file of a projected volume. */
    record File(byte[] content, int mode) {
    }
}
