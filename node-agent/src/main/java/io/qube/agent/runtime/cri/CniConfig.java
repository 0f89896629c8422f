package io.qube.agent.runtime.cri;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * The node's pod network as standard CNI plugins make it, in the conflist the runtime reads: a bridge that is
 * the pods' gateway (with hairpin, so a pod reaches itself through a Service) and host-local addresses from the
 * node's pod CIDR kept in the agent's own directory. No portmap: the agent gives the runtime no port mappings
 * (hostPorts are not mapped), and the runtime runs every plugin of the chain for every pod, so portmap was one
 * more plugin process per pod start that did nothing (44 ms an exec measured at load 18 on the 2-core machine,
 * where /bin/true took 12 ms).
 * The bridge does not masquerade
 * ({@code ipMasq} false): its rule would hide a pod's address from the pods of other nodes too, which Kubernetes'
 * network model forbids; the agent masquerades only traffic that leaves the cluster's pod network
 * ({@link io.qube.agent.network.PodMasquerade}).
 */
final class CniConfig {

    /** Where Debian puts the plugins, then the upstream default. */
    private static final List<Path> PLUGIN_DIRS = List.of(Path.of("/usr/lib/cni"), Path.of("/opt/cni/bin"));
    static final String NETWORK = "qube";

    private CniConfig() {
    }

    static Path pluginDir() throws IOException {
        Optional<Path> found = PLUGIN_DIRS.stream().filter(dir -> Files.isExecutable(dir.resolve("bridge")))
                .findFirst();
        return found.orElseThrow(() -> new IOException("no CNI plugins found in " + PLUGIN_DIRS
                + " (install containernetworking-plugins)"));
    }

    /** Writes (atomically: the runtime may read it at any time) the conflist for {@code podCidr} on {@code bridge}. */
    static void write(Path confDir, String bridge, String podCidr, Path ipamDir) throws IOException {
        Files.createDirectories(confDir);
        Files.createDirectories(ipamDir);
        String json = """
                {
                  "cniVersion": "1.0.0",
                  "name": "%s",
                  "plugins": [
                    {
                      "type": "bridge",
                      "bridge": "%s",
                      "isGateway": true,
                      "ipMasq": false,
                      "hairpinMode": true,
                      "ipam": {
                        "type": "host-local",
                        "dataDir": "%s",
                        "ranges": [[{"subnet": "%s"}]],
                        "routes": [{"dst": "0.0.0.0/0"}]
                      }
                    }
                  ]
                }
                """.formatted(NETWORK, bridge, ipamDir, podCidr);
        Path target = confDir.resolve("10-qube.conflist");
        Path temporary = confDir.resolve(".10-qube.conflist.tmp");
        Files.writeString(temporary, json);
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
