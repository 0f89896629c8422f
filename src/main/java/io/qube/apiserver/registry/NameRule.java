package io.qube.apiserver.registry;

/** Which Kubernetes name syntax a kind's metadata.name must follow. */
public enum NameRule {
    /** Lowercase RFC 1123 subdomain, at most 253 characters (most kinds). */
    DNS_SUBDOMAIN,
    /** Lowercase RFC 1123 label, at most 63 characters (namespaces). */
    DNS_LABEL,
    /** RFC 1035 label: starts with a letter, at most 63 characters (services). */
    DNS_1035_LABEL,
    /** Any name usable as one URL path segment: not "." or "..", no '/' or '%' (RBAC roles: "system:basic-user"). */
    PATH_SEGMENT
}
