package io.qube.authorization;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;

import java.util.List;

/**
 * Whether one RBAC rule covers a request: each of its lists must match, "*" matching anything; a resource rule
 * names {@code resource/subresource}, or a wildcard for any resource or for one subresource of any, and, if it
 * lists names, the object's;
 * a non-resource rule's URL matches exactly or, ending in "*", by prefix.
 */
public final class PolicyRules {

    private static final String ALL = "*";

    private PolicyRules() {
    }

    public static boolean allows(PolicyRule rule, Attributes request) {
        if (!contains(rule.getVerbs(), request.verb())) {
            return false;
        }
        if (!request.resourceRequest()) {
            return urlMatches(list(rule.getNonResourceURLs()), request.path());
        }
        return contains(rule.getApiGroups(), request.apiGroup())
                && resourceMatches(list(rule.getResources()), request.resource(), request.subresource())
                && (list(rule.getResourceNames()).isEmpty() || rule.getResourceNames().contains(request.name()));
    }

    private static boolean contains(List<String> values, String wanted) {
        for (String value : list(values)) {
            if (value.equals(ALL) || value.equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    private static boolean resourceMatches(List<String> ruleResources, String resource, String subresource) {
        String combined = subresource.isEmpty() ? resource : resource + "/" + subresource;
        for (String ruleResource : ruleResources) {
            if (ruleResource.equals(ALL) || ruleResource.equals(combined)) {
                return true;
            }
            // "*/scale" is the scale subresource of every resource.
            if (!subresource.isEmpty() && ruleResource.equals(ALL + "/" + subresource)) {
                return true;
            }
        }
        return false;
    }

    private static boolean urlMatches(List<String> ruleUrls, String path) {
        for (String url : ruleUrls) {
            if (url.equals(ALL) || url.equals(path)
                    || url.endsWith(ALL) && path.startsWith(url.substring(0, url.length() - 1))) {
                return true;
            }
        }
        return false;
    }

    private static <T> List<T> list(List<T> values) {
        return values == null ? List.of() : values;
    }
}
