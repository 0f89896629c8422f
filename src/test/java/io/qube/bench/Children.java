package io.qube.bench;

import io.qube.launcher.EmbeddedDatabase;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The processes a benchmark started, stopped when its JVM exits however it ends (Ctrl-C, a failure). */
final class Children {

    private static final List<Process> PROCESSES = new ArrayList<>();
    private static final List<EmbeddedDatabase> DATABASES = new ArrayList<>();

    private Children() {
    }

    static synchronized Process started(Process process) {
        PROCESSES.add(process);
        return process;
    }

    static synchronized void database(EmbeddedDatabase database) {
        DATABASES.add(database);
    }

    static synchronized void closed(EmbeddedDatabase database) {
        DATABASES.remove(database);
    }

    /** SIGTERM to every child still running, SIGKILL to those still there after 30 s; then the databases. */
    static synchronized void stopAll() {
        for (Process process : PROCESSES) {
            if (process.isAlive()) {
                process.destroy();
            }
        }
        for (Process process : PROCESSES) {
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
        }
        for (EmbeddedDatabase database : DATABASES) {
            try {
                database.close();
            } catch (RuntimeException alreadyStopped) {
                // stopped by the benchmark itself
            }
        }
    }
}
