package io.qube.agent.runtime.simulated;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pod IPs for simulated pods: nothing listens on them, but pods carry an IP as Kubernetes reports one. Each node
 * gets a /24 of 10.240.0.0/12 by the order it first asks, and hands out its addresses in turn.
 */
final class PodAddresses {

    private final Map<String, Integer> subnets = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> next = new ConcurrentHashMap<>();
    private final AtomicInteger subnetsGiven = new AtomicInteger();

    String next(String node) {
        int subnet = subnets.computeIfAbsent(node, n -> subnetsGiven.getAndIncrement() % 4096);
        int host = 2 + Math.floorMod(next.computeIfAbsent(node, n -> new AtomicInteger()).getAndIncrement(), 252);
        return "10." + (240 + subnet / 256) + "." + (subnet % 256) + "." + host;
    }
}
