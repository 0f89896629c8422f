package io.qube.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.store.StoredObject;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Gives services their cluster IP (from 10.96.0.0/12) and node ports (30000-32767) as the apiserver's allocators
 * do, and keeps them across updates that leave them out. Addresses are drawn at random and checked against the
 * services this process knows; see docs/api-differences.md for how that differs from Kubernetes' allocators.
 */
final class ServiceAddresses {

    private static final int RANGE_BASE = (10 << 24) | (96 << 16);
    private static final int RANGE_SIZE = 1 << 20;
    private static final int FIRST_NODE_PORT = 30000;
    private static final int NODE_PORTS = 2768;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ServiceAddresses() {
    }

    /**
     * @param stored   the service as stored (an update), or null (a create)
     * @param existing the services known now, whose addresses are taken
     */
    static void assign(ObjectNode service, ObjectNode stored, Collection<StoredObject> existing) {
        ObjectNode spec = service.withObjectProperty("spec");
        String type = spec.path("type").asText("ClusterIP");
        if (stored != null) {
            keepAllocated(spec, stored.path("spec"));
        }
        if (type.equals("ExternalName")) {
            return;
        }
        Set<String> takenIps = new HashSet<>();
        Set<Integer> takenPorts = new HashSet<>();
        for (StoredObject other : existing) {
            String body = other.body();
            collect(body, takenIps, takenPorts);
        }
        if (spec.path("clusterIP").asText("").isEmpty()) {
            spec.put("clusterIP", freeIp(takenIps));
        }
        if (!spec.has("clusterIPs") || spec.path("clusterIPs").isEmpty()) {
            spec.putArray("clusterIPs").add(spec.path("clusterIP").asText());
        }
        if (type.equals("NodePort") || type.equals("LoadBalancer")) {
            for (JsonNode port : spec.path("ports")) {
                if (port instanceof ObjectNode p && p.path("nodePort").asInt(0) == 0) {
                    int allocated = freePort(takenPorts);
                    takenPorts.add(allocated);
                    p.put("nodePort", allocated);
                }
            }
        }
    }

    /** An update that omits the allocated addresses keeps them (validation then refuses any change). */
    private static void keepAllocated(ObjectNode spec, JsonNode stored) {
        if (spec.path("clusterIP").asText("").isEmpty() && stored.hasNonNull("clusterIP")) {
            spec.set("clusterIP", stored.get("clusterIP"));
        }
        if (spec.path("clusterIPs").isEmpty() && stored.has("clusterIPs")) {
            spec.set("clusterIPs", stored.get("clusterIPs"));
        }
        JsonNode storedPorts = stored.path("ports");
        if (spec.path("ports") instanceof ArrayNode ports) {
            for (JsonNode port : ports) {
                if (port instanceof ObjectNode p && p.path("nodePort").asInt(0) == 0) {
                    for (JsonNode old : storedPorts) {
                        if (old.path("port").asInt() == p.path("port").asInt() && old.path("nodePort").asInt(0) > 0
                                && old.path("protocol").asText("TCP").equals(p.path("protocol").asText("TCP"))) {
                            p.put("nodePort", old.path("nodePort").asInt());
                        }
                    }
                }
            }
        }
    }

    private static void collect(String body, Set<String> ips, Set<Integer> ports) {
        try {
            JsonNode spec = io.qube.apiserver.codec.Json.MAPPER.readTree(body).path("spec");
            if (spec.hasNonNull("clusterIP")) {
                ips.add(spec.get("clusterIP").asText());
            }
            for (JsonNode port : spec.path("ports")) {
                if (port.path("nodePort").asInt(0) > 0) {
                    ports.add(port.path("nodePort").asInt());
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a stored service is not JSON", e);
        }
    }

    private static String freeIp(Set<String> taken) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            // .0 is the network and .1 belongs to the "kubernetes" service in Kubernetes' convention.
            int address = RANGE_BASE + 2 + RANDOM.nextInt(RANGE_SIZE - 3);
            String ip = (address >>> 24) + "." + ((address >> 16) & 255) + "." + ((address >> 8) & 255) + "."
                    + (address & 255);
            if (!taken.contains(ip)) {
                return ip;
            }
        }
        throw new ApiException(500, "InternalError", "no free cluster IP found", null, null, null, null);
    }

    private static int freePort(Set<Integer> taken) {
        if (taken.size() >= NODE_PORTS) {
            throw new ApiException(422, "Invalid", "all node ports (30000-32767) are allocated", null, null, null,
                    null);
        }
        while (true) {
            int port = FIRST_NODE_PORT + RANDOM.nextInt(NODE_PORTS);
            if (!taken.contains(port)) {
                return port;
            }
        }
    }
}
