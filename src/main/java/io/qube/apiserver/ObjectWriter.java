package io.qube.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.qube.apiserver.admission.KindValidation;
import io.qube.apiserver.codec.Decoded;
import io.qube.apiserver.codec.ObjectCodec;
import io.qube.apiserver.patch.ManagedFields;
import io.qube.apiserver.registry.FieldErrors;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.apiserver.registry.Validator;
import io.qube.store.IndexedFields;
import io.qube.store.ListRequest;
import io.qube.store.ObjectKey;
import io.qube.store.ObjectStore;
import io.qube.store.ObjectWrite;
import io.qube.store.Preconditions;
import io.qube.store.StoreException;
import io.qube.store.StoredObject;
import io.smallrye.mutiny.Uni;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Every write goes through here: the object is decoded into its kind's type, system fields are set, defaults
 * applied, the result validated, and only then stored. Updates read the current object, compute the new one and
 * store it on condition that nothing changed meanwhile, retrying when the client did not pin a resourceVersion.
 */
final class ObjectWriter {

    private static final int UPDATE_ATTEMPTS = 10;
    private static final String NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ObjectStore store;
    private final IndexedFields indexedFields;
    private final NamespaceGate namespaces;
    private final NamespaceQuotas quotas;

    ObjectWriter(ObjectStore store, IndexedFields indexedFields, NamespaceGate namespaces) {
        this.store = store;
        this.indexedFields = indexedFields;
        this.namespaces = namespaces;
        this.quotas = new NamespaceQuotas(store, indexedFields);
    }

    /**
     * What will be stored, and what the client should hear about.
     *
     * @param object the typed object, defaulted and validated (null for the server's own changes)
     */
    private record Prepared(ObjectWrite write, List<String> warnings, HasMetadata object) {
    }

    Uni<WriteResult> create(RequestInfo request, ObjectNode body, WriteOptions options) {
        return create(request, body, options, new QuotaCharges());
    }

    /** @param charges what this request charged to quotas in earlier attempts */
    private Uni<WriteResult> create(RequestInfo request, ObjectNode body, WriteOptions options,
                                    QuotaCharges charges) {
        return isService(request.definition()) ? createService(request, body, options, 1, charges)
                : createOnce(request, body, options, charges);
    }

    /**
     * A Service whose drawn address another apiserver gave away meanwhile (the store refuses a second holder) is
     * admitted again from the request as sent, on a cache caught up with that other write, and so draws anew; an
     * address the client asked for is then refused by admission as Kubernetes refuses it.
     */
    private Uni<WriteResult> createService(RequestInfo request, ObjectNode body, WriteOptions options, int attempt,
                                           QuotaCharges charges) {
        return createOnce(request, body.deepCopy(), options, charges)
                .onFailure(AddressTaken.class).recoverWithUni(taken -> attempt < UPDATE_ATTEMPTS
                        ? createService(request, body, options, attempt + 1, charges)
                        : Uni.createFrom().failure(((AddressTaken) taken).failure));
    }

    private static boolean isService(ResourceDefinition<?> definition) {
        return definition.kind().equals("Service") && definition.group().isEmpty();
    }

