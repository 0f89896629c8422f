package io.qube.agent.network;

import io.qube.agent.Commands;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Source NAT for this node's pods, as Kubernetes wants it: traffic from the pod CIDR to anything outside the
 * cluster's pod network leaves with the host's address (the rest of the network knows no route to pods), while
 * traffic to any node's pods keeps the pod's own address, so a pod sees which pod called it. The CNI bridge
 * plugin's ipMasq cannot say this (it masquerades everything leaving its own subnet, other nodes' pods too), so
 * the agent keeps its own chain in the nat table, {@code QUBE-MASQ-<bridge>}, which POSTROUTING enters for
 * the pod CIDR: a RETURN per pod CIDR of the cluster (and multicast), then MASQUERADE. The chain is rewritten
 * whole by one iptables-restore, so traffic never meets it half-written.
 */
public final class PodMasquerade {

    private static final String TABLE = "nat";

    private final String chain;
    private final String podCidr;

    /**
     * @param bridge  the pods' bridge, which names the chain (so agents of several nodes on one host keep theirs
     *                apart)
     * @param podCidr the addresses of this node's pods
     */
    public PodMasquerade(String bridge, String podCidr) {
        this.chain = "QUBE-MASQ-" + bridge;
        this.podCidr = podCidr;
    }

    /** The chain for {@code podNetwork} (every node's pod CIDR), entered from POSTROUTING for this node's pods. */
    void update(Set<String> podNetwork) throws IOException {
        Commands.run(List.of("iptables-restore", "--noflush"), rules(chain, podCidr, podNetwork));
        String jump = jump();
        boolean present = false;
        for (String rule : jumps()) {
            if (rule.equals(jump)) {
                present = true;
            } else {
                // An earlier start's, for a pod CIDR this node no longer has.
                delete(rule);
            }
        }
        if (!present) {
            Commands.run(command(jump));
        }
    }

    /** Removes the jump and the chain. */
    void remove() throws IOException {
        for (String rule : jumps()) {
            delete(rule);
        }
        if (Commands.run("iptables", "-t", TABLE, "-S").lines().anyMatch(("-N " + chain)::equals)) {
            Commands.run("iptables", "-t", TABLE, "-F", chain);
            Commands.run("iptables", "-t", TABLE, "-X", chain);
        }
    }

    /**
     * iptables-restore input that declares (and so empties) the chain and fills it: RETURN for this node's pod CIDR
     * and every one of {@code podNetwork}, and for multicast, as the bridge plugin leaves it alone; MASQUERADE
     * for the rest.
     */
    static String rules(String chain, String podCidr, Set<String> podNetwork) {
        Set<String> unmasqueraded = new TreeSet<>(podNetwork);
        unmasqueraded.add(podCidr);
        unmasqueraded.add("224.0.0.0/4");
        StringBuilder rules = new StringBuilder("*" + TABLE + "\n:" + chain + " - [0:0]\n");
        unmasqueraded.forEach(cidr -> rules.append("-A ").append(chain).append(" -d ").append(cidr)
                .append(" -j RETURN\n"));
        return rules.append("-A ").append(chain).append(" -j MASQUERADE\nCOMMIT\n").toString();
    }

    private String jump() {
        return "-A POSTROUTING -s " + podCidr + " -j " + chain;
    }

    /** The POSTROUTING rules entering the chain, as {@code iptables -S} prints them. */
    private List<String> jumps() throws IOException {
        return Commands.run("iptables", "-t", TABLE, "-S", "POSTROUTING").lines()
                .filter(line -> line.startsWith("-A POSTROUTING ") && line.endsWith(" -j " + chain)).toList();
    }

    private static void delete(String rule) throws IOException {
        Commands.run(command("-D" + rule.substring("-A".length())));
    }

    private static List<String> command(String rule) {
        List<String> command = new ArrayList<>(List.of("iptables", "-t", TABLE));
        command.addAll(List.of(rule.split(" ")));
        return command;
    }
}
