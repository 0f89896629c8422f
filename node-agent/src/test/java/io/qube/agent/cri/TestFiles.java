package io.qube.agent.cri;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Where the harness keeps what outlives a test (logs, the built images) and how it removes what does not. */
public final class TestFiles {

    private TestFiles() {
    }

    /** The directory of logs a failed run is read from: the module's target/it-logs, as the other ITs keep theirs. */
    public static Path logs() {
        try {
            return Files.createDirectories(Path.of("target", "it-logs").toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes the directory and everything in it, symbolic links themselves rather than what they point at. */
    public static void deleteTree(Path directory) {
        if (directory == null || !Files.exists(directory, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(directory)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
