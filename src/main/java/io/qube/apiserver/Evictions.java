package io.qube.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.codec.ObjectCodec;
import io.qube.apiserver.codec.WellTyped;
import io.qube.apiserver.registry.FieldErrors;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.client.DisruptionConditions;
import io.qube.client.Selectors;
import io.qube.store.FieldSelector;
import io.qube.store.LabelSelector;
import io.qube.store.ListRequest;
import io.qube.store.ObjectKey;
import io.qube.store.ObjectStore;
import io.qube.store.StoreException;
import io.qube.store.StoredObject;
import io.smallrye.mutiny.Uni;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pods/eviction subresource, with Kubernetes' semantics (the EvictionREST of its pod registry): a pod is
 * deleted unless the one PodDisruptionBudget selecting it has no disruption left, in which case the answer is 429
 * and the pod stays. An allowed eviction first takes one disruption from the budget and records the pod among its
 * disruptedPods (a write conditional on the budget's resourceVersion, redone on fresh state after a conflict), so
 * that evictions racing each other cannot both spend the last one; the pod then gets the DisruptionTarget
 * condition and is deleted, and the disruption controller recomputes the budget. Pods that are not running, or unready pods the budget does not count, go without spending anything.
 */
final class Evictions {

    static final String BUDGET_CAUSE = "DisruptionBudget";
    private static final String DISRUPTION_TARGET = "DisruptionTarget";
    private static final String REFUSED = "Cannot evict pod as it would violate the pod's disruption budget.";
    /** Evictions the disruption controller has not confirmed yet, at most (Kubernetes' MaxDisruptedPodSize). */
    private static final int MAX_DISRUPTED_PODS = 2000;

    private final ObjectStore store;
    private final ObjectWriter writer;
    private final ResourceDefinition<?> pods;
    private final ResourceDefinition<?> budgets;

    Evictions(ObjectStore store, ObjectWriter writer, ResourceDefinition<?> pods, ResourceDefinition<?> budgets) {
        this.store = store;
        this.writer = writer;
        this.pods = pods;
        this.budgets = budgets;
    }

    /**
     * Evicts the pod, or refuses to.
     *
     * @param eviction a policy/v1 (or v1beta1, the same shape) Eviction naming the pod
     * @throws ApiException 400 when the Eviction is malformed or names another pod
     */
    Uni<Void> evict(String namespace, String podName, ObjectNode eviction, Query query) {
        WellTyped.check(eviction, Eviction.class, "Eviction", "policy/v1");
        if (!eviction.path("metadata").path("name").asText("").equals(podName)) {
            throw ApiException.badRequest("name in URL does not match name in Eviction object");
        }
        DeleteOptions options = DeleteOptions.of(eviction.path("deleteOptions"), query);
        RequestInfo podRequest = new RequestInfo(pods, namespace, podName, null, false);
        return store.get(ObjectKey.of(pods.storeType(), namespace, podName))
                .onFailure(StoreException.class).transform(e -> ApiException.from((StoreException) e, "", "pods"))
                .chain(stored -> {
                    Pod pod = ObjectCodec.toTyped(stored, Pod.class);
                    if (budgetsDoNotApply(pod)) {
                        return delete(podRequest, options);
                    }
                    return store.listCached(new ListRequest(budgets.storeType(), namespace, LabelSelector.EVERYTHING,
                                    FieldSelector.EVERYTHING, 0, null), true)
                            .chain(page -> guarded(podRequest, pod, selecting(page.items(), pod), options));
                });
    }

    /** Pods that are done, not started or already going are not counted by any budget (canIgnorePDB). */
    private static boolean budgetsDoNotApply(Pod pod) {
        String phase = pod.getStatus() == null ? "" : String.valueOf(pod.getStatus().getPhase());
        return phase.equals("Succeeded") || phase.equals("Failed") || phase.equals("Pending")
                || pod.getMetadata().getDeletionTimestamp() != null;
    }

    /** The budgets whose selector matches the pod; policy/v1 lets an empty selector match every pod. */
    private static List<PodDisruptionBudget> selecting(List<StoredObject> stored, Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        return stored.stream().map(object -> ObjectCodec.toTyped(object, PodDisruptionBudget.class))
                .filter(budget -> budget.getSpec() != null
                        && Selectors.matches(budget.getSpec().getSelector(), labels))
                .toList();
    }

    private Uni<Void> guarded(RequestInfo podRequest, Pod pod, List<PodDisruptionBudget> selecting,
                              DeleteOptions options) {
        if (selecting.size() > 1) {
            // Kubernetes answers this with a 500 (its budgets, not the request, are wrong); Qube never answers 500
            // for what a user set up, so it refuses the eviction as Forbidden, with Kubernetes' message.
            throw new ApiException(403, "Forbidden", "This pod has more than one PodDisruptionBudget, which the eviction "
                    + "subresource does not support.", null, null, null, null);
        }
        if (selecting.isEmpty()) {
            return delete(podRequest, options);
        }
        PodDisruptionBudget budget = selecting.get(0);
        if (!isReady(pod)) {
            PodDisruptionBudgetStatus status = budget.getStatus() == null ? new PodDisruptionBudgetStatus()
                    : budget.getStatus();
            boolean budgetMet = count(status.getCurrentHealthy()) >= count(status.getDesiredHealthy())
                    && count(status.getDesiredHealthy()) > 0;
            if ("AlwaysAllow".equals(budget.getSpec().getUnhealthyPodEvictionPolicy()) || budgetMet) {
                // An unready pod is not among the budget's healthy ones: it goes without spending a disruption,
                // provided it is still the pod that was judged unready.
                return delete(podRequest, options.atVersion(pod.getMetadata().getResourceVersion()));
            }
        }
        RequestInfo budgetRequest = new RequestInfo(budgets, podRequest.namespace(),
                budget.getMetadata().getName(), "status", false);
        WriteOptions write = new WriteOptions(options.dryRun(), "Ignore", null, false);
        return writer.update(budgetRequest, current -> takeDisruption(current, podRequest.name()), write,
                        WriteTarget.STATUS, false)
                .chain(() -> delete(podRequest, options));
    }

    /**
     * The budget with one disruption fewer and the pod among its disruptedPods (Kubernetes' checkAndDecrement).
     *
     * @throws ApiException 429 when the budget allows no disruption or the controller has not caught up with its
     *                      spec, 403 when its status cannot be trusted
     */
    private static ObjectNode takeDisruption(ObjectNode current, String podName) {
        PodDisruptionBudget budget = Json.MAPPER.convertValue(current, PodDisruptionBudget.class);
        String name = budget.getMetadata().getName();
        PodDisruptionBudgetStatus status = budget.getStatus() == null ? new PodDisruptionBudgetStatus()
                : budget.getStatus();
        long generation = budget.getMetadata().getGeneration() == null ? 0 : budget.getMetadata().getGeneration();
        long observed = status.getObservedGeneration() == null ? 0 : status.getObservedGeneration();
        if (observed < generation) {
            throw refused("The disruption budget " + name + " is still being processed by the server.");
        }
        int allowed = count(status.getDisruptionsAllowed());
        if (allowed < 0) {
            throw ApiException.forbidden("policy", "poddisruptionbudget", name, "pdb disruptions allowed is negative");
        }
        Map<String, String> disrupted = new LinkedHashMap<>(status.getDisruptedPods() == null ? Map.of()
                : status.getDisruptedPods());
        if (disrupted.size() > MAX_DISRUPTED_PODS) {
            throw ApiException.forbidden("policy", "poddisruptionbudget", name,
                    "DisruptedPods map too big - too many evictions not confirmed by PDB controller");
        }
        if (allowed == 0) {
            throw refused("The disruption budget " + name + " needs " + count(status.getDesiredHealthy())
                    + " healthy pods and has " + count(status.getCurrentHealthy()) + " currently");
        }
        Instant now = Instant.now();
        status.setDisruptionsAllowed(allowed - 1);
        if (allowed - 1 == 0) {
            DisruptionConditions.update(budget, now);
        }
        disrupted.put(podName, now.truncatedTo(ChronoUnit.SECONDS).toString());
        status.setDisruptedPods(disrupted);
        current.set("status", Json.MAPPER.valueToTree(status));
        // Unpinned: the store still writes only over the version read, and a conflict reruns this on fresh state.
        ObjectRules.metadata(current).remove("resourceVersion");
        return current;
    }

    private static ApiException refused(String why) {
        return new ApiException(429, "TooManyRequests", REFUSED, null, null, null,
                List.of(new FieldErrors.Cause(BUDGET_CAUSE, why, null)));
    }

    /**
     * Marks the pod with the DisruptionTarget condition, as Kubernetes does before an eviction's delete (a dry run
     * only deletes, which stores nothing), then deletes it; a resourceVersion precondition moves to the marked pod.
     */
    private Uni<Void> delete(RequestInfo podRequest, DeleteOptions options) {
        if (options.dryRun()) {
            return writer.delete(podRequest, options).replaceWithVoid();
        }
        RequestInfo status = new RequestInfo(pods, podRequest.namespace(), podRequest.name(), "status", false);
        return writer.update(status, current -> disruptionTarget(current, options), WriteOptions.DEFAULT,
                        WriteTarget.STATUS, false)
                .chain(marked -> writer.delete(podRequest, options.preconditionResourceVersion() == null ? options
                        : options.withVersion(String.valueOf(marked.object().revision()))))
                .replaceWithVoid();
    }

    /** @throws ApiException 409 when the pod is no longer the one the eviction's preconditions name */
    private static ObjectNode disruptionTarget(ObjectNode pod, DeleteOptions options) {
        ObjectNode metadata = ObjectRules.metadata(pod);
        String name = metadata.path("name").asText();
        if (options.preconditionUid() != null && !options.preconditionUid().equals(metadata.path("uid").asText())) {
            throw ApiException.conflict("", "pods", name, "Precondition failed: UID in precondition: "
                    + options.preconditionUid() + ", UID in object meta: " + metadata.path("uid").asText());
        }
        String version = options.preconditionResourceVersion();
        if (version != null && !version.equals(metadata.path("resourceVersion").asText())) {
            throw ApiException.conflict("", "pods", name, "Precondition failed: ResourceVersion in precondition: "
                    + version + ", ResourceVersion in object meta: " + metadata.path("resourceVersion").asText());
        }
        ArrayNode conditions = pod.withObjectProperty("status").withArrayProperty("conditions");
        for (int i = conditions.size() - 1; i >= 0; i--) {
            if (DISRUPTION_TARGET.equals(conditions.get(i).path("type").asText())) {
                conditions.remove(i);
            }
        }
        conditions.addObject().put("type", DISRUPTION_TARGET).put("status", "True").putNull("lastProbeTime")
                .put("lastTransitionTime", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
                .put("reason", "EvictionByEvictionAPI").put("message", "Eviction API: evicting");
        metadata.remove("resourceVersion");
        return pod;
    }

    private static boolean isReady(Pod pod) {
        List<PodCondition> conditions = pod.getStatus() == null || pod.getStatus().getConditions() == null
                ? List.of() : pod.getStatus().getConditions();
        return conditions.stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static int count(Integer value) {
        return value == null ? 0 : value;
    }
}