    private Uni<WriteResult> createOnce(RequestInfo request, ObjectNode body, WriteOptions options,
                                        QuotaCharges charges) {
        ResourceDefinition<?> definition = request.definition();
        ObjectRules.checkTypes(body, definition);
        ObjectRules.checkKind(body, definition);
        ObjectNode metadata = ObjectRules.metadata(body);
        checkNamespace(metadata, request);
        if (!metadata.hasNonNull("name")) {
            String prefix = metadata.path("generateName").asText("");
            if (prefix.isEmpty()) {
                FieldErrors errors = new FieldErrors().required("metadata.name", "name or generateName is required");
                throw ApiException.invalid(definition.group(), definition.kind(), "", errors);
            }
            metadata.put("name", prefix + randomSuffix());
        }
        if (definition.hasStatus() && !definition.statusSurvivesCreate()) {
            body.remove("status");
        }
        SystemFields.forCreate(metadata, definition.hasStatus());
        if (isPod(definition)) {
            return store.listCached(ListRequest.all(PodPriority.PRIORITY_CLASSES), false)
                    .invoke(classes -> PodPriority.resolve(body, classes.items()))
                    .chain(() -> store.listCached(NamespaceLimits.limitRangesOf(request.storeNamespace()), false))
                    .invoke(limitRanges -> NamespaceLimits.admit(body, "pods", limitRanges.items()))
                    .chain(() -> store(request, body, options, charges));
        }
        if (!consultsCluster(definition)) {
            return store(request, body, options, charges);
        }
        return admitWithCluster(definition, body, null, WriteTarget.OBJECT)
                .chain(() -> store(request, body, options, charges));
    }

    /**
     * New pods get their priority from their PriorityClass, then their namespace's LimitRanges' defaults and
     * limits, before defaults and validation.
     */
    private static boolean isPod(ResourceDefinition<?> definition) {
        return definition.kind().equals("Pod") && definition.group().isEmpty();
    }

    /**
     * The rest of a create, once the object is complete. Every create runs it, so it builds no more Uni stages than
     * it needs: each one costs a context capture and restore on the event loop (SmallRye context propagation).
     */
    private Uni<WriteResult> store(RequestInfo request, ObjectNode body, WriteOptions options,
                                   QuotaCharges charges) {
        ResourceDefinition<?> definition = request.definition();
        Prepared prepared;
        try {
            prepared = prepare(definition, body, null, request.storeNamespace(), options, WriteTarget.OBJECT);
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(e);
        }
        return namespaces.whenWritable(definition, request.storeNamespace(), () -> quotas.charge(definition,
                        prepared.object(), request.storeNamespace(), options.dryRun(), charges)
                        .chain(() -> options.dryRun() ? Uni.createFrom().item(dryRunResult(prepared.write(), 0))
                                : store.create(prepared.write())))
                .onFailure(StoreException.class).transform(e -> addressTaken(e)
                        ? new AddressTaken(storeFailure(e, definition)) : storeFailure(e, definition))
                .map(stored -> new WriteResult(stored, true, prepared.warnings()));
    }

    /**
     * Kinds whose admission reads other objects before defaults and validation: Services get their cluster IP and
     * node ports (validation requires them), claims their default storage class and protection (and are held to
     * their namespace's LimitRanges), volumes their protection, Ingresses their default class.
     */
    private static boolean consultsCluster(ResourceDefinition<?> definition) {
        return definition.group().isEmpty() && switch (definition.kind()) {
            case "Service", "PersistentVolumeClaim", "PersistentVolume" -> true;
            default -> false;
        } || isIngress(definition);
    }

    /** New Ingresses get the default IngressClass. */
    private static boolean isIngress(ResourceDefinition<?> definition) {
        return definition.kind().equals("Ingress") && definition.group().equals("networking.k8s.io");
    }

