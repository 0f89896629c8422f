package io.qube.store;

/**
 * Kubernetes' syntax for label keys and values (also used by annotation keys), and the DNS names their prefixes are.
 * Every write checks each of its labels against these, so they are plain character tests rather than regular
 * expressions (which showed in the create path's profile); {@code LabelSyntaxTest} holds them to Kubernetes'
 * expressions, quoted on each method.
 */
public final class LabelSyntax {

    private LabelSyntax() {
    }

    /** A key is an optional DNS subdomain prefix (at most 253 characters) and a slash, then a name of 1-63 characters. */
    public static boolean isValidKey(String key) {
        if (key == null || key.isEmpty()) {
            return false;
        }
        int slash = key.indexOf('/');
        String name = key;
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (prefix.isEmpty() || prefix.length() > 253 || !isDnsSubdomain(prefix)) {
                return false;
            }
        }
        return !name.isEmpty() && name.length() <= 63 && isName(name);
    }

    /** A value is empty or 1-63 alphanumerics with '-', '_' or '.' inside. */
    public static boolean isValidValue(String value) {
        return value != null && value.length() <= 63 && isName(value);
    }

    /** {@code [a-z0-9]([-a-z0-9]*[a-z0-9])?}, whatever the length. */
    public static boolean isDnsLabel(String value) {
        return isDnsLabel(value, 0, value.length());
    }

    /** {@code [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*}: DNS labels joined by dots. */
    public static boolean isDnsSubdomain(String value) {
        int start = 0;
        while (true) {
            int dot = value.indexOf('.', start);
            int end = dot < 0 ? value.length() : dot;
            if (!isDnsLabel(value, start, end)) {
                return false;
            }
            if (dot < 0) {
                return true;
            }
            start = dot + 1;
        }
    }

    private static boolean isDnsLabel(String value, int from, int to) {
        if (from >= to || !isLowerAlphanumeric(value.charAt(from)) || !isLowerAlphanumeric(value.charAt(to - 1))) {
            return false;
        }
        for (int i = from + 1; i < to - 1; i++) {
            char c = value.charAt(i);
            if (!isLowerAlphanumeric(c) && c != '-') {
                return false;
            }
        }
        return true;
    }

    /** {@code ([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?}, whatever the length. */
    private static boolean isName(String value) {
        int length = value.length();
        if (length == 0) {
            return true;
        }
        if (!isAlphanumeric(value.charAt(0)) || !isAlphanumeric(value.charAt(length - 1))) {
            return false;
        }
        for (int i = 1; i < length - 1; i++) {
            char c = value.charAt(i);
            if (!isAlphanumeric(c) && c != '-' && c != '_' && c != '.') {
                return false;
            }
        }
        return true;
    }

    private static boolean isLowerAlphanumeric(char c) {
        return c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
    }

    /** ASCII only, as in the regular expressions' classes. */
    public static boolean isAlphanumeric(char c) {
        return isLowerAlphanumeric(c) || c >= 'A' && c <= 'Z';
    }
}
