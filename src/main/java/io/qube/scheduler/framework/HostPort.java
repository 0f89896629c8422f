package io.qube.scheduler.framework;

/** A port a pod takes on its node's addresses; 0.0.0.0 stands for all of them. */
public record HostPort(String ip, String protocol, int port) {

    static final String ANY_IP = "0.0.0.0";

    public static HostPort of(String ip, String protocol, int port) {
        return new HostPort(ip == null || ip.isEmpty() ? ANY_IP : ip,
                protocol == null || protocol.isEmpty() ? "TCP" : protocol, port);
    }

    /** Two uses clash on the same port and protocol when either takes every address or both take the same one. */
    public boolean conflicts(HostPort other) {
        return port == other.port && protocol.equals(other.protocol)
                && (ip.equals(ANY_IP) || other.ip.equals(ANY_IP) || ip.equals(other.ip));
    }
}
