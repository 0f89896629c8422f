package io.qube.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.codec.ObjectCodec;
import io.qube.apiserver.codec.ProtobufBodies;
import io.qube.apiserver.codec.WellTyped;
import io.qube.apiserver.node.PodExec;
import io.qube.apiserver.node.PodLogs;
import io.qube.apiserver.node.PodLookup;
import io.qube.apiserver.node.PodPortForward;
import io.qube.apiserver.registry.FieldErrors;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.apiserver.registry.ResourceRegistry;
import io.qube.apiserver.registry.ScalePaths;
import io.qube.apiserver.patch.PatchType;
import io.qube.apiserver.patch.Patches;
import io.qube.apiserver.table.IncludeObject;
import io.qube.store.FieldSelector;
import io.qube.store.IndexedFields;
import io.qube.store.LabelSelector;
import io.qube.store.ListPage;
import io.qube.store.ListRequest;
import io.qube.store.ObjectKey;
import io.qube.store.ObjectStore;
import io.qube.store.StoreException;
import io.qube.store.StoredObject;
import io.qube.store.WatchEvent;
import io.qube.store.WatchRequest;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The verbs on objects: each request is parsed, dispatched by method and path shape, and answered. */
final class ObjectHandlers {

    private static final long DEFAULT_WATCH_SECONDS = 1800;

    private final ObjectStore store;
    private final ResourceRegistry registry;
    private final IndexedFields indexedFields;
    private final ObjectWriter writer;
    private final Vertx vertx;
    private final WatchLines watchLines = new WatchLines();
    private final PodLogs podLogs;
    private final PodExec podExec;
    private final PodPortForward podPortForward;
    private final AccessReviews accessReviews;
    private final Evictions evictions;
    private final CustomResourceDefinitions customResources;
    private final RequestMetrics metrics;

    ObjectHandlers(ObjectStore store, ResourceRegistry registry, IndexedFields indexedFields, Vertx vertx,
                   RequestMetrics metrics) {
        this.metrics = metrics;
        this.store = store;
        this.registry = registry;
        this.indexedFields = indexedFields;
        this.vertx = vertx;
        this.writer = new ObjectWriter(store, indexedFields, new NamespaceGate(store));
        this.evictions = new Evictions(store, writer, registry.findKind("v1", "Pod").orElseThrow(),
                registry.findKind("policy/v1", "PodDisruptionBudget").orElseThrow());
        PodLookup lookup = new PodLookup(store, registry.findKind("v1", "Pod").orElseThrow().storeType(),
                registry.findKind("v1", "Node").orElseThrow().storeType());
        HttpClient agents = vertx.createHttpClient();
        this.podLogs = new PodLogs(lookup, agents);
        this.podExec = new PodExec(lookup, agents);
        this.podPortForward = new PodPortForward(lookup, agents);
        this.accessReviews = new AccessReviews(store);
        this.customResources = new CustomResourceDefinitions(store, registry, indexedFields, writer, vertx);
    }

    /** Creates the system namespaces if this is the cluster's first start, and serves the stored CRDs. */
    Uni<Void> bootstrap() {
        return NamespaceBootstrap.ensure(writer, registry).chain(customResources::start);
    }

    void handle(RoutingContext context, String group, String version, String rest) {
        try {
            RequestInfo request = RequestInfo.parse(group, version, rest, registry);
            Query query = new Query(context);
            metrics.describe(context, group, version, request, query.flag("watch"));
            dispatch(context, request, query);
        } catch (ApiException | StoreException e) {
            Responses.failure(context, asApi(e, null));
        }
    }

