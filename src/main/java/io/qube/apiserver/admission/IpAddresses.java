package io.qube.apiserver.admission;

import io.qube.apiserver.registry.FieldErrors;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * IP address and CIDR literals as Kubernetes validates them. Parsed here by hand because
 * {@link InetAddress#getByName} would resolve anything that is not a literal through DNS.
 */
final class IpAddresses {

    static final String INVALID_IP = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
    static final String INVALID_CIDR = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

    private IpAddresses() {
    }

    /** The address, if the text is an IPv4 (dotted quad) or IPv6 literal. */
    static Optional<InetAddress> parse(String text) {
        byte[] bytes = text.contains(":") ? ipv6(text) : ipv4(text);
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException impossible) {
            // getByAddress only throws for a wrong length, which the parsers never produce.
            throw new IllegalStateException(impossible);
        }
    }

    static boolean isValidCidr(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            return false;
        }
        Optional<InetAddress> address = parse(text.substring(0, slash));
        String bits = text.substring(slash + 1);
        if (address.isEmpty() || bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(Character::isDigit)) {
            return false;
        }
        return Integer.parseInt(bits) <= address.get().getAddress().length * 8;
    }

    /**
     * An address traffic can be sent to, as endpoints and external IPs must be: a valid IP that is not
     * unspecified, loopback or link-local, which make no sense as a service's backend.
     */
    static void validateRoutable(String text, String path, FieldErrors errors) {
        validateRoutable(text, path, errors, false);
    }

    /** As {@link #validateRoutable(String, String, FieldErrors)}, loopback accepted if {@code loopbackAllowed}. */
    static void validateRoutable(String text, String path, FieldErrors errors, boolean loopbackAllowed) {
        Optional<InetAddress> parsed = parse(NullSafe.string(text));
        if (parsed.isEmpty()) {
            errors.invalid(path, text, INVALID_IP);
            return;
        }
        specialAddressProblems(text, parsed.get(), loopbackAllowed)
                .forEach(problem -> errors.invalid(path, text, problem));
    }

    private static List<String> specialAddressProblems(String text, InetAddress address, boolean loopbackAllowed) {
        List<String> problems = new ArrayList<>();
        if (address.isAnyLocalAddress()) {
            problems.add("may not be unspecified (" + text + ")");
        }
        if (address.isLoopbackAddress() && !loopbackAllowed) {
            problems.add("may not be in the loopback range (127.0.0.0/8, ::1/128)");
        }
        if (address.isLinkLocalAddress()) {
            problems.add("may not be in the link-local range (169.254.0.0/16, fe80::/10)");
        }
        if (address.isMCLinkLocal()) {
            problems.add("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)");
        }
        return problems;
    }

    private static byte[] ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                return null;
            }
            int value = Integer.parseInt(part);
            if (value > 255) {
                return null;
            }
            bytes[i] = (byte) value;
        }
        return bytes;
    }

    private static byte[] ipv6(String text) {
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        List<Integer> head = new ArrayList<>();
        List<Integer> tail = new ArrayList<>();
        if (gap < 0) {
            if (!groups(text, head, true)) {
                return null;
            }
        } else if (!groups(text.substring(0, gap), head, false) || !groups(text.substring(gap + 2), tail, true)) {
            return null;
        }
        int total = head.size() + tail.size();
        if (gap < 0 ? total != 8 : total > 7) {
            return null;
        }
        byte[] bytes = new byte[16];
        for (int i = 0; i < head.size(); i++) {
            put(bytes, i, head.get(i));
        }
        for (int i = 0; i < tail.size(); i++) {
            put(bytes, 8 - tail.size() + i, tail.get(i));
        }
        return bytes;
    }

    /** Colon-separated 16-bit groups; at the very end of an address the last may be an embedded IPv4 address. */
    private static boolean groups(String text, List<Integer> into, boolean endsAddress) {
        if (text.isEmpty()) {
            return true;
        }
        String[] parts = text.split(":", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (endsAddress && i == parts.length - 1 && part.contains(".")) {
                byte[] v4 = ipv4(part);
                if (v4 == null) {
                    return false;
                }
                into.add(((v4[0] & 0xff) << 8) | (v4[1] & 0xff));
                into.add(((v4[2] & 0xff) << 8) | (v4[3] & 0xff));
                continue;
            }
            if (part.isEmpty() || part.length() > 4) {
                return false;
            }
            for (char c : part.toCharArray()) {
                if (Character.digit(c, 16) < 0) {
                    return false;
                }
            }
            into.add(Integer.parseInt(part, 16));
        }
        return true;
    }

    private static void put(byte[] bytes, int group, int value) {
        bytes[group * 2] = (byte) (value >> 8);
        bytes[group * 2 + 1] = (byte) value;
    }
}
