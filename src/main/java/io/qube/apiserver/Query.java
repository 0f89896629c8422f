package io.qube.apiserver;

import io.vertx.ext.web.RoutingContext;

/** Typed access to a request's query parameters; malformed numbers are 400s, unknown parameters are ignored. */
final class Query {

    private final RoutingContext context;

    Query(RoutingContext context) {
        this.context = context;
    }

    String text(String name) {
        // Most requests have no query at all; every write asks for several parameters, each a map lookup otherwise.
        if (context.request().query() == null) {
            return null;
        }
        var values = context.queryParam(name);
        return values.isEmpty() ? null : values.get(0);
    }

    boolean flag(String name) {
        String value = text(name);
        return value != null && (value.equals("true") || value.equals("1"));
    }

    long number(String name, long absent) {
        String value = text(name);
        if (value == null || value.isEmpty()) {
            return absent;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid value for " + name + ": \"" + value + "\" is not a number");
        }
    }

    Long optionalNumber(String name) {
        String value = text(name);
        return value == null || value.isEmpty() ? null : number(name, 0);
    }

    WriteOptions writeOptions() {
        String validation = text("fieldValidation");
        if (validation == null || validation.isEmpty()) {
            validation = "Warn";
        } else if (!validation.equals("Strict") && !validation.equals("Warn") && !validation.equals("Ignore")) {
            throw ApiException.badRequest("fieldValidation must be one of Strict, Warn or Ignore, not \""
                    + validation + "\"");
        }
        String dryRun = text("dryRun");
        if (dryRun != null && !dryRun.isEmpty() && !dryRun.equals("All")) {
            throw ApiException.badRequest("dryRun must be All, not \"" + dryRun + "\"");
        }
        return new WriteOptions(dryRun != null && dryRun.equals("All"), validation, fieldManager(), flag("force"));
    }

    /** The fieldManager parameter, or like Kubernetes the client's User-Agent up to its first "/". */
    private String fieldManager() {
        String manager = text("fieldManager");
        if (manager != null && !manager.isEmpty()) {
            return manager;
        }
        String agent = context.request().getHeader("User-Agent");
        return agent == null || agent.isBlank() ? null : agent.split("/", 2)[0].strip();
    }
}
