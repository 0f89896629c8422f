package io.qube.controller.nodeipam;

/** An IPv4 CIDR as the first address of its block (an unsigned 32-bit value) and its prefix length. */
record Ipv4Cidr(long first, int prefix) {

    /** Parses a.b.c.d/n, dropping host bits as Go's ParseCIDR does. */
    static Ipv4Cidr parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash < 0) {
            throw invalid(text);
        }
        String[] octets = text.substring(0, slash).split("\\.", -1);
        if (octets.length != 4) {
            throw invalid(text);
        }
        long address = 0;
        for (String octet : octets) {
            address = (address << 8) | number(octet, 255, text);
        }
        int prefix = (int) number(text.substring(slash + 1), 32, text);
        return new Ipv4Cidr(address & mask(prefix), prefix);
    }

    long last() {
        return first | (~mask(prefix) & 0xFFFF_FFFFL);
    }

    @Override
    public String toString() {
        return (first >>> 24) + "." + ((first >>> 16) & 0xFF) + "." + ((first >>> 8) & 0xFF) + "." + (first & 0xFF)
                + "/" + prefix;
    }

    private static long mask(int prefix) {
        return prefix == 0 ? 0 : (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
    }

    /** A decimal in 0..max without sign or leading zeros (which Go reads as no IPv4 address either). */
    private static long number(String digits, int max, String text) {
        if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(Character::isDigit)
                || digits.length() > 1 && digits.charAt(0) == '0') {
            throw invalid(text);
        }
        int value = Integer.parseInt(digits);
        if (value > max) {
            throw invalid(text);
        }
        return value;
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("not an IPv4 CIDR: " + text);
    }
}
