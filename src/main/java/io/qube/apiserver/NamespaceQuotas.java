package io.qube.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.qube.apiserver.admission.QuotaAdmission;
import io.qube.apiserver.codec.ObjectCodec;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.quota.ObjectUsage;
import io.qube.store.IndexedFields;
import io.qube.store.ListRequest;
import io.qube.store.ObjectKey;
import io.qube.store.ObjectStore;
import io.qube.store.ObjectWrite;
import io.qube.store.Preconditions;
import io.qube.store.ResourceType;
import io.qube.store.StoreException;
import io.qube.store.StoredObject;
import io.smallrye.mutiny.Uni;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' ResourceQuota admission on creates: a new object is checked against the quotas of its namespace
 * that restrict it ({@link QuotaAdmission}) and charged to them before it is stored, each quota's status.used
 * written on condition that the quota did not change since it was read, and read again and rechecked when it did,
 * so that concurrent creates cannot both take the last of a quota. A namespace without quotas costs one cached
 * list read. Like Kubernetes, a create that fails after its charge leaves the quota charged until the quota
 * controller next recounts (at the latest its periodic recount); a create whose name the cache already holds is
 * not charged. Events are never charged, as Kubernetes ignores them.
 */
final class NamespaceQuotas {

    private static final ResourceType QUOTAS = new ResourceType("", "resourcequotas");
    private static final int CHARGE_ATTEMPTS = 10;

    private final ObjectStore store;
    private final IndexedFields indexedFields;

    NamespaceQuotas(ObjectStore store, IndexedFields indexedFields) {
        this.store = store;
        this.indexedFields = indexedFields;
    }

    /** @throws ApiException (in the Uni) 403 with Kubernetes' message when a quota refuses the object */
    Uni<Void> charge(ResourceDefinition<?> definition, HasMetadata object, String namespace, boolean dryRun) {
        if (!definition.namespaced() || definition.kind().equals("Event")
                || store.getCached(ObjectKey.of(definition.storeType(), namespace, object.getMetadata().getName()))
                != null) {
            // An object of that name exists: its create will fail (409), and a charge would stay until a recount.
            return Uni.createFrom().voidItem();
        }
        return store.listCached(new ListRequest(QUOTAS, namespace, null, null, 0, null), false)
                .chain(page -> page.items().isEmpty() ? Uni.createFrom().voidItem()
                        : charge(definition, object, page.items(), dryRun));
    }

    private Uni<Void> charge(ResourceDefinition<?> definition, HasMetadata object, List<StoredObject> quotas,
                             boolean dryRun) {
        String kind = kind(definition);
        Map<JsonNode, StoredObject> stored = new IdentityHashMap<>();
        List<JsonNode> trees = new ArrayList<>();
        for (StoredObject quota : quotas) {
            ObjectNode tree = ObjectCodec.toTree(quota);
            stored.put(tree, quota);
            trees.add(tree);
        }
        Map<String, BigDecimal> usage = ObjectUsage.of(kind, object, Instant.now());
        List<JsonNode> restricting;
        try {
            restricting = QuotaAdmission.restricting(kind, object, trees);
            // Every quota is checked before any is charged, as far as the copies read can tell.
            restricting.forEach(quota -> QuotaAdmission.charged(quota, usage));
        } catch (QuotaAdmission.Refused refused) {
            return Uni.createFrom().failure(refusal(definition, object, refused));
        }
        if (dryRun) {
            return Uni.createFrom().voidItem();
        }
        Uni<Void> charges = Uni.createFrom().voidItem();
        for (JsonNode quota : restricting) {
            charges = charges.chain(() -> chargeOne(definition, object, kind, usage, stored.get(quota),
                    (ObjectNode) quota, 1));
        }
        return charges;
    }

    private Uni<Void> chargeOne(ResourceDefinition<?> definition, HasMetadata object, String kind,
                                Map<String, BigDecimal> usage, StoredObject quota, ObjectNode tree, int attempt) {
        ObjectNode status;
        try {
            status = QuotaAdmission.restricting(kind, object, List.of(tree)).isEmpty() ? null
                    : QuotaAdmission.charged(tree, usage);
        } catch (QuotaAdmission.Refused refused) {
            return Uni.createFrom().failure(refusal(definition, object, refused));
        }
        if (status == null) {
            return Uni.createFrom().voidItem();
        }
        ObjectNode next = tree.deepCopy();
        next.set("status", status);
        ObjectWrite write = new ObjectWrite(quota.key(), quota.uid(), IndexedFields.labelsOf(next),
                indexedFields.extract(QUOTAS, next), ObjectCodec.storedBody(next));
        return store.update(write, Preconditions.revision(quota.revision())).replaceWithVoid()
                .onFailure(StoreException.class).recoverWithUni(e -> {
                    StoreException.Reason reason = ((StoreException) e).reason();
                    if (reason == StoreException.Reason.NOT_FOUND) {
                        return Uni.createFrom().voidItem(); // the quota went meanwhile: nothing left to charge
                    }
                    if (reason != StoreException.Reason.CONFLICT || attempt >= CHARGE_ATTEMPTS) {
                        return Uni.createFrom().failure(e);
                    }
                    return store.get(quota.key())
                            .chain(fresh -> chargeOne(definition, object, kind, usage, fresh,
                                    ObjectCodec.toTree(fresh), attempt + 1))
                            .onFailure(gone -> gone instanceof StoreException s
                                    && s.reason() == StoreException.Reason.NOT_FOUND).recoverWithNull();
                });
    }

    /** How quotas name a kind: "pods", "deployments.apps". */
    private static String kind(ResourceDefinition<?> definition) {
        return definition.group().isEmpty() ? definition.plural() : definition.plural() + "." + definition.group();
    }

    private static ApiException refusal(ResourceDefinition<?> definition, HasMetadata object,
                                        QuotaAdmission.Refused refused) {
        return ApiException.forbidden(definition.group(), definition.plural(), object.getMetadata().getName(),
                refused.getMessage());
    }
}
