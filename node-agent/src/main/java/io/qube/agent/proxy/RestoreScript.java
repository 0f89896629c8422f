package io.qube.agent.proxy;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The iptables-restore input (for {@code --noflush}) that takes the kernel from what the proxy applied last to what
 * it wants, as kube-proxy's partial sync does: only chains whose rules changed are declared (which empties them)
 * and written again, chains no longer wanted are emptied and deleted, every other chain is left alone. One COMMIT
 * per table: each table changes at once, never half-written.
 */
final class RestoreScript {

    private RestoreScript() {
    }

    /**
     * @param applied  what the last successful sync applied; null for a full sync, which writes every chain
     * @param existing for a full sync, the proxy's chains the kernel has per table (an earlier run's included),
     *                 which are deleted when no longer wanted
     * @return the script, empty when nothing changed
     */
    static String of(RuleSet applied, RuleSet desired, Map<String, Set<String>> existing) {
        return table("nat", applied == null ? null : applied.nat(), desired.nat(),
                existing.getOrDefault("nat", Set.of()))
                + table("filter", applied == null ? null : applied.filter(), desired.filter(),
                existing.getOrDefault("filter", Set.of()));
    }

    /** Flushes and deletes {@code chains}, per table. */
    static String removal(Map<String, Set<String>> chains) {
        StringBuilder script = new StringBuilder();
        chains.forEach((table, names) -> {
            if (names.isEmpty()) {
                return;
            }
            script.append('*').append(table).append('\n');
            names.forEach(chain -> script.append(':').append(chain).append(" - [0:0]\n"));
            names.forEach(chain -> script.append("-X ").append(chain).append('\n'));
            script.append("COMMIT\n");
        });
        return script.toString();
    }

    private static String table(String table, Map<String, List<String>> applied, Map<String, List<String>> desired,
                                Set<String> existing) {
        Set<String> write = new LinkedHashSet<>();
        desired.forEach((chain, rules) -> {
            if (applied == null || !rules.equals(applied.get(chain))) {
                write.add(chain);
            }
        });
        Set<String> stale = new LinkedHashSet<>(applied == null ? existing : applied.keySet());
        stale.removeAll(desired.keySet());
        if (write.isEmpty() && stale.isEmpty()) {
            return "";
        }
        StringBuilder script = new StringBuilder("*").append(table).append('\n');
        write.forEach(chain -> script.append(':').append(chain).append(" - [0:0]\n"));
        stale.forEach(chain -> script.append(':').append(chain).append(" - [0:0]\n"));
        write.forEach(chain -> desired.get(chain).forEach(rule -> script.append("-A ").append(chain).append(' ')
                .append(rule).append('\n')));
        stale.forEach(chain -> script.append("-X ").append(chain).append('\n'));
        return script.append("COMMIT\n").toString();
    }
}