    /** @param stored the object before this write, or null on a create */
    private Uni<Void> admitWithCluster(ResourceDefinition<?> definition, ObjectNode object, ObjectNode stored,
                                       WriteTarget target) {
        if (!consultsCluster(definition)) {
            return Uni.createFrom().voidItem();
        }
        if (isIngress(definition)) {
            return stored != null ? Uni.createFrom().voidItem()
                    : store.listCached(ListRequest.all(IngressClassAdmission.INGRESS_CLASSES), false)
                            .invoke(classes -> IngressClassAdmission.newIngress(object, classes.items()))
                            .replaceWithVoid();
        }
        return switch (definition.kind()) {
            // A consistent read: a Service another apiserver just created must be seen, as its addresses are taken.
            case "Service" -> store.listCached(ListRequest.all(definition.storeType()), true)
                    .invoke(services -> ServiceAddresses.assign(object, stored, services.items()))
                    .replaceWithVoid();
            case "PersistentVolumeClaim" -> store.listCached(ListRequest.all(StorageAdmission.STORAGE_CLASSES), false)
                    .invoke(classes -> {
                        if (stored == null) {
                            StorageAdmission.newClaim(object, classes.items());
                        } else {
                            StorageAdmission.claimUpdate(object, stored, classes.items());
                        }
                    })
                    // Like Kubernetes' LimitRanger: the claim itself, never its status or the marking for deletion
                    // (a LimitRange added later must not keep a claim from binding or going).
                    .chain(() -> target != WriteTarget.OBJECT ? Uni.createFrom().voidItem()
                            : store.listCached(NamespaceLimits.limitRangesOf(
                                    object.path("metadata").path("namespace").asText()), false)
                                    .invoke(limitRanges -> NamespaceLimits.admit(object, definition.plural(),
                                            limitRanges.items()))
                                    .replaceWithVoid())
                    .replaceWithVoid();
            default -> {
                if (stored == null) {
                    StorageAdmission.newVolume(object);
                }
                yield Uni.createFrom().voidItem();
            }
        };
    }

    /**
     * Replaces the object with what {@code change} makes of its current JSON. A resourceVersion left in the
     * result pins the write to that version (409 if it moved); without one, conflicts are retried on fresh state.
     *
     * @param target      which part of the object the endpoint may change
     * @param createIfMissing create from {@code change.apply(null)} when there is no object (server-side apply)
     */
    Uni<WriteResult> update(RequestInfo request, UnaryOperator<ObjectNode> change, WriteOptions options,
                            WriteTarget target, boolean createIfMissing) {
        return update(request, change, options, target, createIfMissing, 1, new QuotaCharges());
    }

    /** @param charges what this request charged to quotas in earlier attempts */
    private Uni<WriteResult> update(RequestInfo request, UnaryOperator<ObjectNode> change, WriteOptions options,
                                    WriteTarget target, boolean createIfMissing, int attempt, QuotaCharges charges) {
        ResourceDefinition<?> definition = request.definition();
        ObjectKey key = ObjectKey.of(definition.storeType(), request.storeNamespace(), request.name());
        StoredObject cached = attempt == 1 && !options.dryRun() ? store.getCached(key) : null;
        if (cached != null) {
            // As Kubernetes' cacher does: the first attempt starts from the watch cache's copy, which saves a
            // database read per update (a pod's binding among them). The store writes only on condition that the
            // object is still at that copy's revision, so a stale copy cannot be written over; whatever a stale copy
            // makes fail (a conflict, a rejection, a write found to change nothing) is tried again on a fresh read.
            return Uni.createFrom().deferred(() -> replace(request, cached, change, options, target, true, charges))
                    .onFailure().recoverWithUni(() -> update(request, change, options, target, createIfMissing,
                            attempt + 1, charges));
        }
        return store.get(key)
                .onFailure(e -> createIfMissing && e instanceof StoreException s
                        && s.reason() == StoreException.Reason.NOT_FOUND)
                .recoverWithNull()
                .onFailure(StoreException.class).transform(e -> storeFailure(e, definition))
                .chain(current -> current == null
                        ? create(request, nameFromPath(change.apply(null), request), options, charges)
                        : replace(request, current, change, options, target, false, charges)
                                .onFailure(e -> attempt < UPDATE_ATTEMPTS && e instanceof Retry)
                                .recoverWithUni(() -> update(request, change, options, target, false,
                                        attempt + 1, charges)));
    }

    /** A Service's address was taken by another Service's write: worth admitting again. */
    private static final class AddressTaken extends RuntimeException {
        private final Throwable failure;

        AddressTaken(Throwable failure) {
            super(null, null, false, false);
            this.failure = failure;
        }
    }

