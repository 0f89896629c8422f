package io.qube.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.FieldErrors;
import io.qube.store.StoredObject;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Gives services their cluster IP (from 10.96.0.0/12) and node ports (30000-32767) as the apiserver's allocators
 * do, and keeps them across updates that leave them out. Addresses are drawn at random and checked against the
 * services this process knows; the store refuses an address another Service holds (migration V2), which covers
 * what another apiserver gave out meanwhile. See docs/api-differences.md for how that differs from Kubernetes.
 */
final class ServiceAddresses {

    private static final int RANGE_BASE = (10 << 24) | (96 << 16);
    private static final int RANGE_SIZE = 1 << 20;
    /** Kubernetes' static band of a service range: size/16, at least 16 and at most 256 addresses. */
    private static final int STATIC_BAND = 256;
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
        if (stored != null) {
            JsonNode old = stored.path("spec");
            normalizeClusterIps(spec, old);
            dropTypeDependentFields(service, spec, old);
            keepAllocated(spec, old);
        }
        String type = type(spec);
        if (!needsClusterIp(type)) {
            return;
        }
        Set<String> takenIps = new HashSet<>();
        Set<Integer> takenPorts = new HashSet<>();
        for (StoredObject other : existing) {
            if (stored == null || !other.key().name().equals(stored.path("metadata").path("name").asText())) {
                collect(other.body(), takenIps, takenPorts);
            }
        }
        refuseTaken(service, spec, takenIps, takenPorts);
        if (spec.path("clusterIP").asText("").isEmpty()) {
            spec.put("clusterIP", freeIp(takenIps));
        }
        if (!spec.has("clusterIPs") || spec.path("clusterIPs").isEmpty()) {
            spec.putArray("clusterIPs").add(spec.path("clusterIP").asText());
        }
        for (JsonNode port : spec.path("ports")) {
            if (port.path("nodePort").asInt(0) > 0) {
                takenPorts.add(port.path("nodePort").asInt());
            }
        }
        if (needsNodePorts(spec)) {
            for (JsonNode port : spec.path("ports")) {
                if (port instanceof ObjectNode p && p.path("nodePort").asInt(0) == 0) {
                    p.put("nodePort", take(takenPorts));
                }
            }
        }
        if (needsHealthCheckPort(spec) && spec.path("healthCheckNodePort").asInt(0) == 0) {
            spec.put("healthCheckNodePort", take(takenPorts));
        }
    }

    /** Addresses a client asks for must be free, as Kubernetes' allocators require ("already allocated"). */
    private static void refuseTaken(ObjectNode service, JsonNode spec, Set<String> takenIps, Set<Integer> takenPorts) {
        FieldErrors errors = new FieldErrors();
        String ip = spec.path("clusterIP").asText("");
        if (!ip.isEmpty() && !ip.equals("None") && takenIps.contains(ip)) {
            errors.invalid("spec.clusterIPs", Json.MAPPER.createArrayNode().add(ip),
                    "failed to allocate IP " + ip + ": provided IP is already allocated");
        }
        int i = 0;
        for (JsonNode port : spec.path("ports")) {
            int nodePort = port.path("nodePort").asInt(0);
            if (nodePort > 0 && takenPorts.contains(nodePort)) {
                errors.invalid("spec.ports[" + i + "].nodePort", nodePort, "provided port is already allocated");
            }
            i++;
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid("", "Service", service.path("metadata").path("name").asText(""), errors);
        }
    }

    private static String type(JsonNode spec) {
        String type = spec.path("type").asText("");
        return type.isEmpty() ? "ClusterIP" : type;
    }

    private static boolean needsClusterIp(String type) {
        return !type.equals("ExternalName");
    }

    /** NodePort services and load balancers that have not opted out of node ports. */
    private static boolean needsNodePorts(JsonNode spec) {
        String type = type(spec);
        return type.equals("NodePort") || type.equals("LoadBalancer")
                && spec.path("allocateLoadBalancerNodePorts").asBoolean(true);
    }

    private static boolean carriesNodePorts(JsonNode spec) {
        String type = type(spec);
        return type.equals("NodePort") || type.equals("LoadBalancer");
    }

    private static boolean needsHealthCheckPort(JsonNode spec) {
        return type(spec).equals("LoadBalancer") && spec.path("externalTrafficPolicy").asText("").equals("Local");
    }

    /**
     * clusterIP and clusterIPs say the same thing twice; like Kubernetes, read what an older client that knows only
     * clusterIP meant: omitting clusterIPs keeps them, clearing clusterIP clears both, changing it changes both.
     */
    private static void normalizeClusterIps(ObjectNode spec, JsonNode old) {
        String oldIp = old.path("clusterIP").asText("");
        String newIp = spec.path("clusterIP").asText("");
        boolean sameList = old.path("clusterIPs").equals(spec.path("clusterIPs"))
                || old.path("clusterIPs").isEmpty() && spec.path("clusterIPs").isEmpty();
        if (!old.path("clusterIPs").isEmpty() && spec.path("clusterIPs").isEmpty() && oldIp.equals(newIp)) {
            spec.set("clusterIPs", old.get("clusterIPs").deepCopy());
        } else if (!oldIp.equals(newIp) && sameList) {
            if (!oldIp.isEmpty() && newIp.isEmpty()) {
                spec.remove("clusterIPs");
            } else {
                spec.putArray("clusterIPs").add(newIp);
            }
        }
    }

    /**
     * What the new type no longer has is cleared, as Kubernetes does, but only where the client left the old value
     * in place (then it was the server's, not a request): cluster IPs and IP families of an ExternalName service,
     * node ports of a service that is neither NodePort nor LoadBalancer, a load balancer's own fields and status.
     */
    private static void dropTypeDependentFields(ObjectNode service, ObjectNode spec, JsonNode old) {
        String type = type(spec);
        if (type.equals("ExternalName")) {
            if (same(spec, old, "clusterIP") && same(spec, old, "clusterIPs")) {
                spec.remove(List.of("clusterIP", "clusterIPs"));
            }
            for (String field : List.of("ipFamilyPolicy", "ipFamilies", "internalTrafficPolicy")) {
                if (same(spec, old, field)) {
                    spec.remove(field);
                }
            }
        }
        if (!carriesNodePorts(spec) && sameNodePorts(spec, old)) {
            for (JsonNode port : spec.path("ports")) {
                if (port instanceof ObjectNode p) {
                    p.remove("nodePort");
                }
            }
        }
        if (!needsHealthCheckPort(spec) && same(spec, old, "healthCheckNodePort")) {
            spec.remove("healthCheckNodePort");
        }
        if (!type.equals("LoadBalancer")) {
            for (String field : List.of("allocateLoadBalancerNodePorts", "loadBalancerClass")) {
                if (same(spec, old, field)) {
                    spec.remove(field);
                }
            }
            if (service.get("status") instanceof ObjectNode status) {
                status.putObject("loadBalancer");
            }
        }
        if (!carriesNodePorts(spec) && spec.path("externalIPs").isEmpty() && same(spec, old, "externalTrafficPolicy")) {
            spec.remove("externalTrafficPolicy");
        }
    }

    private static boolean same(JsonNode spec, JsonNode old, String field) {
        return spec.path(field).equals(old.path(field));
    }

    /** Whether every port's node port is what the old service had on the port with the same name. */
    private static boolean sameNodePorts(JsonNode spec, JsonNode old) {
        for (JsonNode port : spec.path("ports")) {
            int nodePort = port.path("nodePort").asInt(0);
            boolean found = false;
            for (JsonNode before : old.path("ports")) {
                if (before.path("name").asText("").equals(port.path("name").asText(""))) {
                    found = before.path("nodePort").asInt(0) == nodePort;
                }
            }
            if (!found && nodePort != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * An update that omits allocated values keeps them, but only between types that both have them: cluster IPs
     * between non-ExternalName types, node ports (matched by port name, unless already taken by another port of
     * the new spec) between NodePort and LoadBalancer, the health check port between Local load balancers.
     */
    private static void keepAllocated(ObjectNode spec, JsonNode old) {
        if (needsClusterIp(type(spec)) && needsClusterIp(type(old))) {
            if (spec.path("clusterIP").asText("").isEmpty() && old.hasNonNull("clusterIP")) {
                spec.set("clusterIP", old.get("clusterIP"));
            }
            if (spec.path("clusterIPs").isEmpty() && old.has("clusterIPs")) {
                spec.set("clusterIPs", old.get("clusterIPs"));
            }
        }
        if (carriesNodePorts(spec) && carriesNodePorts(old)) {
            Set<Integer> used = new HashSet<>();
            for (JsonNode port : spec.path("ports")) {
                used.add(port.path("nodePort").asInt(0));
            }
            for (JsonNode port : spec.path("ports")) {
                if (port instanceof ObjectNode p && p.path("nodePort").asInt(0) == 0) {
                    for (JsonNode before : old.path("ports")) {
                        int previous = before.path("nodePort").asInt(0);
                        if (previous > 0 && !used.contains(previous)
                                && before.path("name").asText("").equals(p.path("name").asText(""))) {
                            p.put("nodePort", previous);
                            used.add(previous);
                        }
                    }
                }
            }
        }
        if (needsHealthCheckPort(spec) && needsHealthCheckPort(old) && spec.path("healthCheckNodePort").asInt(0) == 0
                && old.path("healthCheckNodePort").asInt(0) > 0) {
            spec.set("healthCheckNodePort", old.get("healthCheckNodePort"));
        }
    }

    private static void collect(String body, Set<String> ips, Set<Integer> ports) {
        try {
            JsonNode spec = Json.MAPPER.readTree(body).path("spec");
            if (spec.hasNonNull("clusterIP")) {
                ips.add(spec.get("clusterIP").asText());
            }
            if (spec.path("healthCheckNodePort").asInt(0) > 0) {
                ports.add(spec.path("healthCheckNodePort").asInt());
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
            // Above the static band, as Kubernetes' allocator draws first: the band's addresses (10.96.0.1 of
            // "kubernetes", 10.96.0.10 of "kube-dns") are left to Services that name theirs; the last is broadcast.
            int address = RANGE_BASE + STATIC_BAND + RANDOM.nextInt(RANGE_SIZE - STATIC_BAND - 1);
            String ip = (address >>> 24) + "." + ((address >> 16) & 255) + "." + ((address >> 8) & 255) + "."
                    + (address & 255);
            if (!taken.contains(ip)) {
                return ip;
            }
        }
        throw new ApiException(500, "InternalError", "no free cluster IP found", null, null, null, null);
    }

    /** A free node port, marked taken. */
    private static int take(Set<Integer> taken) {
        int port = freePort(taken);
        taken.add(port);
        return port;
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
