package io.qube.agent.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A resolv.conf as the kubelet reads the node's (its --resolv-conf): nameservers, search domains (the last
 * {@code search} or {@code domain} line wins, as in the resolver) and options. A missing file is an empty one.
 */
public record ResolvConf(List<String> nameservers, List<String> searches, List<String> options) {

    public static final ResolvConf EMPTY = new ResolvConf(List.of(), List.of(), List.of());

    public static ResolvConf read(Path file) throws IOException {
        try {
            return parse(Files.readString(file));
        } catch (NoSuchFileException e) {
            return EMPTY;
        }
    }

    public static ResolvConf parse(String text) {
        List<String> nameservers = new ArrayList<>();
        List<String> searches = new ArrayList<>();
        List<String> options = new ArrayList<>();
        for (String line : text.split("\n")) {
            String content = line.replaceFirst("[#;].*", "").trim();
            if (content.isEmpty()) {
                continue;
            }
            String[] fields = content.split("\\s+");
            List<String> values = List.of(fields).subList(1, fields.length);
            switch (fields[0]) {
                case "nameserver" -> {
                    if (!values.isEmpty()) {
                        nameservers.add(values.get(0));
                    }
                }
                case "search", "domain" -> {
                    searches.clear();
                    searches.addAll(values);
                }
                case "options" -> options.addAll(values);
                default -> {
                }
            }
        }
        return new ResolvConf(List.copyOf(nameservers), List.copyOf(searches), List.copyOf(options));
    }

    /**
     * The nameservers DNS forwards to, on port 53: loopback ones are left out, since on a node running a local
     * resolver they would be the node's own stub (and in a pod they would be the pod itself).
     */
    public List<InetSocketAddress> upstreams() {
        List<InetSocketAddress> upstreams = new ArrayList<>();
        for (String nameserver : nameservers) {
            InetAddress address = ClusterZone.literal(nameserver);
            if (address != null && !address.isLoopbackAddress()) {
                upstreams.add(new InetSocketAddress(address, 53));
            }
        }
        return upstreams;
    }
}