    /** A conflict on a write the client did not pin to a version: worth trying again on fresh state. */
    private static final class Retry extends RuntimeException {
        Retry() {
            super(null, null, false, false);
        }
    }

    /** @param cached whether {@code current} is the watch cache's copy, which may be behind the database */
    private Uni<WriteResult> replace(RequestInfo request, StoredObject current, UnaryOperator<ObjectNode> change,
                                     WriteOptions options, WriteTarget target, boolean cached,
                                     QuotaCharges charges) {
        ResourceDefinition<?> definition = request.definition();
        ObjectNode stored = ObjectCodec.toTree(current);
        ObjectRules.asServedVersion(stored, definition);
        ObjectNode next = change.apply(stored.deepCopy());
        ObjectRules.checkTypes(next, definition);
        ObjectRules.checkKind(next, definition);
        ObjectNode metadata = ObjectRules.metadata(next);
        String pinned = metadata.path("resourceVersion").asText("");
        if (!pinned.isEmpty() && !pinned.equals(Long.toString(current.revision()))) {
            throw ApiException.conflict(definition.group(), definition.plural(), request.name(),
                    "the object has been modified; please apply your changes to the latest version and try again");
        }
        checkNamespace(metadata, request);
        String name = metadata.path("name").asText("");
        if (!name.equals(request.name())) {
            throw ApiException.badRequest("the name of the object (" + name + ") does not match the name on the URL ("
                    + request.name() + ")");
        }
        ObjectNode storedMetadata = ObjectRules.metadata(stored);
        switch (target) {
            case STATUS -> {
                next = withOnly(stored, next, "status");
                metadata = ObjectRules.metadata(next);
            }
            case FINALIZERS -> {
                next = withOnlySpec(stored, next, "finalizers");
                metadata = ObjectRules.metadata(next);
            }
            case EPHEMERAL_CONTAINERS -> {
                next = withOnlySpec(stored, next, "ephemeralContainers");
                metadata = ObjectRules.metadata(next);
            }
            case OBJECT -> {
                if (definition.hasStatus()) {
                    keep(next, stored, "status");
                }
                if (definition.kind().equals("Namespace")) {
                    // A namespace's finalizers change only through its finalize subresource.
                    keep(next.withObjectProperty("spec"), (ObjectNode) stored.path("spec"), "finalizers");
                }
            }
            case SERVER -> { }
        }
        if (target != WriteTarget.SERVER) {
            // The server's own changes (binding, marking for deletion) start from the stored object and may set them.
            SystemFields.forUpdate(metadata, storedMetadata);
        }
        if (definition.hasStatus() && target != WriteTarget.STATUS && specChanged(next, stored)) {
            metadata.put("generation", storedMetadata.path("generation").asLong(0) + 1);
        }
        ObjectNode proposed = next;
        return admitWithCluster(definition, proposed, stored, target).chain(() -> write(request, current, stored,
                proposed, pinned, options, target, cached, charges));
    }

    private Uni<WriteResult> write(RequestInfo request, StoredObject current, ObjectNode stored, ObjectNode next,
                                   String pinned, WriteOptions options, WriteTarget target, boolean cached,
                                   QuotaCharges charges) {
        ResourceDefinition<?> definition = request.definition();
        Prepared prepared = target == WriteTarget.SERVER ? serverChange(definition, next, request.storeNamespace())
                : prepare(definition, next, stored, request.storeNamespace(), options, target);
        boolean retryable = pinned.isEmpty();
        if (isFinalized(next)) {
            return remove(definition, current, options.dryRun(), retryable)
                    .map(deleted -> new WriteResult(deleted, false, prepared.warnings()));
        }
        if (prepared.write().body().equals(current.body())) {
            if (cached) {
                // Nothing changed compared with a copy that may be behind: only a fresh read can tell.
                return Uni.createFrom().failure(new Retry());
            }
            // Like Kubernetes: a write that changes nothing does not take a new resourceVersion.
            return Uni.createFrom().item(new WriteResult(current, false, prepared.warnings()));
        }
        if (options.dryRun()) {
            return Uni.createFrom().item(new WriteResult(dryRunResult(prepared.write(), current.revision()), false,
                    prepared.warnings()));
        }
        Uni<Void> charged = target != WriteTarget.OBJECT ? Uni.createFrom().voidItem()
                : quotas.chargeGrowth(definition, prepared.object(), stored, request.storeNamespace(), charges);
        return charged.chain(() -> store.update(prepared.write(), Preconditions.revision(current.revision())))
                // A taken address is worth a fresh admission even when pinned: the object itself did not move.
                .onFailure(StoreException.class).transform(e -> retryable && conflict(e) || addressTaken(e)
                        ? new Retry() : storeFailure(e, definition))
                .map(updated -> new WriteResult(updated, false, prepared.warnings()));
    }

