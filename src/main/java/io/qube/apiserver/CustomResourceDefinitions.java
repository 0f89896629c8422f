package io.qube.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.ObjectCodec;
import io.qube.apiserver.crd.CustomKinds;
import io.qube.apiserver.crd.NamingConditions;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.apiserver.registry.ResourceRegistry;
import io.qube.store.IndexedFields;
import io.qube.store.ListRequest;
import io.qube.store.ObjectStore;
import io.qube.store.Preconditions;
import io.qube.store.ResourceType;
import io.qube.store.StoredObject;
import io.qube.store.WatchEvent;
import io.qube.store.WatchRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every apiserver process follows the CustomResourceDefinitions through its store's watch cache: each change swaps
 * the registry's custom resources (so a CRD is served, or stops being served, within the watch's delay, with no
 * restart; its selectableFields become field selectors), and the CRD's status is brought to what Kubernetes' naming and establishing controllers would write.
 * A CRD marked for deletion has its custom resources deleted, then loses its cleanup finalizer and goes. Several
 * apiservers doing this at once compute the same status (a write that changes nothing is no write) and the same
 * deletions.
 */
final class CustomResourceDefinitions {

    private static final Logger LOG = Logger.getLogger(CustomResourceDefinitions.class);
    private static final long RETRY_MILLIS = 500;
    private static final WriteOptions CONTROLLER = new WriteOptions(false, "Ignore", "kube-apiserver", false, false);

    private final ObjectStore store;
    private final ResourceRegistry registry;
    private final IndexedFields indexedFields;
    private final ObjectWriter writer;
    private final Vertx vertx;
    private final ResourceDefinition<?> crdKind;
    /** The CRDs as last seen, by name; written only by the watch's subscriber, one event at a time. */
    private final Map<String, ObjectNode> crds = new ConcurrentHashMap<>();
    /** What the registry serves now, to publish only changes. */
    private List<JsonNode> lastServed;

    CustomResourceDefinitions(ObjectStore store, ResourceRegistry registry, IndexedFields indexedFields,
                              ObjectWriter writer, Vertx vertx) {
        this.store = store;
        this.registry = registry;
        this.indexedFields = indexedFields;
        this.writer = writer;
        this.vertx = vertx;
        this.crdKind = registry.findKind("apiextensions.k8s.io/v1", "CustomResourceDefinition").orElseThrow();
    }

    /** Serves the CRDs stored now, then follows their changes. */
    Uni<Void> start() {
        return store.listCached(ListRequest.all(crdKind.storeType()), true)
                .invoke(page -> {
                    crds.clear();
                    page.items().forEach(item -> crds.put(item.key().name(), ObjectCodec.toTree(item)));
                    publish();
                    crds.keySet().forEach(this::reconcile);
                    follow(page.revision());
                })
                .replaceWithVoid();
    }

    private void follow(long fromRevision) {
        store.watch(WatchRequest.from(crdKind.storeType(), fromRevision)).subscribe().with(
                this::changed,
                failure -> {
                    LOG.warn("the CustomResourceDefinition watch failed; listing again", failure);
                    restart();
                },
                this::restart);
    }

    private void restart() {
        vertx.setTimer(RETRY_MILLIS, id -> start().subscribe().with(done -> { }, failure -> restart()));
    }

    private void changed(WatchEvent event) {
        if (event.type() == WatchEvent.Type.ERROR) {
            throw new IllegalStateException("watch ended", event.error());
        }
        if (event.object() == null) {
            return;
        }
        String name = event.object().key().name();
        if (event.type() == WatchEvent.Type.DELETED) {
            crds.remove(name);
        } else {
            crds.put(name, ObjectCodec.toTree(event.object()));
        }
        publish();
        if (event.type() != WatchEvent.Type.DELETED) {
            reconcile(name);
        }
    }

    /**
     * Swaps in the custom resources of every established CRD: one immutable registry snapshot. Only when what is
     * served changes (a status write alone does not), since a new snapshot makes discovery and OpenAPI rebuild.
     */
    private void publish() {
        List<ObjectNode> established = crds.values().stream()
                .filter(NamingConditions::isEstablished)
                .sorted(Comparator.comparing(crd -> crd.path("metadata").path("name").asText()))
                .toList();
        List<JsonNode> served = established.stream().map(CustomResourceDefinitions::servedPart).toList();
        if (served.equals(lastServed)) {
            return;
        }
        lastServed = served;
        List<ResourceDefinition<?>> definitions = new ArrayList<>();
        for (ObjectNode crd : established) {
            List<ResourceDefinition<?>> versions = CustomKinds.of(crd);
            definitions.addAll(versions);
            if (!versions.isEmpty()) {
                indexedFields.replace(versions.get(0).storeType(), CustomKinds.selectableFields(crd));
            }
        }
        registry.serveCustom(definitions);
    }

