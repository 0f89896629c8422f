package io.qube.store;

import java.util.regex.Pattern;

/** Kubernetes' syntax for label keys and values (also used by annotation keys). */
public final class LabelSyntax {

    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

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
            if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
                return false;
            }
        }
        return !name.isEmpty() && name.length() <= 63 && NAME.matcher(name).matches();
    }

    /** A value is empty or 1-63 alphanumerics with '-', '_' or '.' inside. */
    public static boolean isValidValue(String value) {
        return value != null && value.length() <= 63 && NAME.matcher(value).matches();
    }
}
