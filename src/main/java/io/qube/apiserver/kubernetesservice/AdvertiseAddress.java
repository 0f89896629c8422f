package io.qube.apiserver.kubernetesservice;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The address this apiserver advertises (kube-apiserver's --advertise-address): the configured one, else the
 * address it listens on. Listening on every address, it advertises the one this machine's default route leaves
 * from, as Kubernetes' ResolveBindAddress does (found without sending anything), or loopback when there is none.
 */
final class AdvertiseAddress {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** Any public address works for finding the default route: a UDP connect only chooses the route. */
    private static final String ROUTE_PROBE_V4 = "192.0.2.1";
    private static final String ROUTE_PROBE_V6 = "2001:db8::1";

    private AdvertiseAddress() {
    }

    /**
     * @param configured {@code qube.apiserver.advertise-address}, which must be an IP address
     * @param bindHost   {@code quarkus.http.host}
     */
    static String resolve(Optional<String> configured, String bindHost) {
        if (configured.isPresent() && !configured.get().isBlank()) {
            String address = configured.get().trim();
            InetAddress parsed = literal(address);
            if (parsed == null || parsed.isAnyLocalAddress()) {
                throw new IllegalArgumentException("qube.apiserver.advertise-address must be an IP address other "
                        + "than 0.0.0.0 or ::, not " + address);
            }
            return address;
        }
        InetAddress bound = literal(bindHost);
        if (bound == null) {
            try {
                bound = InetAddress.getByName(bindHost);
            } catch (UnknownHostException e) {
                return "127.0.0.1";
            }
        } else if (!bound.isAnyLocalAddress()) {
            return bindHost.trim();
        }
        if (bound.isAnyLocalAddress()) {
            boolean v6 = bound.getAddress().length == 16;
            return defaultRouteAddress(v6).orElse(v6 ? "::1" : "127.0.0.1");
        }
        return bound.getHostAddress();
    }

    /** The address, if the text is an IP literal (parsed without any name lookup); else null. */
    static InetAddress literal(String text) {
        String trimmed = text == null ? "" : text.trim();
        if (!IPV4.matcher(trimmed).matches() && !trimmed.contains(":")) {
            return null;
        }
        try {
            return InetAddress.getByName(trimmed.startsWith("[") ? trimmed.substring(1, trimmed.length() - 1)
                    : trimmed);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static Optional<String> defaultRouteAddress(boolean v6) {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(InetAddress.getByName(v6 ? ROUTE_PROBE_V6 : ROUTE_PROBE_V4), 9);
            InetAddress local = socket.getLocalAddress();
            if (local == null || local.isAnyLocalAddress() || local.isLoopbackAddress()
                    || local.isLinkLocalAddress()) {
                return Optional.empty();
            }
            return Optional.of(local.getHostAddress());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