    /** What of a CRD decides how it is served: its spec and the names it was given. */
    private static JsonNode servedPart(ObjectNode crd) {
        ObjectNode part = crd.objectNode();
        part.set("spec", crd.path("spec"));
        part.set("names", crd.path("status").path("acceptedNames"));
        return part;
    }

    private void reconcile(String name) {
        ObjectNode crd = crds.get(name);
        if (crd == null) {
            return;
        }
        List<ObjectNode> others = crds.values().stream().filter(other -> other != crd).toList();
        ObjectNode desired = NamingConditions.desired(crd, others, SystemFields.now());
        if (!desired.equals(crd.path("status"))) {
            RequestInfo status = new RequestInfo(crdKind, null, name, "status", false);
            writer.update(status, current -> {
                current.set("status", NamingConditions.desired(current, others, SystemFields.now()));
                ObjectRules.metadata(current).remove("resourceVersion");
                return current;
            }, CONTROLLER, WriteTarget.STATUS, false).subscribe().with(done -> { },
                    failure -> LOG.debugf(failure, "status of CustomResourceDefinition %s not written", name));
        } else if (crd.path("metadata").hasNonNull("deletionTimestamp") && hasCleanupFinalizer(crd)) {
            cleanUp(crd);
        }
    }

    /** Deletes the CRD's custom resources; once none is left, the finalizer goes, and with it the CRD. */
    private void cleanUp(ObjectNode crd) {
        String name = crd.path("metadata").path("name").asText();
        ResourceType type = new ResourceType(crd.path("spec").path("group").asText(),
                crd.path("status").path("acceptedNames").path("plural").asText(
                        crd.path("spec").path("names").path("plural").asText()));
        ResourceDefinition<?> served = registry.find(type.group(), storageVersion(crd), type.resource()).orElse(null);
        store.list(ListRequest.all(type))
                .chain(page -> page.items().isEmpty() ? removeFinalizer(name)
                        : deleteAll(served, page.items()).invoke(() -> vertx.setTimer(RETRY_MILLIS,
                                id -> reconcile(name))))
                .subscribe().with(done -> { },
                        failure -> LOG.debugf(failure, "cleanup of CustomResourceDefinition %s", name));
    }

    private Uni<Void> deleteAll(ResourceDefinition<?> served, List<StoredObject> items) {
        List<Uni<Object>> deletes = new ArrayList<>();
        for (StoredObject item : items) {
            Uni<?> delete = served == null ? store.delete(item.key(), Preconditions.NONE)
                    : writer.delete(new RequestInfo(served, served.namespaced() ? item.key().namespace() : null,
                            item.key().name(), null, false), new DeleteOptions(null, null, null, null, false));
            deletes.add(delete.onFailure().recoverWithNull().map(done -> done));
        }
        return Uni.join().all(deletes).andCollectFailures().replaceWithVoid();
    }

    private Uni<Void> removeFinalizer(String name) {
        RequestInfo request = new RequestInfo(crdKind, null, name, null, false);
        return writer.update(request, current -> {
            JsonNode finalizers = current.path("metadata").path("finalizers");
            if (finalizers instanceof ArrayNode list) {
                for (int i = list.size() - 1; i >= 0; i--) {
                    if (list.get(i).asText().equals(CustomKinds.CLEANUP_FINALIZER)) {
                        list.remove(i);
                    }
                }
            }
            ObjectRules.metadata(current).remove("resourceVersion");
            return current;
        }, CONTROLLER, WriteTarget.SERVER, false).replaceWithVoid();
    }

    private static boolean hasCleanupFinalizer(JsonNode crd) {
        for (JsonNode finalizer : crd.path("metadata").path("finalizers")) {
            if (finalizer.asText().equals(CustomKinds.CLEANUP_FINALIZER)) {
                return true;
            }
        }
        return false;
    }

    private static String storageVersion(JsonNode crd) {
        for (JsonNode version : crd.path("spec").path("versions")) {
            if (version.path("storage").asBoolean(false)) {
                return version.path("name").asText();
            }
        }
        return "";
    }
}
