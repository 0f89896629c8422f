package io.qube.agent.runtime.process;

import io.qube.agent.Commands;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The pods' network as the CNI bridge and host-local plugins would make it: a network namespace per pod, a veth
 * pair from it to the node's bridge, an address from the node's pod CIDR (the bridge holds the first one and is
 * the pods' gateway), loopback up. Addresses are leased by files under {@code ips/}, so a restarted agent keeps
 * them.
 */
final class PodNetwork {

    private final String bridge;
    private final int base;
    private final int prefix;
    private final Path leases;

    /** @param cidr an IPv4 pod CIDR, /16 to /30, e.g. 10.88.0.0/24 */
    PodNetwork(String bridge, String cidr, Path state) throws IOException {
        this.bridge = bridge;
        String[] parts = cidr.split("/");
        this.prefix = Integer.parseInt(parts[1]);
        if (prefix < 16 || prefix > 30) {
            throw new IllegalArgumentException("the pod CIDR " + cidr + " must be an IPv4 /16 to /30");
        }
        this.base = toInt(InetAddress.getByName(parts[0]).getAddress()) & mask();
        this.leases = Files.createDirectories(state.resolve("ips"));
    }

    String gateway() {
        return toAddress(base + 1);
    }

    /** Creates the bridge once (idempotent: an agent restarted finds it). */
    void setUp() throws IOException {
        if (!Files.exists(Path.of("/sys/class/net", bridge))) {
            Commands.run("ip", "link", "add", bridge, "type", "bridge");
        }
        String addresses = Commands.run("ip", "-o", "-4", "addr", "show", "dev", bridge);
        if (!addresses.contains(" " + gateway() + "/")) {
            Commands.run("ip", "addr", "add", gateway() + "/" + prefix, "dev", bridge);
        }
        Commands.run("ip", "link", "set", bridge, "up");
    }

    /** The pod's namespace with its address: the one it has, or a new one. */
    String attach(String podUid) throws IOException {
        String namespace = namespaceName(podUid);
        String ip = leased(podUid);
        if (ip == null) {
            ip = lease(podUid);
        }
        String host = "qv" + podUid.replace("-", "").substring(0, 12);
        if (!Files.exists(Path.of("/sys/class/net", host))) {
            // Two `ip -batch` runs instead of seven: each process start costs a few milliseconds of a pod's start.
            List<String> hostSide = new java.util.ArrayList<>();
            if (!Files.exists(namespacePath(podUid))) {
                hostSide.add("netns add " + namespace);
            }
            hostSide.add("link add " + host + " type veth peer name eth0 netns " + namespace);
            hostSide.add("link set " + host + " master " + bridge + " up");
            Commands.ipBatch(List.of(), hostSide);
            Commands.ipBatch(List.of("-n", namespace), List.of("addr add " + ip + "/" + prefix + " dev eth0",
                    "link set eth0 up", "link set lo up", "route add default via " + gateway()));
        }
        return ip;
    }

    /** Deletes the namespace (its veth goes with it) and frees the address. */
    void detach(String podUid) throws IOException {
        if (Files.exists(namespacePath(podUid))) {
            Commands.run("ip", "netns", "delete", namespaceName(podUid));
        }
        String ip = leased(podUid);
        if (ip != null) {
            Files.deleteIfExists(leases.resolve(ip));
        }
    }

    static Path namespacePath(String podUid) {
        return Path.of("/var/run/netns", namespaceName(podUid));
    }

    private static String namespaceName(String podUid) {
        return "qube-" + podUid;
    }

    private String leased(String podUid) throws IOException {
        try (var files = Files.list(leases)) {
            for (Path file : files.toList()) {
                if (Files.readString(file).equals(podUid)) {
                    return file.getFileName().toString();
                }
            }
        }
        return null;
    }

    private synchronized String lease(String podUid) throws IOException {
        int size = 1 << (32 - prefix);
        for (int offset = 2; offset < size - 1; offset++) {
            String ip = toAddress(base + offset);
            try {
                Files.writeString(leases.resolve(ip), podUid, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                return ip;
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                // next address
            }
        }
        throw new IOException("no address left in the pod CIDR " + toAddress(base) + "/" + prefix);
    }

    private int mask() {
        return -1 << (32 - prefix);
    }

    private static int toInt(byte[] address) {
        return (address[0] & 0xff) << 24 | (address[1] & 0xff) << 16 | (address[2] & 0xff) << 8 | address[3] & 0xff;
    }

    private static String toAddress(int value) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (value >>> 24), (byte) (value >>> 16),
                    (byte) (value >>> 8), (byte) value}).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
