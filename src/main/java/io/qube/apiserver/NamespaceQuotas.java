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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' ResourceQuota admission on creates, and on updates that grow a Service or a claim: the object is
 * checked against the quotas of its namespace that restrict it ({@link QuotaAdmission}) and charged to them before
 * it is stored, each quota's status.used written on condition that the quota did not change since it was read, and
 * read again and rechecked when it did, so that concurrent creates cannot both take the last of a quota. A request
 * admitted again (a retry) is charged only what it was not yet ({@link QuotaCharges}). A namespace without quotas
 * costs one cached list read. Like Kubernetes, a create that fails after its charge leaves the quota charged until
 * the quota controller next recounts; a create whose name the cache already holds is not charged. Events are never
 * charged, as Kubernetes ignores them, nor custom resources, which the quota controller does not count.
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

    /**
     * Charges a new object.
     *
     * @throws ApiException (in the Uni) 403 with Kubernetes' message when a quota refuses the object
     */
    Uni<Void> charge(ResourceDefinition<?> definition, HasMetadata object, String namespace, boolean dryRun,
                     QuotaCharges charges) {
        if (!charged(definition)) {
            return Uni.createFrom().voidItem();
        }
        return quotasOf(namespace).chain(quotas -> {
            if (quotas.isEmpty() || store.getCached(ObjectKey.of(definition.storeType(), namespace,
                    object.getMetadata().getName())) != null) {
                // An object of that name exists: its create will fail (409), and a charge would stay until a recount.
                return Uni.createFrom().voidItem();
            }
            return charge(definition, object, ObjectUsage.of(kind(definition), object, Instant.now()), quotas,
                    dryRun, charges);
        });
    }

    /**
     * Charges what an update adds to an object's usage, as Kubernetes charges a Service's change of type and a
     * claim's growth (a pod's usage changes only through its resize, which Qube does not serve). A charge whose
     * update then fails stays until the controller recounts, as in Kubernetes. Dry runs of updates are not checked.
     *
     * @param stored the object before the update
     */
    Uni<Void> chargeGrowth(ResourceDefinition<?> definition, HasMetadata object, ObjectNode stored, String namespace,
                           QuotaCharges charges) {
        String kind = kind(definition);
        if (!kind.equals("services") && !kind.equals("persistentvolumeclaims")) {
            return Uni.createFrom().voidItem();
        }
        return quotasOf(namespace).chain(quotas -> {
            if (quotas.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            Instant now = Instant.now();
            Map<String, BigDecimal> before = ObjectUsage.of(kind,
                    ObjectCodec.toTyped(stored, definition.type()).object(), now);
            Map<String, BigDecimal> growth = new LinkedHashMap<>();
            ObjectUsage.of(kind, object, now).forEach((resource, amount) -> {
                BigDecimal more = amount.subtract(before.getOrDefault(resource, BigDecimal.ZERO));
                if (more.signum() > 0) {
                    growth.put(resource, more);
                }
            });
            return growth.isEmpty() ? Uni.createFrom().voidItem()
                    : charge(definition, object, growth, quotas, false, charges);
        });
    }

    private static boolean charged(ResourceDefinition<?> definition) {
        return definition.namespaced() && !definition.isCustom() && !definition.kind().equals("Event");
    }

    private Uni<List<StoredObject>> quotasOf(String namespace) {
        return store.listCached(new ListRequest(QUOTAS, namespace, null, null, 0, null), false)
                .map(page -> page.items());
    }

    private Uni<Void> charge(ResourceDefinition<?> definition, HasMetadata object, Map<String, BigDecimal> usage,
                             List<StoredObject> quotas, boolean dryRun, QuotaCharges charges) {
        String kind = kind(definition);
        List<ObjectNode> trees = new ArrayList<>();
        for (StoredObject quota : quotas) {
            trees.add(ObjectCodec.toTree(quota));
        }
        List<StoredObject> restricting = new ArrayList<>();
        try {
            List<JsonNode> restrictingTrees = QuotaAdmission.restricting(kind, object, List.copyOf(trees));
            // Every quota is checked before any is charged, as far as the copies read can tell.
            for (int i = 0; i < quotas.size(); i++) {
                if (restrictingTrees.contains(trees.get(i))) {
                    QuotaAdmission.charged(trees.get(i), charges.remaining(quotas.get(i).uid(), usage));
                    restricting.add(quotas.get(i));
                }
            }
        } catch (QuotaAdmission.Refused refused) {
            return Uni.createFrom().failure(refusal(definition, object, refused));
        }
        if (dryRun) {
            return Uni.createFrom().voidItem();
        }
        Uni<Void> charged = Uni.createFrom().voidItem();
        for (StoredObject quota : restricting) {
            charged = charged.chain(() -> chargeOne(definition, object, kind, usage, quota, 1, charges));
        }
        return charged;
    }

    private Uni<Void> chargeOne(ResourceDefinition<?> definition, HasMetadata object, String kind,
                                Map<String, BigDecimal> usage, StoredObject quota, int attempt,
                                QuotaCharges charges) {
        ObjectNode tree = ObjectCodec.toTree(quota);
        Map<String, BigDecimal> remaining = charges.remaining(quota.uid(), usage);
        ObjectNode status;
        try {
            status = QuotaAdmission.restricting(kind, object, List.of(tree)).isEmpty() ? null
                    : QuotaAdmission.charged(tree, remaining);
        } catch (QuotaAdmission.Refused refused) {
            return Uni.createFrom().failure(refusal(definition, object, refused));
        }
        if (status == null) {
            return Uni.createFrom().voidItem();
        }
        tree.set("status", status);
        ObjectWrite write = new ObjectWrite(quota.key(), quota.uid(), IndexedFields.labelsOf(tree),
                indexedFields.extract(QUOTAS, tree), ObjectCodec.storedBody(tree));
        return store.update(write, Preconditions.revision(quota.revision()))
                .invoke(() -> charges.charged(quota.uid(), remaining)).replaceWithVoid()
                .onFailure(StoreException.class).recoverWithUni(e -> {
                    StoreException.Reason reason = ((StoreException) e).reason();
                    if (reason == StoreException.Reason.NOT_FOUND) {
                        return Uni.createFrom().voidItem(); // the quota went meanwhile: nothing left to charge
                    }
                    if (reason != StoreException.Reason.CONFLICT) {
                        return Uni.createFrom().failure(e);
                    }
                    if (attempt >= CHARGE_ATTEMPTS) {
                        // What Kubernetes' quota admission answers when the quota keeps changing under it.
                        return Uni.createFrom().failure(ApiException.conflict("", "resourcequotas",
                                quota.key().name(), "the object has been modified; please apply your changes to the "
                                        + "latest version and try again"));
                    }
                    return store.get(quota.key())
                            .chain(fresh -> chargeOne(definition, object, kind, usage, fresh, attempt + 1, charges))
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