    /**
     * Deletes now, or, when finalizers (or a namespace's spec.finalizers, or a pod's grace period on a node) say
     * the object must wind down first, marks it with a deletionTimestamp and leaves the rest to its finalizers.
     */
    Uni<WriteResult> delete(RequestInfo request, DeleteOptions options) {
        ResourceDefinition<?> definition = request.definition();
        ObjectKey key = ObjectKey.of(definition.storeType(), request.storeNamespace(), request.name());
        return store.get(key)
                .onFailure(StoreException.class).transform(e -> storeFailure(e, definition))
                .chain(current -> deleteCurrent(request, current, options, 1));
    }

    private Uni<WriteResult> deleteCurrent(RequestInfo request, StoredObject current, DeleteOptions options,
                                           int attempt) {
        ResourceDefinition<?> definition = request.definition();
        checkPreconditions(definition, current, options);
        ObjectNode tree = ObjectCodec.toTree(current);
        if (ObjectRules.metadata(tree).hasNonNull("deletionTimestamp")) {
            return deleteAgain(request, current, tree, options, attempt);
        }
        long grace = gracePeriod(definition, tree, options);
        ObjectNode planned = tree.deepCopy();
        DeletionFinalizers.apply(planned, options.propagationPolicy());
        if (!hasFinalizers(planned) && grace == 0) {
            return removeNow(request, current, options, attempt);
        }
        // As in Kubernetes, the deletionTimestamp is when the object is due to go: now plus its grace period.
        return markDeleting(request, Instant.now().plusSeconds(grace), grace, options);
    }

    /**
     * A delete of an object that is already being deleted, as Kubernetes handles it: it may only shorten a pending
     * grace period (the due time moves earlier by as much) or change the propagation finalizers, and at zero, with
     * no finalizer left, the object goes.
     */
    private Uni<WriteResult> deleteAgain(RequestInfo request, StoredObject current, ObjectNode tree,
                                         DeleteOptions options, int attempt) {
        ObjectNode metadata = ObjectRules.metadata(tree);
        long pending = metadata.path("deletionGracePeriodSeconds").asLong(0);
        boolean refinalizes = DeletionFinalizers.changes(tree, options.propagationPolicy());
        if (pending <= 0 && !refinalizes) {
            return hasFinalizers(tree) ? Uni.createFrom().item(new WriteResult(current, false, List.of()))
                    : removeNow(request, current, options, attempt);
        }
        Long requested = options.gracePeriodSeconds();
        boolean shortens = pending > 0 && requested != null && requestedGrace(requested) < pending;
        if (!shortens && !refinalizes) {
            return Uni.createFrom().item(new WriteResult(current, false, List.of()));
        }
        long grace = shortens ? requestedGrace(requested) : pending;
        Instant due = Instant.parse(metadata.path("deletionTimestamp").asText()).minusSeconds(pending)
                .plusSeconds(grace);
        return markDeleting(request, due, grace, options);
    }

