package io.qube.agent;

import io.qube.agent.cri.Commands;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * "Hosts" on one machine for tests of the pod network across nodes: network namespaces (made with {@code ip netns}),
 * each with loopback up and an {@code eth0} whose veth peer is a port of one bridge in the root namespace, which
 * has an address on that bridge too, so the test's own processes (control plane, kubectl) and the hosts reach each
 * other. Closing deletes the namespaces (their veths go with them) and the bridge.
 */
final class TestHosts implements AutoCloseable {

    private static final Duration COMMAND = Duration.ofSeconds(30);

    private final String bridge;
    private final List<String> namespaces = new ArrayList<>();

    private TestHosts(String bridge) {
        this.bridge = bridge;
    }

    /** The bridge, with {@code address} (CIDR notation) of the root namespace on it. */
    static TestHosts create(String bridge, String address) {
        if (Files.exists(Path.of("/sys/class/net", bridge))) {
            // An earlier run of this test that was killed before its cleanup.
            ip("link", "del", bridge);
        }
        ip("link", "add", bridge, "type", "bridge");
        TestHosts hosts = new TestHosts(bridge);
        try {
            ip("addr", "add", address, "dev", bridge);
            ip("link", "set", bridge, "up");
        } catch (RuntimeException e) {
            hosts.close();
            throw e;
        }
        return hosts;
    }

    /** A host: namespace {@code name} with {@code address} (CIDR notation) on its eth0. */
    void add(String name, String address) {
        if (Files.exists(Path.of("/var/run/netns", name))) {
            ip("netns", "del", name);
        }
        ip("netns", "add", name);
        namespaces.add(name);
        String port = bridge + "-" + namespaces.size();
        ip("link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", name);
        ip("link", "set", port, "master", bridge, "up");
        ip("-n", name, "addr", "add", address, "dev", "eth0");
        ip("-n", name, "link", "set", "eth0", "up");
        ip("-n", name, "link", "set", "lo", "up");
    }

    /**
     * The start of a command line that runs in the host's network namespace. Not {@code ip netns exec}: that also
     * gives the command a mount namespace of its own with a fresh /sys, which hides /sys/fs/cgroup from containerd
     * and runc, and its mounts from the test.
     */
    static List<String> exec(String name) {
        return List.of("nsenter", "--net=/var/run/netns/" + name);
    }

    /** Runs a command in the host's network namespace, to its end; its output. */
    static String run(String name, String... command) {
        List<String> line = new ArrayList<>(exec(name));
        line.addAll(List.of(command));
        return Commands.run(COMMAND, line).ok();
    }

    /** The network namespaces {@code ip netns} lists (pods' sandboxes and hosts alike), by name. */
    static Set<String> namespaces() throws IOException {
        Path netns = Path.of("/var/run/netns");
        if (!Files.isDirectory(netns)) {
            return Set.of();
        }
        try (Stream<Path> entries = Files.list(netns)) {
            return entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private static void ip(String... args) {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Commands.run(COMMAND, command).ok();
    }

    @Override
    public void close() {
        for (String name : namespaces) {
            ip("netns", "del", name);
        }
        ip("link", "del", bridge);
    }
}
