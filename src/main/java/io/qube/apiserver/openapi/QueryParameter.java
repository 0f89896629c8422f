package io.qube.apiserver.openapi;

import java.util.List;

/** The query parameters Kubernetes documents on its operations, with their OpenAPI types. */
enum QueryParameter {
    ALLOW_WATCH_BOOKMARKS("allowWatchBookmarks", "boolean", "Ask the watch for BOOKMARK events."),
    CONTINUE("continue", "string", "The token of the next page of a paginated list."),
    DRY_RUN("dryRun", "string", "All: validate and admit the request without persisting it."),
    FIELD_MANAGER("fieldManager", "string", "The name of the actor making the change."),
    FIELD_SELECTOR("fieldSelector", "string", "Restrict the objects by their fields, e.g. spec.nodeName=n1."),
    // kubectl sends fieldValidation=Strict only to operations that document this parameter.
    FIELD_VALIDATION("fieldValidation", "string", "Ignore, Warn or Strict: what to do with unknown or duplicate fields."),
    FORCE("force", "boolean", "Server-side apply: take ownership of fields other managers own."),
    GRACE_PERIOD_SECONDS("gracePeriodSeconds", "integer", "Seconds before the object is deleted; 0 deletes at once."),
    LABEL_SELECTOR("labelSelector", "string", "Restrict the objects by their labels, e.g. app=web,tier!=db."),
    LIMIT("limit", "integer", "The most objects to return in one page of a list."),
    PRETTY("pretty", "string", "Indent the output."),
    PROPAGATION_POLICY("propagationPolicy", "string", "Orphan, Background or Foreground: what happens to dependents."),
    RESOURCE_VERSION("resourceVersion", "string", "The state to list from, or the version to watch after."),
    RESOURCE_VERSION_MATCH("resourceVersionMatch", "string", "How resourceVersion applies to a list."),
    SEND_INITIAL_EVENTS("sendInitialEvents", "boolean", "Start the watch with the current state as ADDED events."),
    TIMEOUT_SECONDS("timeoutSeconds", "integer", "Close the list or watch after this many seconds."),
    WATCH("watch", "boolean", "Stream changes instead of returning a list.");

    static final List<QueryParameter> LIST = List.of(ALLOW_WATCH_BOOKMARKS, CONTINUE, FIELD_SELECTOR, LABEL_SELECTOR,
            LIMIT, RESOURCE_VERSION, RESOURCE_VERSION_MATCH, SEND_INITIAL_EVENTS, TIMEOUT_SECONDS, WATCH);
    static final List<QueryParameter> WRITE = List.of(DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION);
    static final List<QueryParameter> PATCH = List.of(DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, FORCE);
    static final List<QueryParameter> DELETE = List.of(DRY_RUN, GRACE_PERIOD_SECONDS, PROPAGATION_POLICY);
    static final List<QueryParameter> DELETE_COLLECTION = List.of(CONTINUE, DRY_RUN, FIELD_SELECTOR,
            GRACE_PERIOD_SECONDS, LABEL_SELECTOR, LIMIT, PROPAGATION_POLICY, RESOURCE_VERSION, RESOURCE_VERSION_MATCH,
            SEND_INITIAL_EVENTS, TIMEOUT_SECONDS);

    final String wireName;
    final String type;
    final String description;

    QueryParameter(String wireName, String type, String description) {
        this.wireName = wireName;
        this.type = type;
        this.description = description;
    }
}
