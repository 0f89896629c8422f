package io.qube.agent.network;

import io.qube.agent.Commands;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The agent's routes in this host's main routing table, told apart from every other route by their protocol
 * number: {@code ip route ... proto 113} ("q"), which no routing daemon in iproute2's list uses. The agent lists,
 * replaces and deletes only routes with that mark; it assumes one agent programs the routes of a host (network
 * namespace), as one kubelet does.
 */
final class HostRoutes {

    static final String PROTOCOL = "113";

    /** The routes with the agent's mark, as {@code ip -4 route show proto 113} prints them. */
    Set<RoutePlan.Route> own() throws IOException {
        return parse(Commands.run("ip", "-4", "route", "show", "proto", PROTOCOL));
    }

    void replace(RoutePlan.Route route) throws IOException {
        Commands.run("ip", "route", "replace", route.destination(), "via", route.via(), "proto", PROTOCOL);
    }

    void delete(RoutePlan.Route route) throws IOException {
        Commands.run("ip", "route", "del", route.destination(), "via", route.via(), "proto", PROTOCOL);
    }

    /** Lines such as {@code 10.91.2.0/24 via 10.90.0.3 dev eth0}; a route without a next hop is none of the agent's. */
    static Set<RoutePlan.Route> parse(String output) {
        Set<RoutePlan.Route> routes = new LinkedHashSet<>();
        for (String line : output.split("\n")) {
            List<String> fields = List.of(line.trim().split("\\s+"));
            int via = fields.indexOf("via");
            if (via > 0 && via + 1 < fields.size()) {
                String destination = fields.get(0).contains("/") ? fields.get(0) : fields.get(0) + "/32";
                routes.add(new RoutePlan.Route(destination, fields.get(via + 1)));
            }
        }
        return routes;
    }
}
