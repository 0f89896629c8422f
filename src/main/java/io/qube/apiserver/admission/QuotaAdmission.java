package io.qube.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaSpec;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.qube.apiserver.codec.Json;
import io.qube.quota.ObjectUsage;
import io.qube.quota.QuotaScopes;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Kubernetes' ResourceQuota admission for a new object, over its namespace's quotas as JSON: which quotas restrict
 * it (those whose status.hard names a resource its kind is counted in; a quota not counted yet restricts nothing),
 * whether it may be charged to them, and each quota's status once charged. The refusals carry Kubernetes' messages.
 * A quota with scopes restricts only the pods they select ({@link QuotaScopes}).
 */
public final class QuotaAdmission {

    /** Resources a pod's every container must state when a quota restricts them: Kubernetes' old rule, kept. */
    private static final Set<String> MUST_SPECIFY = Set.of("cpu", "requests.cpu", "limits.cpu", "memory",
            "requests.memory", "limits.memory");

    private QuotaAdmission() {
    }

    /** Admission's refusal: a message for a 403. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The quotas that restrict a new object of the kind ("pods", "deployments.apps").
     *
     * @throws Refused when a pod leaves out a resource a quota restricts, or a quota has not counted it yet
     */
    public static List<JsonNode> restricting(String kind, HasMetadata object, Collection<JsonNode> quotas) {
        List<JsonNode> restricting = new ArrayList<>();
        for (JsonNode quota : quotas) {
            JsonNode spec = quota.path("spec");
            if ((!spec.path("scopes").isEmpty() || spec.hasNonNull("scopeSelector"))
                    && !QuotaScopes.selects(Json.MAPPER.convertValue(spec, ResourceQuotaSpec.class), object)) {
                continue;
            }
            SortedSet<String> restricted = new TreeSet<>(fieldNames(quota.path("status").path("hard")));
            restricted.removeIf(resource -> !ObjectUsage.counts(kind, resource));
            if (restricted.isEmpty()) {
                continue;
            }
            if (object instanceof Pod pod) {
                String missing = missing(pod, restricted);
                if (!missing.isEmpty()) {
                    throw new Refused("failed quota: " + name(quota) + ": must specify " + missing);
                }
            }
            if (!fieldNames(quota.path("status").path("used")).containsAll(restricted)) {
                // Kubernetes names every resource the quota restricts the object by, not only the uncounted ones.
                throw new Refused("status unknown for quota: " + name(quota) + ", resources: "
                        + String.join(",", restricted));
            }
            restricting.add(quota);
        }
        return restricting;
    }

    /**
     * The quota's status with the object's usage added, or null when the usage charges it nothing.
     *
     * @throws Refused when that would take a resource over the quota's hard limit
     */
    public static ObjectNode charged(JsonNode quota, Map<String, BigDecimal> usage) {
        JsonNode hard = quota.path("status").path("hard");
        JsonNode used = quota.path("status").path("used");
        SortedMap<String, BigDecimal> requested = new TreeMap<>();
        usage.forEach((resource, amount) -> {
            if (hard.has(resource) && amount.signum() != 0) {
                requested.put(resource, amount);
            }
        });
        if (requested.isEmpty()) {
            return null;
        }
        SortedSet<String> exceeded = new TreeSet<>();
        ObjectNode status = ((ObjectNode) quota.path("status")).deepCopy();
        ObjectNode newUsed = status.withObjectProperty("used");
        requested.forEach((resource, amount) -> {
            BigDecimal total = amount(used.path(resource)).add(amount);
            if (total.compareTo(amount(hard.path(resource))) > 0) {
                exceeded.add(resource);
            }
            newUsed.put(resource, text(resource, total));
        });
        if (!exceeded.isEmpty()) {
            throw new Refused("exceeded quota: " + name(quota)
                    + ", requested: " + listed(exceeded, resource -> text(resource, requested.get(resource)))
                    + ", used: " + listed(exceeded, resource -> text(resource, amount(used.path(resource))))
                    + ", limited: " + listed(exceeded, resource -> text(resource, amount(hard.path(resource)))));
        }
        return status;
    }

    /** "limits.cpu for: a,b; requests.memory for: b" for what the pod's containers leave out, or "". */
    private static String missing(Pod pod, Set<String> restricted) {
        SortedMap<String, SortedSet<String>> containers = new TreeMap<>();
        List<Container> all = new ArrayList<>(NullSafe.list(pod.getSpec().getContainers()));
        all.addAll(NullSafe.list(pod.getSpec().getInitContainers()));
        for (Container container : all) {
            for (String resource : restricted) {
                if (MUST_SPECIFY.contains(resource) && !states(container.getResources(), resource)) {
                    containers.computeIfAbsent(resource, r -> new TreeSet<>()).add(container.getName());
                }
            }
        }
        return containers.entrySet().stream()
                .map(entry -> entry.getKey() + " for: " + String.join(",", entry.getValue()))
                .collect(Collectors.joining("; "));
    }

    private static boolean states(ResourceRequirements resources, String resource) {
        if (resources == null) {
            return false;
        }
        boolean limit = resource.startsWith("limits.");
        String name = resource.substring(resource.indexOf('.') + 1);
        Map<String, Quantity> list = limit ? resources.getLimits() : resources.getRequests();
        return list != null && list.containsKey(name);
    }

    private static String name(JsonNode quota) {
        return quota.path("metadata").path("name").asText();
    }

    private static Set<String> fieldNames(JsonNode object) {
        Set<String> names = new TreeSet<>();
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    private static String listed(SortedSet<String> resources, java.util.function.Function<String, String> value) {
        return resources.stream().map(resource -> resource + "=" + value.apply(resource))
                .collect(Collectors.joining(","));
    }

    private static BigDecimal amount(JsonNode quantity) {
        return quantity.isTextual() ? Quantities.value(new Quantity(quantity.asText())).orElse(BigDecimal.ZERO)
                : BigDecimal.ZERO;
    }

    /** A quantity as Kubernetes writes it (canonical, in the resource's notation). */
    private static String text(String resource, BigDecimal amount) {
        Quantity canonical = Quantities.canonical(new Quantity(ObjectUsage.quantity(resource, amount)));
        return canonical.getAmount() + NullSafe.string(canonical.getFormat());
    }
}
