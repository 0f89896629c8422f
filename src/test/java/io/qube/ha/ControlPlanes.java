package io.qube.ha;

import io.qube.test.QubeProcesses;
import io.qube.test.TestPostgres;

import java.nio.file.Path;
import java.util.Map;

/** Several control-plane processes on one database, each on its own port and data directory, to stop and start. */
final class ControlPlanes implements AutoCloseable {

    private final QubeProcesses processes = new QubeProcesses();
    private final Map<String, String> environment = TestPostgres.environmentForFreshDatabase();
    private final int[] ports;
    private final Process[] planes;
    private final Path[] directories;

    ControlPlanes(int count) {
        ports = new int[count];
        planes = new Process[count];
        directories = new Path[count];
        for (int i = 0; i < count; i++) {
            ports[i] = QubeProcesses.freePort();
            directories[i] = TestPostgres.newDataDirectory();
        }
    }

    /** Starts plane {@code i} (again) on its port and waits until it is ready. */
    void start(int i) throws Exception {
        Path log = directories[i].resolve("qube-" + System.nanoTime() + ".log");
        planes[i] = processes.start(log, environment, "--data-dir", directories[i].toString(),
                "--port", Integer.toString(ports[i]));
        processes.awaitReady(planes[i], ports[i], log);
    }

    /** SIGKILL: no shutdown, no lease released. */
    void kill(int i, String which) throws InterruptedException {
        System.out.printf("SIGKILL to control plane %d (port %d), %s%n", i, ports[i], which);
        planes[i].destroyForcibly().waitFor();
    }

    /** SIGTERM, as a rolling update stops a pod, and waits for the process to end. */
    void stop(int i) throws InterruptedException {
        planes[i].destroy();
        planes[i].waitFor();
    }

    boolean alive(int i) {
        return planes[i] != null && planes[i].isAlive();
    }

    int port(int i) {
        return ports[i];
    }

    int[] ports() {
        return ports.clone();
    }

    int count() {
        return ports.length;
    }

    String api(int i) {
        return "http://127.0.0.1:" + ports[i];
    }

    @Override
    public void close() throws InterruptedException {
        processes.close();
    }
}