    private Uni<WriteResult> removeNow(RequestInfo request, StoredObject current, DeleteOptions options,
                                       int attempt) {
        ResourceDefinition<?> definition = request.definition();
        if (options.dryRun()) {
            return Uni.createFrom().item(new WriteResult(current, false, List.of()));
        }
        return remove(definition, current, false, true)
                .map(deleted -> new WriteResult(deleted, false, List.of()))
                .onFailure(Retry.class).recoverWithUni(() -> attempt < UPDATE_ATTEMPTS
                        ? refetch(request).chain(fresh -> deleteCurrent(request, fresh, options, attempt + 1))
                        : Uni.createFrom().failure(ApiException.conflict(definition.group(), definition.plural(),
                                request.name(), "the object kept changing during the delete")));
    }

    /** Marks the object as being deleted, due at {@code due}; with no grace and no finalizer, that removes it. */
    private Uni<WriteResult> markDeleting(RequestInfo request, Instant due, long grace, DeleteOptions options) {
        ResourceDefinition<?> definition = request.definition();
        WriteOptions writeOptions = new WriteOptions(options.dryRun(), "Ignore", null, false);
        return update(request, object -> {
            ObjectNode meta = ObjectRules.metadata(object);
            meta.put("deletionTimestamp", SystemFields.timestamp(due));
            meta.put("deletionGracePeriodSeconds", grace);
            DeletionFinalizers.apply(object, options.propagationPolicy());
            if (definition.kind().equals("Namespace")) {
                object.withObjectProperty("status").put("phase", "Terminating");
            }
            meta.remove("resourceVersion");
            return object;
        }, writeOptions, WriteTarget.SERVER, false)
                // New content is refused by looking at the cached namespace: once the client hears it is
                // terminating, this apiserver's cache must say so too.
                .call(marked -> definition.kind().equals("Namespace") && !options.dryRun()
                        ? store.catchUp(marked.object().revision()) : Uni.createFrom().voidItem());
    }

    private Uni<StoredObject> refetch(RequestInfo request) {
        ResourceDefinition<?> definition = request.definition();
        return store.get(ObjectKey.of(definition.storeType(), request.storeNamespace(), request.name()))
                .onFailure(StoreException.class).transform(e -> storeFailure(e, definition));
    }

    /** Removes the object for good, on condition it is still at the version this request decided on. */
    private Uni<StoredObject> remove(ResourceDefinition<?> definition, StoredObject current, boolean dryRun,
                                     boolean retryable) {
        if (dryRun) {
            return Uni.createFrom().item(current);
        }
        return store.delete(current.key(), Preconditions.revision(current.revision()))
                .onFailure(StoreException.class).transform(e -> retryable && conflict(e) ? new Retry()
                        : storeFailure(e, definition));
    }

    private <T extends HasMetadata> Prepared prepare(ResourceDefinition<T> definition, ObjectNode tree,
                                                     ObjectNode storedTree, String namespace, WriteOptions options,
                                                     WriteTarget target) {
        List<String> unknown = new ArrayList<>(definition.pruner().prune(tree));
        Decoded<T> decoded = ObjectCodec.toTyped(tree, definition.type());
        unknown.addAll(decoded.unknownFields());
        List<String> warnings = new ArrayList<>();
        if (!unknown.isEmpty()) {
            if (options.strict()) {
                throw ApiException.badRequest("strict decoding error: " + String.join(", ",
                        unknown.stream().map(f -> "unknown field \"" + f + "\"").toList()));
            }
            if (options.warn()) {
                unknown.forEach(f -> warnings.add("unknown field \"" + f + "\""));
            }
        }
        T object = decoded.object();
        T old = storedTree == null ? null : ObjectCodec.toTyped(storedTree, definition.type()).object();
        definition.defaulter().apply(object);
        FieldErrors errors = new FieldErrors();
        ObjectRules.validateMetadata(object, old, definition, errors);
        validator(definition, target).validate(object, old, errors);
        String name = object.getMetadata().getName();
        if (!errors.isEmpty()) {
            throw ApiException.invalid(definition.group(), definition.kind(), name, errors);
        }
        ObjectNode finalTree = ObjectCodec.toTree(object);
        // After defaulting, as Kubernetes does: defaulted fields belong to the writer too.
        recordManager(storedTree, finalTree, definition, options);
        ObjectKey key = ObjectKey.of(definition.storeType(), namespace, name);
        ObjectWrite write = new ObjectWrite(key, object.getMetadata().getUid(), IndexedFields.labelsOf(finalTree),
                indexedFields.extract(definition.storeType(), finalTree), ObjectCodec.storedBody(finalTree));
        return new Prepared(write, warnings, object);
    }

