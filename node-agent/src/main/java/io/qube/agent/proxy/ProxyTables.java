package io.qube.agent.proxy;

import io.qube.agent.Commands;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The proxy's side of this host's netfilter: its chains (read with iptables-save, written with one
 * {@code iptables-restore --noflush}), the jumps into them from the built-in chains (first, as kube-proxy's), the
 * conntrack entries of UDP flows, and the two settings its rules need. It touches no rule it did not make.
 */
final class ProxyTables {

    /** This network namespace's. */
    static final ProxyTables HOST = new ProxyTables(List.of());

    private static final Logger LOG = Logger.getLogger(ProxyTables.class);

    /** A jump into one of the proxy's chains from a built-in chain. */
    record Jump(String table, String chain, List<String> rule) {
    }

    private static final List<Jump> JUMPS = List.of(
            new Jump("nat", "PREROUTING", comment("qube service portals", "-j", ChainNames.SERVICES)),
            new Jump("nat", "OUTPUT", comment("qube service portals", "-j", ChainNames.SERVICES)),
            new Jump("nat", "POSTROUTING", comment("qube postrouting rules", "-j", ChainNames.POSTROUTING)),
            new Jump("filter", "INPUT", newConnections(ChainNames.FILTER)),
            new Jump("filter", "FORWARD", newConnections(ChainNames.FILTER)),
            new Jump("filter", "OUTPUT", newConnections(ChainNames.FILTER)),
            new Jump("filter", "INPUT", comment("qube localnet firewall", "-j", ChainNames.FIREWALL)),
            new Jump("filter", "OUTPUT", comment("qube localnet firewall", "-j", ChainNames.FIREWALL)));

    private final List<String> prefix;

    /** @param prefix the start of every command line, e.g. nsenter into another network namespace (a benchmark's) */
    ProxyTables(List<String> prefix) {
        this.prefix = List.copyOf(prefix);
    }

    /**
     * Sets what the rules rely on: node ports on 127.0.0.1 (route_localnet, as kube-proxy sets it) and netfilter
     * for traffic between pods of one bridge (its replies from a DNATed endpoint must pass conntrack to be
     * un-DNATed). Both are per network namespace.
     */
    static void prepareHost() {
        set("/proc/sys/net/ipv4/conf/all/route_localnet", "node ports on 127.0.0.1 will not answer");
        set("/proc/sys/net/bridge/bridge-nf-call-iptables",
                "a pod calling a Service whose endpoint is on its own bridge will get no answer");
    }

    private static void set(String setting, String otherwise) {
        try {
            if (!Files.readString(Path.of(setting)).trim().equals("1")) {
                Files.writeString(Path.of(setting), "1");
            }
        } catch (IOException e) {
            LOG.warnf("could not set %s to 1 (%s): %s", setting, e.getMessage(), otherwise);
        }
    }

    /** The proxy's chains the kernel has now, per table (nat, filter). */
    Map<String, Set<String>> ownChains() throws IOException {
        Map<String, Set<String>> chains = new LinkedHashMap<>();
        for (String table : List.of("nat", "filter")) {
            Set<String> own = new LinkedHashSet<>();
            Commands.run(line("iptables-save", "-t", table)).lines().filter(line -> line.startsWith(":"))
                    .map(line -> line.substring(1, line.indexOf(' ')))
                    .filter(ChainNames::isOwn).forEach(own::add);
            chains.put(table, own);
        }
        return chains;
    }

    void restore(String script) throws IOException {
        if (!script.isEmpty()) {
            Commands.run(line("iptables-restore", "--noflush"), script);
        }
    }

    /** Inserts each jump that is missing, at the top of its built-in chain. */
    void ensureJumps() throws IOException {
        for (Jump jump : JUMPS) {
            if (!exists(jump)) {
                Commands.run(command(jump, "-I", "1"));
            }
        }
    }

    /** Deletes every jump (a copy left by a crash included). */
    void removeJumps() throws IOException {
        for (Jump jump : JUMPS) {
            while (exists(jump)) {
                Commands.run(command(jump, "-D"));
            }
        }
    }

    private boolean exists(Jump jump) {
        try {
            Commands.run(command(jump, "-C"));
            return true;
        } catch (IOException absent) {
            return false;
        }
    }

    /**
     * Deletes the conntrack entries of UDP flows: those to an endpoint that is gone (replies would keep coming from
     * it, or packets keep going to it) and, for a destination that just got endpoints, those made while it had none.
     */
    void forget(RuleSet.UdpFlow flow) {
        List<String> command = line("conntrack", "-D", "-p", "udp");
        if (flow.destination() != null) {
            command.addAll(List.of("--orig-dst", flow.destination()));
        }
        command.addAll(List.of("--orig-port-dst", Integer.toString(flow.port())));
        if (flow.endpointIp() != null) {
            command.addAll(List.of("--reply-src", flow.endpointIp()));
        }
        try {
            Commands.run(command);
        } catch (IOException e) {
            // conntrack fails when no entry matched, the usual case
            LOG.debugf("%s: %s", String.join(" ", command), e.getMessage());
        }
    }

    private List<String> command(Jump jump, String... action) {
        List<String> command = line("iptables", "-w", "-t", jump.table(), action[0], jump.chain());
        command.addAll(List.of(action).subList(1, action.length));
        command.addAll(jump.rule());
        return command;
    }

    private List<String> line(String... command) {
        List<String> line = new ArrayList<>(prefix);
        line.addAll(List.of(command));
        return line;
    }

    private static List<String> comment(String text, String... rule) {
        List<String> all = new ArrayList<>(List.of("-m", "comment", "--comment", text));
        all.addAll(List.of(rule));
        return all;
    }

    private static List<String> newConnections(String chain) {
        List<String> rule = new ArrayList<>(List.of("-m", "conntrack", "--ctstate", "NEW"));
        rule.addAll(comment("qube service rules", "-j", chain));
        return rule;
    }
}
