package io.qube.agent.proxy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The names of the proxy's chains. Per-service and per-endpoint chains carry a hash of what they stand for, so a
 * name stays the same across syncs and restarts (an unchanged chain is never rewritten, a leftover one is
 * adopted), and fits iptables' 28 characters. Every name starts with {@code QUBE-} but none with
 * {@code QUBE-MASQ-}, which is PodMasquerade's.
 */
final class ChainNames {

    static final String SERVICES = "QUBE-SERVICES";
    static final String NODEPORTS = "QUBE-NODEPORTS";
    static final String MARK_MASQ = "QUBE-MARK-MASQ";
    static final String POSTROUTING = "QUBE-POSTROUTING";
    static final String FILTER = "QUBE-PROXY-FILTER";
    static final String FIREWALL = "QUBE-PROXY-FIREWALL";

    private static final List<String> FIXED = List.of(SERVICES, NODEPORTS, MARK_MASQ, POSTROUTING, FILTER, FIREWALL);
    private static final List<String> HASHED = List.of("QUBE-SVC-", "QUBE-SVL-", "QUBE-EXT-", "QUBE-SEP-");
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private ChainNames() {
    }

    /** Whether the proxy made a chain of this name (an earlier run's included), so it may flush and delete it. */
    static boolean isOwn(String chain) {
        return FIXED.contains(chain) || HASHED.stream().anyMatch(chain::startsWith);
    }

    /** The chain that spreads a service port's traffic over all its endpoints. */
    static String cluster(String servicePort, String protocol) {
        return "QUBE-SVC-" + hash(servicePort + "/" + protocol);
    }

    /** The chain that spreads a service port's traffic over the endpoints on this node. */
    static String local(String servicePort, String protocol) {
        return "QUBE-SVL-" + hash(servicePort + "/" + protocol);
    }

    /** The chain a service port's node port traffic enters. */
    static String external(String servicePort, String protocol) {
        return "QUBE-EXT-" + hash(servicePort + "/" + protocol);
    }

    /** The chain that sends a service port's traffic to one endpoint. */
    static String endpoint(String servicePort, String protocol, String endpoint) {
        return "QUBE-SEP-" + hash(servicePort + "/" + protocol + "/" + endpoint);
    }

    /** 16 base32 characters of the SHA-256 of {@code text}: 80 bits, no collision among a cluster's services. */
    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder name = new StringBuilder();
            for (int i = 0; i < 10; i += 5) {
                long bits = 0;
                for (int j = 0; j < 5; j++) {
                    bits = (bits << 8) | (digest[i + j] & 0xff);
                }
                for (int shift = 35; shift >= 0; shift -= 5) {
                    name.append(BASE32[(int) (bits >>> shift) & 31]);
                }
            }
            return name.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
