package io.qube.apiserver.registry;

import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes' order of API versions, most preferred first: GA versions (v2 before v1), then betas, then alphas (each by
 * major, then by their own number, higher first), then any other name alphabetically. Discovery lists a group's
 * versions in this order and names the first its preferred version, which is how kubectl and client libraries choose
 * among a custom resource's versions.
 */
final class VersionPriority {

    private static final Pattern KUBE_VERSION = Pattern.compile("v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?");

    static final Comparator<String> MOST_PREFERRED_FIRST = Comparator
            .comparingInt(VersionPriority::stability).reversed()
            .thenComparing(Comparator.comparingLong(VersionPriority::major).reversed())
            .thenComparing(Comparator.comparingLong(VersionPriority::minor).reversed())
            .thenComparing(Comparator.naturalOrder());

    private VersionPriority() {
    }

    /** 3 for GA, 2 beta, 1 alpha, 0 a name not of Kubernetes' form. */
    private static int stability(String version) {
        Matcher m = KUBE_VERSION.matcher(version);
        if (!m.matches()) {
            return 0;
        }
        return m.group(2) == null ? 3 : m.group(2).equals("beta") ? 2 : 1;
    }

    private static long major(String version) {
        Matcher m = KUBE_VERSION.matcher(version);
        return m.matches() ? Long.parseLong(m.group(1)) : 0;
    }

    private static long minor(String version) {
        Matcher m = KUBE_VERSION.matcher(version);
        return m.matches() && m.group(3) != null ? Long.parseLong(m.group(3)) : 0;
    }
}
