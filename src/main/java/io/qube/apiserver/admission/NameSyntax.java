package io.qube.apiserver.admission;

import io.qube.apiserver.registry.NameRule;
import io.qube.store.LabelSyntax;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Kubernetes' string formats (names, label values, keys, port names, ...). Each check returns the problems found,
 * worded as Kubernetes words them, so that a 422 reads the same as a real cluster's; an empty list means valid.
 */
final class NameSyntax {

    static final int DNS_SUBDOMAIN_MAX = 253;
    static final int DNS_LABEL_MAX = 63;

    private static final String DNS_LABEL_FORMAT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final String DNS_SUBDOMAIN_FORMAT = DNS_LABEL_FORMAT + "(\\." + DNS_LABEL_FORMAT + ")*";
    private static final String DNS_1035_FORMAT = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private static final String QUALIFIED_NAME_FORMAT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private static final String LABEL_VALUE_FORMAT = "(" + QUALIFIED_NAME_FORMAT + ")?";
    private static final String CONFIG_KEY_FORMAT = "[-._a-zA-Z0-9]+";
    private static final String PERCENT_FORMAT = "[0-9]+%";

    // DNS labels and subdomains, and config keys, which every create checks, are decided by character tests
    // (LabelSyntax, isConfigKey); the formats above still word the errors.
    private static final Pattern DNS_1035 = Pattern.compile(DNS_1035_FORMAT);
    private static final Pattern QUALIFIED_NAME = Pattern.compile(QUALIFIED_NAME_FORMAT);
    private static final Pattern PERCENT = Pattern.compile(PERCENT_FORMAT);
    private static final Pattern PORT_NAME_CHARSET = Pattern.compile("[-a-z0-9]+");
    private static final Pattern HAS_LETTER = Pattern.compile(".*[a-z].*");

    private NameSyntax() {
    }

    /** The check for metadata.name (prefix = false) or metadata.generateName (prefix = true) under a kind's rule. */
    static List<String> objectName(NameRule rule, String name, boolean prefix) {
        // A generated name gets a random suffix, so a trailing '-' in the prefix is fine: check it as if it were
        // followed by a letter.
        String checked = prefix && name.endsWith("-") ? name.substring(0, name.length() - 1) + "a" : name;
        return switch (rule) {
            case DNS_SUBDOMAIN -> dns1123Subdomain(checked);
            case DNS_LABEL -> dns1123Label(checked);
            case DNS_1035_LABEL -> dns1035Label(checked);
            case PATH_SEGMENT -> pathSegment(name, prefix);
        };
    }

    /** Kubernetes' path.IsValidPathSegmentName (a prefix only needs the character rules). */
    static List<String> pathSegment(String name, boolean prefix) {
        List<String> problems = new ArrayList<>();
        if (!prefix && (name.equals(".") || name.equals(".."))) {
            problems.add("may not be '" + name + "'");
        }
        for (String forbidden : List.of("/", "%")) {
            if (name.contains(forbidden)) {
                problems.add("may not contain '" + forbidden + "'");
            }
        }
        return problems;
    }