    /** The kind's validation, or for a pod's ephemeral containers the rules of that subresource instead. */
    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> Validator<? super T> validator(ResourceDefinition<T> definition,
                                                                         WriteTarget target) {
        return target == WriteTarget.EPHEMERAL_CONTAINERS
                ? (Validator<? super T>) KindValidation.podEphemeralContainers() : definition.validator();
    }

    /**
     * A change the server made to the stored object (a binding, a deletion mark): stored as it is, without the
     * typed round trip, defaults, validation or a managedFields entry, as Kubernetes' binding and graceful deletion
     * update the stored object outside the update strategy.
     */
    private Prepared serverChange(ResourceDefinition<?> definition, ObjectNode tree, String namespace) {
        ObjectNode metadata = ObjectRules.metadata(tree);
        ObjectKey key = ObjectKey.of(definition.storeType(), namespace, metadata.path("name").asText());
        ObjectWrite write = new ObjectWrite(key, metadata.path("uid").asText(null), IndexedFields.labelsOf(tree),
                indexedFields.extract(definition.storeType(), tree), ObjectCodec.storedBody(tree));
        return new Prepared(write, List.of(), null);
    }

    private static void checkNamespace(ObjectNode metadata, RequestInfo request) {
        if (!request.definition().namespaced()) {
            metadata.remove("namespace");
            return;
        }
        String given = metadata.path("namespace").asText("");
        if (!given.isEmpty() && !given.equals(request.namespace())) {
            throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on "
                    + "the request");
        }
        metadata.put("namespace", request.namespace());
    }

    private static void checkPreconditions(ResourceDefinition<?> definition, StoredObject current,
                                           DeleteOptions options) {
        if (options.preconditionUid() != null && !options.preconditionUid().equals(current.uid())) {
            throw ApiException.conflict(definition.group(), definition.plural(), current.key().name(),
                    "Precondition failed: UID in precondition: " + options.preconditionUid()
                            + ", UID in object meta: " + current.uid());
        }
        if (options.preconditionResourceVersion() != null
                && !options.preconditionResourceVersion().equals(Long.toString(current.revision()))) {
            throw ApiException.conflict(definition.group(), definition.plural(), current.key().name(),
                    "Precondition failed: ResourceVersion in precondition: " + options.preconditionResourceVersion()
                            + ", ResourceVersion in object meta: " + current.revision());
        }
    }

    /**
     * Pods bound to a node and still running wind down for their grace period, which the node's agent honours; the
     * rest (unscheduled or finished pods, every other kind) go at once.
     */
    private static long gracePeriod(ResourceDefinition<?> definition, ObjectNode object, DeleteOptions options) {
        if (!definition.kind().equals("Pod") || object.path("spec").path("nodeName").asText("").isEmpty()) {
            return 0;
        }
        String phase = object.path("status").path("phase").asText("");
        if (phase.equals("Succeeded") || phase.equals("Failed")) {
            return 0;
        }
        if (options.gracePeriodSeconds() != null) {
            return requestedGrace(options.gracePeriodSeconds());
        }
        return object.path("spec").path("terminationGracePeriodSeconds").asLong(30);
    }

    /** Kubernetes reads a negative grace period in DeleteOptions as one second. */
    private static long requestedGrace(long requested) {
        return requested < 0 ? 1 : requested;
    }

    private static boolean hasFinalizers(ObjectNode object) {
        JsonNode finalizers = object.path("metadata").path("finalizers");
        JsonNode namespaceFinalizers = object.path("spec").path("finalizers");
        return finalizers instanceof ArrayNode a && !a.isEmpty()
                || object.path("kind").asText().equals("Namespace") && namespaceFinalizers instanceof ArrayNode n
                && !n.isEmpty();
    }

    /** Marked for deletion and no finalizer left: the object's time is up. */
    private static boolean isFinalized(ObjectNode object) {
        return object.path("metadata").hasNonNull("deletionTimestamp") && !hasFinalizers(object)
                && object.path("metadata").path("deletionGracePeriodSeconds").asLong(0) == 0;
    }

    /** Who changed which fields (metadata.managedFields), for every write but a server-side apply. */
    private static void recordManager(ObjectNode before, ObjectNode after, ResourceDefinition<?> definition,
                                      WriteOptions options) {
        if (!options.apply()) {
            ManagedFields.recordUpdate(before, after, definition, options.fieldManager(), Instant.now());
        }
    }

    /** Whether anything but metadata and status differs (what bumps metadata.generation). */
    private static boolean specChanged(ObjectNode next, ObjectNode stored) {
        return !sameOutside(next, stored) || !sameOutside(stored, next);
    }

    private static boolean sameOutside(ObjectNode one, ObjectNode other) {
        for (Map.Entry<String, JsonNode> field : one.properties()) {
            String name = field.getKey();
            if (!name.equals("metadata") && !name.equals("status") && !field.getValue().equals(other.get(name))) {
                return false;
            }
        }
        return true;
    }

    private static void keep(ObjectNode next, ObjectNode stored, String field) {
        JsonNode value = stored.get(field);
        if (value == null) {
            next.remove(field);
        } else {
            next.set(field, value);
        }
    }

    /** The stored object with one field of its spec taken from the new version. */
    private static ObjectNode withOnlySpec(ObjectNode stored, ObjectNode next, String field) {
        ObjectNode result = stored.deepCopy();
        ObjectNode spec = result.withObjectProperty("spec");
        keep(spec, next.path("spec") instanceof ObjectNode s ? s : spec.objectNode(), field);
        return result;
    }

    /** The stored object with one top-level field taken from the new version. */
    private static ObjectNode withOnly(ObjectNode stored, ObjectNode next, String field) {
        ObjectNode result = stored.deepCopy();
        keep(result, next, field);
        return result;
    }

    private static ObjectNode nameFromPath(ObjectNode body, RequestInfo request) {
        ObjectRules.metadata(body).put("name", request.name());
        return body;
    }

    private static boolean addressTaken(Throwable e) {
        return e instanceof StoreException s && s.reason() == StoreException.Reason.ADDRESS_TAKEN;
    }

    private static boolean conflict(Throwable e) {
        return e instanceof StoreException s && s.reason() == StoreException.Reason.CONFLICT;
    }

    private static Throwable storeFailure(Throwable e, ResourceDefinition<?> definition) {
        return e instanceof StoreException s ? ApiException.from(s, definition.group(), definition.plural()) : e;
    }

    private static StoredObject dryRunResult(ObjectWrite write, long revision) {
        return new StoredObject(write.key(), write.uid(), revision, revision, write.labels(), write.fields(),
                write.body());
    }

    private static String randomSuffix() {
        StringBuilder suffix = new StringBuilder(5);
        for (int i = 0; i < 5; i++) {
            suffix.append(NAME_ALPHABET.charAt(RANDOM.nextInt(NAME_ALPHABET.length())));
        }
        return suffix.toString();
    }
}
