package io.qube.apiserver.discovery;

/** The forms in which {@code /api} and {@code /apis} can answer, chosen by the request's Accept header. */
enum DiscoveryFormat {
    AGGREGATED_V2("v2"),
    AGGREGATED_V2BETA1("v2beta1"),
    LEGACY(null);

    private static final String GROUP = "apidiscovery.k8s.io";
    private static final String LIST_KIND = "APIGroupDiscoveryList";

    private final String version;

    DiscoveryFormat(String version) {
        this.version = version;
    }

    /**
     * The first acceptable clause that names a form we serve decides, as in Kubernetes. kubectl sends
     * {@code application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,...v2beta1...,application/json}.
     * A header that names no JSON form at all (e.g. protobuf only) still gets the legacy JSON, because clients cope
     * with JSON but not with a 406 on discovery.
     */
    static DiscoveryFormat negotiate(String accept) {
        for (MediaRange range : MediaRange.parse(accept)) {
            if (!range.includes("application", "json")) {
                continue;
            }
            String as = range.parameter("as");
            String group = range.parameter("g");
            String requested = range.parameter("v");
            if (as == null && group == null && requested == null) {
                return LEGACY;
            }
            if (LIST_KIND.equals(as) && GROUP.equals(group)) {
                for (DiscoveryFormat format : values()) {
                    if (format.version != null && format.version.equals(requested)) {
                        return format;
                    }
                }
            }
        }
        return LEGACY;
    }

    String apiVersion() {
        return GROUP + "/" + version;
    }

    /** Exactly these parameters: kubectl ignores an aggregated answer whose Content-Type lacks them. */
    String contentType() {
        return version == null ? "application/json" : "application/json;g=" + GROUP + ";v=" + version + ";as=" + LIST_KIND;
    }
}