    private void dispatch(RoutingContext context, RequestInfo request, Query query) {
        HttpMethod method = context.request().method();
        String sub = request.subresource();
        if (request.definition().isCreateOnly()) {
            if (!method.equals(HttpMethod.POST) || request.name() != null) {
                throw unsupported(method, request);
            }
            if (AccessReviews.answers(request.definition())) {
                review(context, request);
                return;
            }
            ObjectNode binding = optionsBody(context, "v1", "Binding");
            bind(context, request, binding.path("metadata").path("name").asText(""), binding);
            return;
        }
        if ("scale".equals(sub) && request.definition().hasScale()) {
            scale(context, request, query, method);
            return;
        }
        if ("log".equals(sub) && request.definition().kind().equals("Pod")) {
            if (!method.equals(HttpMethod.GET)) {
                throw unsupported(method, request);
            }
            podLogs.handle(context, request.namespace(), request.name(),
                    failure -> Responses.failure(context, asApi(failure, request.definition())));
            return;
        }
        if (("exec".equals(sub) || "attach".equals(sub) || "portforward".equals(sub))
                && request.definition().kind().equals("Pod")) {
            if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.POST)) {
                throw unsupported(method, request);
            }
            java.util.function.Consumer<Throwable> failure =
                    e -> Responses.failure(context, asApi(e, request.definition()));
            if (sub.equals("exec")) {
                podExec.handle(context, request.namespace(), request.name(), failure);
            } else if (sub.equals("attach")) {
                podExec.attach(context, request.namespace(), request.name(), failure);
            } else {
                podPortForward.handle(context, request.namespace(), request.name(), failure);
            }
            return;
        }
        if ("eviction".equals(sub) && request.definition().kind().equals("Pod") && method.equals(HttpMethod.POST)) {
            evictions.evict(request.namespace(), request.name(), optionsBody(context, "policy/v1", "Eviction"), query)
                    .subscribe().with(
                            done -> Responses.json(context, 201, Subresources.success(201)),
                            failure -> Responses.failure(context, asApi(failure, request.definition())));
            return;
        }
        if ("binding".equals(sub) && request.definition().kind().equals("Pod") && method.equals(HttpMethod.POST)) {
            bind(context, request, request.name(), optionsBody(context, "v1", "Binding"));
            return;
        }
        if (method.equals(HttpMethod.GET)) {
            if (request.name() == null || request.legacyWatch()) {
                if (query.flag("watch") || request.legacyWatch()) {
                    watch(context, request, query);
                } else {
                    list(context, request, query);
                }
            } else if (sub == null || sub.equals("status") || sub.equals("ephemeralcontainers") && isPod(request)) {
                // Like status, the ephemeralcontainers subresource reads as the whole pod.
                get(context, request);
            } else {
                throw unsupported(method, request);
            }
        } else if (method.equals(HttpMethod.POST) && request.name() == null && sub == null) {
            reply(context, writer.create(ServedVersions.stored(request), objectBody(context, request),
                    query.writeOptions()), request);
        } else if (method.equals(HttpMethod.PUT) && request.name() != null && targetOf(request) != null) {
            ObjectNode body = objectBody(context, request);
            reply(context, writer.update(ServedVersions.stored(request), current -> body, query.writeOptions(),
                    targetOf(request), false), request);
        } else if (method.equals(HttpMethod.PATCH) && request.name() != null && targetOf(request) != null) {
            patch(context, request, query);
        } else if (method.equals(HttpMethod.DELETE) && sub == null) {
            DeleteOptions options = deleteOptions(context, query);
            if (request.name() == null) {
                deleteCollection(context, request, query, options);
            } else {
                reply(context, writer.delete(ServedVersions.stored(request), options), request);
            }
        } else {
            throw unsupported(method, request);
        }
    }

    private void patch(RoutingContext context, RequestInfo request, Query query) {
        String contentType = context.request().getHeader("Content-Type");
        if (request.definition().isCustom() && PatchType.of(contentType) == PatchType.STRATEGIC_MERGE_PATCH) {
            // As Kubernetes: custom resources have no patch strategies to merge by.
            throw new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                    + "accepted media types include: application/json-patch+json, application/merge-patch+json, "
                    + "application/apply-patch+yaml", null, null, null, null);
        }
        boolean apply = PatchType.of(contentType) == PatchType.APPLY_PATCH;
        byte[] patch = bodyBytes(context);
        WriteOptions options = query.writeOptions();
        ResourceDefinition<?> definition = request.definition();
        // The patch applies to the object in the version the client addressed.
        reply(context, writer.update(ServedVersions.stored(request), stored -> {
            ObjectNode current = ServedVersions.toServed(definition, stored);
            return ServedVersions.toStored(definition, unpinned(current, Patches.apply(contentType, current, patch,
                    definition, options.fieldManager(), options.force(), Instant.now())));
        }, options.withApply(apply), targetOf(request), apply), request);
    }

    /**
     * A patch is applied to the newest version and retried on conflicts, unless the patch itself set a different
     * resourceVersion, which then pins the write as Kubernetes does.
     */
    private static ObjectNode unpinned(ObjectNode current, ObjectNode patched) {
        String before = current == null ? "" : current.path("metadata").path("resourceVersion").asText("");
        JsonNode after = patched.path("metadata").path("resourceVersion");
        if (!before.isEmpty() && before.equals(after.asText()) && patched.get("metadata") instanceof ObjectNode meta) {
            meta.remove("resourceVersion");
        }
        return patched;
    }

    private void scale(RoutingContext context, RequestInfo request, Query query, HttpMethod method) {
        ResourceDefinition<?> definition = request.definition();
        RequestInfo object = new RequestInfo(definition, request.namespace(), request.name(), null, false);
        ScalePaths paths = definition.scalePaths();
        if (method.equals(HttpMethod.GET)) {
            store.get(ObjectKey.of(definition.storeType(), request.storeNamespace(), request.name()))
                    .subscribe().with(
                            stored -> Responses.json(context, 200,
                                    Subresources.scaleOf(ObjectCodec.toTree(stored), paths).toString()),
                            failure -> Responses.failure(context, asApi(failure, definition)));
        } else if (method.equals(HttpMethod.PUT) || method.equals(HttpMethod.PATCH)) {
            boolean put = method.equals(HttpMethod.PUT);
            ObjectNode scale = put ? optionsBody(context, "autoscaling/v1", "Scale") : null;
            if (scale != null) {
                WellTyped.check(scale, Scale.class, "Scale", "autoscaling/v1");
            }
            byte[] patch = put ? null : bodyBytes(context);
            String contentType = context.request().getHeader("Content-Type");
            WriteOptions options = query.writeOptions();
            writer.update(object, current -> Subresources.applyScale(current, put ? scale : unpinned(
                                    Subresources.scaleOf(current, paths), Patches.apply(contentType,
                                            Subresources.scaleOf(current, paths), patch, definition, null, false,
                                            Instant.now())), paths),
                            options, WriteTarget.OBJECT, false)
                    .subscribe().with(
                            done -> Responses.json(context, 200, Subresources.scaleOf(
                                    ObjectCodec.toTree(done.object()), paths).toString()),
                            failure -> Responses.failure(context, asApi(failure, definition)));
        } else {
            throw unsupported(method, request);
        }
    }

    private void review(RoutingContext context, RequestInfo request) {
        ResourceDefinition<?> definition = request.definition();
        accessReviews.review(definition, optionsBody(context, definition.apiVersion(), definition.kind()),
                        AccessReviews.requester(context))
                .subscribe().with(
                        done -> Responses.json(context, 201, done.toString()),
                        failure -> Responses.failure(context, asApi(failure, definition)));
    }

    private void bind(RoutingContext context, RequestInfo request, String podName, ObjectNode binding) {
        ResourceDefinition<?> pods = registry.find("", "v1", "pods").orElseThrow();
        WellTyped.check(binding, Binding.class, "Binding", "v1");
        if (podName.isEmpty()) {
            throw ApiException.badRequest("a Binding needs metadata.name, the pod to bind");
        }
        if (binding.path("target").path("name").asText("").isEmpty()) {
            // Checked before the pod is looked up, as Kubernetes validates the binding first.
            throw ApiException.invalid("", "Binding", podName, new FieldErrors().required("target.name", ""));
        }
        RequestInfo pod = new RequestInfo(pods, request.namespace(), podName, null, false);
        writer.update(pod, current -> Subresources.bind(current, binding), new Query(context).writeOptions(),
                        WriteTarget.SERVER, false)
                .subscribe().with(
                        done -> Responses.json(context, 201, Subresources.success(201)),
                        failure -> Responses.failure(context, asApi(failure, pods)));
    }

    private void get(RoutingContext context, RequestInfo request) {
        ResourceDefinition<?> definition = request.definition();
        store.get(ObjectKey.of(definition.storeType(), request.storeNamespace(), request.name()))
                .subscribe().with(
                        object -> Responses.json(context, 200, Tables.wanted(context)
                                ? Tables.single(definition.storage(), object, include(context))
                                : ObjectCodec.toWire(ServedVersions.served(definition, object), definition.apiVersion())),
                        failure -> Responses.failure(context, asApi(failure, definition)));
    }

    private static IncludeObject include(RoutingContext context) {
        return IncludeObject.fromQuery(new Query(context).text("includeObject"));
    }

    private void list(RoutingContext context, RequestInfo request, Query query) {
        ResourceDefinition<?> definition = request.definition();
        ListRequest selection = selection(request, query);
        String resourceVersion = query.text("resourceVersion");
        Uni<ListPage> page;
        if (selection.limit() > 0 && (resourceVersion == null || resourceVersion.isEmpty())
                || selection.continueToken() != null) {
            page = store.list(selection);
        } else {
            // Like Kubernetes' watch cache: resourceVersion=0 is "any version", anything else "at least this new".
            boolean consistent = !"0".equals(resourceVersion);
            Uni<Void> ready = resourceVersion != null && !resourceVersion.isEmpty() && !resourceVersion.equals("0")
                    ? store.catchUp(parseVersion(resourceVersion)) : Uni.createFrom().voidItem();
            page = ready.chain(() -> store.listCached(selection, consistent));
        }
        page.subscribe().with(
                result -> Responses.json(context, 200, Tables.wanted(context)
                        ? Tables.list(definition.storage(), result, include(context))
                        : Lists.render(definition, ServedVersions.served(definition, result))),
                failure -> Responses.failure(context, asApi(failure, definition)));
    }

    private void watch(RoutingContext context, RequestInfo request, Query query) {
        ResourceDefinition<?> definition = request.definition();
        ListRequest selection = selection(request, query);
        if (request.name() != null) {
            List<FieldSelector.Requirement> requirements = new ArrayList<>(selection.fields().requirements());
            requirements.add(new FieldSelector.Requirement(FieldSelector.NAME, true, request.name()));
            selection = new ListRequest(selection.type(), selection.namespace(), selection.labels(),
                    new FieldSelector(requirements), 0, null);
        }
        String resourceVersion = query.text("resourceVersion");
        boolean fromNow = resourceVersion == null || resourceVersion.isEmpty();
        long from = fromNow ? 0 : parseVersion(resourceVersion);
        WatchRequest watch = new WatchRequest(selection, from, query.flag("allowWatchBookmarks"));
        Uni<Void> ready = fromNow ? store.currentRevision().chain(store::catchUp) : Uni.createFrom().voidItem();
        Multi<WatchEvent> stored = ready.onItem().transformToMulti(nothing -> store.watch(watch));
        // Tables are rendered from the stored version's objects, as get and list render them.
        Multi<WatchEvent> events = definition.conversion() == null || Tables.wanted(context) ? stored
                : stored.map(event -> ServedVersions.served(definition, event));
        long timeout = query.number("timeoutSeconds", DEFAULT_WATCH_SECONDS);
        WatchStream.start(context, vertx, definition, metrics.watchEvents(definition), events, timeout,
                Tables.wanted(context)
                ? Tables.watchEncoder(definition.storage(), include(context)).andThen(WatchLines::line)
                : event -> watchLines.json(definition, event));
    }

    private void deleteCollection(RoutingContext context, RequestInfo request, Query query, DeleteOptions options) {
        ResourceDefinition<?> definition = request.definition();
        ListRequest selection = selection(request, query);
        store.list(new ListRequest(selection.type(), selection.namespace(), selection.labels(), selection.fields(),
                        0, null))
                .onItem().transformToUni(page -> Multi.createFrom().iterable(page.items())
                        .onItem().transformToUniAndConcatenate(item -> writer.delete(
                                new RequestInfo(definition.storage(), request.namespace() == null
                                        && definition.namespaced()
                                        ? item.key().namespace() : request.namespace(), item.key().name(), null,
                                        false), options)
                                .onFailure(ApiException.class).recoverWithNull())
                        .collect().asList()
                        .map(results -> new ListPage(results.stream().filter(r -> r != null)
                                .map(WriteResult::object).toList(), page.revision(), null)))
                .subscribe().with(
                        deleted -> Responses.json(context, 200, Lists.render(definition,
                                ServedVersions.served(definition, deleted))),
                        failure -> Responses.failure(context, asApi(failure, definition)));
    }

    private void reply(RoutingContext context, Uni<WriteResult> result, RequestInfo request) {
        result.subscribe().with(
                done -> Responses.json(context, done.created() ? 201 : 200,
                        ObjectCodec.toWire(ServedVersions.served(request.definition(), done.object()),
                                request.definition().apiVersion()),
                        done.warnings()),
                failure -> Responses.failure(context, asApi(failure, request.definition())));
    }

    private ListRequest selection(RequestInfo request, Query query) {
        ResourceDefinition<?> definition = request.definition();
        int limit = (int) Math.min(Integer.MAX_VALUE, Math.max(0, query.number("limit", 0)));
        String token = query.text("continue");
        return new ListRequest(definition.storeType(), request.namespace(),
                LabelSelector.parse(query.text("labelSelector")),
                FieldSelector.parse(query.text("fieldSelector"), definition.storeType(), indexedFields),
                limit, token == null || token.isEmpty() ? null : token);
    }

    private static DeleteOptions deleteOptions(RoutingContext context, Query query) {
        JsonNode body = Json.MAPPER.createObjectNode();
        if (context.body() != null && context.body().length() > 0) {
            body = optionsBody(context, "meta.k8s.io/v1", "DeleteOptions");
            WellTyped.check(body, io.fabric8.kubernetes.api.model.DeleteOptions.class, "DeleteOptions", "v1");
        }
        return DeleteOptions.of(body, query);
    }

    /**
     * A body that is not the path's object but an option or subresource kind (DeleteOptions, Scale, Binding): any
     * apiVersion, since clients send these in their own group version, but no other kind.
     */
    private static ObjectNode optionsBody(RoutingContext context, String apiVersion, String kind) {
        ObjectNode body = body(context, apiVersion, kind);
        String given = body.path("kind").asText("");
        if (!given.isEmpty() && !given.equals(kind)) {
            throw ApiException.badRequest("the request body is a " + given + ", but this request takes a " + kind);
        }
        return body;
    }

    private static byte[] bodyBytes(RoutingContext context) {
        return context.body() == null || context.body().buffer() == null ? null : context.body().buffer().getBytes();
    }

    /** The body of a write to the path's own kind (create, update, status, finalize). */
    private static ObjectNode objectBody(RoutingContext context, RequestInfo request) {
        return ServedVersions.toStored(request.definition(),
                body(context, request.definition().apiVersion(), request.definition().kind()));
    }

    /** The body as a JSON tree; apiVersion and kind: what the endpoint takes, for a protobuf envelope naming none. */
    private static ObjectNode body(RoutingContext context, String apiVersion, String kind) {
        byte[] bytes = bodyBytes(context);
        String type = context.request().getHeader("Content-Type");
        if (ProtobufBodies.isProtobuf(type)) {
            return ProtobufBodies.toJson(bytes, apiVersion, kind);
        }
        if (type != null && !type.isBlank() && !type.contains("json") && !type.contains("yaml")) {
            throw new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                    + "accepted media types include: application/json, application/yaml (got \"" + type + "\")",
                    null, null, null, null);
        }
        return ObjectCodec.parseBody(bytes, type != null && type.contains("yaml"));
    }

    private static long parseVersion(String resourceVersion) {
        try {
            long version = Long.parseLong(resourceVersion);
            if (version < 0) {
                throw new NumberFormatException();
            }
            return version;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid resource version \"" + resourceVersion + "\"");
        }
    }

    /** What a PUT to this path may change, or null if the path takes no PUT. */
    private static WriteTarget targetOf(RequestInfo request) {
        String sub = request.subresource();
        if (sub == null) {
            return WriteTarget.OBJECT;
        }
        if (sub.equals("status") && request.definition().hasStatus()) {
            return WriteTarget.STATUS;
        }
        if (sub.equals("finalize") && request.definition().kind().equals("Namespace")) {
            return WriteTarget.FINALIZERS;
        }
        if (sub.equals("ephemeralcontainers") && isPod(request)) {
            return WriteTarget.EPHEMERAL_CONTAINERS;
        }
        return null;
    }

    private static boolean isPod(RequestInfo request) {
        return request.definition().kind().equals("Pod") && request.definition().group().isEmpty();
    }

    private static ApiException unsupported(HttpMethod method, RequestInfo request) {
        return ApiException.methodNotAllowed("the server does not allow this method on the requested resource ("
                + method + " " + request.definition().plural()
                + (request.subresource() == null ? "" : "/" + request.subresource()) + ")");
    }

    private static ApiException asApi(Throwable failure, ResourceDefinition<?> definition) {
        if (failure instanceof ApiException api) {
            return api;
        }
        if (failure instanceof StoreException store) {
            return ApiException.from(store, definition == null ? "" : definition.group(),
                    definition == null ? "" : definition.plural());
        }
        return new ApiException(500, "InternalError", "Internal error occurred: " + failure.getMessage(), null,
                null, null, null);
    }
}
