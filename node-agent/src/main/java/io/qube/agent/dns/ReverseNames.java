package io.qube.agent.dns;

import org.xbill.DNS.Address;
import org.xbill.DNS.Name;

import java.net.UnknownHostException;

/** The address a reverse name (in-addr.arpa, ip6.arpa) stands for, so a PTR query is one index lookup. */
final class ReverseNames {

    private static final Name IPV4 = Name.fromConstantString("in-addr.arpa.");
    private static final Name IPV6 = Name.fromConstantString("ip6.arpa.");

    private ReverseNames() {
    }

    /** The address in its canonical spelling, or null when the name is not a whole reverse name of one. */
    static String address(Name name) {
        if (name.subdomain(IPV4)) {
            return parse(name.relativize(IPV4), 4, ".", 1);
        }
        if (name.subdomain(IPV6)) {
            return parse(name.relativize(IPV6), 32, ":", 4);
        }
        return null;
    }

    /** The labels read right to left, joined in groups (one octet; four nibbles of IPv6). */
    private static String parse(Name relative, int labels, String separator, int group) {
        if (relative.labels() != labels) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (int i = labels - 1; i >= 0; i--) {
            if (i != labels - 1 && (labels - 1 - i) % group == 0) {
                text.append(separator);
            }
            text.append(relative.getLabelString(i));
        }
        try {
            return Address.getByAddress(text.toString()).getHostAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