    static List<String> dns1123Label(String value) {
        List<String> problems = new ArrayList<>();
        if (value.length() > DNS_LABEL_MAX) {
            problems.add(maxLength(DNS_LABEL_MAX));
        }
        if (!LabelSyntax.isDnsLabel(value)) {
            problems.add(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
                    + "'-', and must start and end with an alphanumeric character", DNS_LABEL_FORMAT, "my-name", "123-abc"));
        }
        return problems;
    }

    static List<String> dns1123Subdomain(String value) {
        List<String> problems = new ArrayList<>();
        if (value.length() > DNS_SUBDOMAIN_MAX) {
            problems.add(maxLength(DNS_SUBDOMAIN_MAX));
        }
        if (!LabelSyntax.isDnsSubdomain(value)) {
            problems.add(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                    + "characters, '-' or '.', and must start and end with an alphanumeric character",
                    DNS_SUBDOMAIN_FORMAT, "example.com"));
        }
        return problems;
    }

    /** A host such as "*.example.com", as Ingress hosts with a wildcard must be. */
    static List<String> wildcardDns1123Subdomain(String value) {
        List<String> problems = new ArrayList<>();
        if (value.length() > DNS_SUBDOMAIN_MAX) {
            problems.add(maxLength(DNS_SUBDOMAIN_MAX));
        }
        if (!value.startsWith("*.") || !LabelSyntax.isDnsSubdomain(value.substring(2))) {
            problems.add(regexError("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS "
                    + "subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an "
                    + "alphanumeric character", "\\*\\." + DNS_SUBDOMAIN_FORMAT, "*.example.com"));
        }
        return problems;
    }

    static List<String> dns1035Label(String value) {
        List<String> problems = new ArrayList<>();
        if (value.length() > DNS_LABEL_MAX) {
            problems.add(maxLength(DNS_LABEL_MAX));
        }
        if (!DNS_1035.matcher(value).matches()) {
            problems.add(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
                    + "start with an alphabetic character, and end with an alphanumeric character",
                    DNS_1035_FORMAT, "my-name", "abc-123"));
        }
        return problems;
    }

    /**
     * An optional DNS subdomain prefix and '/', then a name of 1-63 characters (label keys, finalizers, ...). The
     * store's {@link LabelSyntax} decides, so that selectors and objects agree; this only says why a value fails.
     */
    static List<String> qualifiedName(String value) {
        if (LabelSyntax.isValidKey(value)) {
            return List.of();
        }
        List<String> problems = new ArrayList<>();
        String[] parts = value.split("/", -1);
        String name;
        if (parts.length == 1) {
            name = parts[0];
        } else if (parts.length == 2) {
            name = parts[1];
            if (parts[0].isEmpty()) {
                problems.add("prefix part must be non-empty");
            } else {
                dns1123Subdomain(parts[0]).forEach(problem -> problems.add("prefix part " + problem));
            }
        } else {
            problems.add("a qualified name " + qualifiedNameRegexError()
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
            return problems;
        }
        if (name.isEmpty()) {
            problems.add("name part must be non-empty");
        } else if (name.length() > DNS_LABEL_MAX) {
            problems.add("name part " + maxLength(DNS_LABEL_MAX));
        }
        if (!QUALIFIED_NAME.matcher(name).matches()) {
            problems.add("name part " + qualifiedNameRegexError());
        }
        return problems;
    }

    static List<String> labelValue(String value) {
        if (LabelSyntax.isValidValue(value)) {
            return List.of();
        }
        List<String> problems = new ArrayList<>();
        if (value.length() > DNS_LABEL_MAX) {
            problems.add(maxLength(DNS_LABEL_MAX));
        }
        if (!QUALIFIED_NAME.matcher(value).matches()) {
            problems.add(regexError("a valid label must be an empty string or consist of alphanumeric characters, "
                    + "'-', '_' or '.', and must start and end with an alphanumeric character",
                    LABEL_VALUE_FORMAT, "MyValue", "my_value", "12345"));
        }
        return problems;
    }

    /** {@code [-._a-zA-Z0-9]+}. */
    static boolean isConfigKey(String value) {
        if (value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!LabelSyntax.isAlphanumeric(c) && c != '-' && c != '.' && c != '_') {
                return false;
            }
        }
        return true;
    }

    /** Keys of ConfigMap and Secret data: they become file names in volumes, hence no '.' or '..'. */
    static List<String> configMapKey(String value) {
        List<String> problems = new ArrayList<>();
        if (value.length() > DNS_SUBDOMAIN_MAX) {
            problems.add(maxLength(DNS_SUBDOMAIN_MAX));
        }
        if (!isConfigKey(value)) {
            problems.add(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                    CONFIG_KEY_FORMAT, "key.name", "KEY_NAME", "key-name"));
        }
        if (value.equals(".")) {
            problems.add("must not be '.'");
        } else if (value.equals("..")) {
            problems.add("must not be '..'");
        } else if (value.startsWith("..")) {
            problems.add("must not start with '..'");
        }
        return problems;
    }

    /** An IANA service name, as container port names and named target ports must be. */
    static List<String> portName(String value) {
        List<String> problems = new ArrayList<>();
        if (value.length() > 15) {
            problems.add(maxLength(15));
        }
        if (!PORT_NAME_CHARSET.matcher(value).matches()) {
            problems.add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        } else if (!HAS_LETTER.matcher(value).matches()) {
            problems.add("must contain at least one letter (a-z)");
        }
        if (value.contains("--")) {
            problems.add("must not contain consecutive hyphens");
        }
        if (value.startsWith("-") || value.endsWith("-")) {
            problems.add("must not begin or end with a hyphen");
        }
        return problems;
    }

    static List<String> portNumber(int port) {
        return port >= 1 && port <= 65535 ? List.of() : List.of(inclusiveRange(1, 65535));
    }

    static List<String> percent(String value) {
        return PERCENT.matcher(value).matches() ? List.of() : List.of(regexError(
                "a valid percent string must be a numeric string followed by an ending '%'", PERCENT_FORMAT, "1%", "93%"));
    }

    /** Kubernetes 1.32 accepts any printable ASCII except '=' in environment variable names. */
    static List<String> envVarName(String value) {
        for (char c : value.toCharArray()) {
            if (c < 0x20 || c > 0x7e || c == '=') {
                return List.of("a valid environment variable name must consist only of printable ASCII characters "
                        + "other than '='");
            }
        }
        return List.of();
    }

    static String inclusiveRange(long low, long high) {
        return "must be between " + low + " and " + high + ", inclusive";
    }

    private static String maxLength(int max) {
        return "must be no more than " + max + " characters";
    }

    private static String qualifiedNameRegexError() {
        return regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                + "alphanumeric character", QUALIFIED_NAME_FORMAT, "MyName", "my.name", "123-abc");
    }

    /** Kubernetes' wording, including its doubled space before "or". */
    private static String regexError(String message, String format, String... examples) {
        StringBuilder text = new StringBuilder(message).append(" (e.g. ");
        for (int i = 0; i < examples.length; i++) {
            if (i > 0) {
                text.append(" or ");
            }
            text.append('\'').append(examples[i]).append("', ");
        }
        return text.append("regex used for validation is '").append(format).append("')").toString();
    }
}
