package io.qube.agent.endpoint;

import io.vertx.core.http.HttpServerRequest;

import java.time.Instant;

/**
 * The options of {@code pods/log} as the kubelet takes them.
 *
 * @param tailLines  the last lines only (null: all)
 * @param since      lines from this time on (sinceSeconds or sinceTime; null: all)
 * @param limitBytes stop after this many bytes (null: no limit)
 */
record LogOptions(boolean follow, boolean previous, boolean timestamps, Long tailLines, Instant since,
                  Long limitBytes) {

    static LogOptions of(HttpServerRequest request) {
        Instant since = null;
        String sinceSeconds = request.getParam("sinceSeconds");
        if (sinceSeconds != null) {
            since = Instant.now().minusSeconds(Long.parseLong(sinceSeconds));
        } else if (request.getParam("sinceTime") != null) {
            since = Instant.parse(request.getParam("sinceTime"));
        }
        return new LogOptions(flag(request, "follow"), flag(request, "previous"), flag(request, "timestamps"),
                number(request, "tailLines"), since, number(request, "limitBytes"));
    }

    private static boolean flag(HttpServerRequest request, String name) {
        return "true".equals(request.getParam(name)) || "1".equals(request.getParam(name));
    }

    private static Long number(HttpServerRequest request, String name) {
        String value = request.getParam(name);
        return value == null ? null : Long.parseLong(value);
    }
}
