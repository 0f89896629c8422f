package io.qube.quota;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One object's usage of the quota resources its kind is counted in: for a pod, itself ("pods" only while it has
 * not finished; "count/pods" always) and its requests and limits (containers summed, an init container's own when
 * larger, plus the overhead); for a Service, itself, its node ports and whether it is a load balancer; for a claim,
 * itself and the storage it requests; for any other kind, itself under {@code count/<resource>} (and under the
 * plain name for the core kinds Kubernetes counts so). A kind is named as quotas name it: "pods",
 * "deployments.apps".
 */
public final class ObjectUsage {

    private static final String PODS = "pods";
    private static final String SERVICES = "services";
    private static final String CLAIMS = "persistentvolumeclaims";
    private static final Set<String> POD_NAMES = Set.of(PODS, "count/pods", "cpu", "requests.cpu", "limits.cpu",
            "memory", "requests.memory", "limits.memory", "ephemeral-storage", "requests.ephemeral-storage",
            "limits.ephemeral-storage");
    private static final Set<String> SERVICE_NAMES = Set.of(SERVICES, "count/services", "services.nodeports",
            "services.loadbalancers");
    private static final Set<String> CLAIM_NAMES = Set.of(CLAIMS, "count/persistentvolumeclaims",
            "requests.storage");
    /** Core kinds a quota may count by their plain name as well as by count/&lt;name&gt;. */
    private static final Set<String> PLAIN_COUNTS = Set.of("configmaps", "secrets", "resourcequotas",
            "replicationcontrollers");
    private static final BigDecimal ONE = BigDecimal.ONE;

    private ObjectUsage() {
    }

    /** The kind whose objects a quota resource counts ("pods" for requests.cpu), or null when none Qube knows. */
    public static String countedIn(String quotaResource) {
        if (POD_NAMES.contains(quotaResource)) {
            return PODS;
        }
        if (SERVICE_NAMES.contains(quotaResource)) {
            return SERVICES;
        }
        if (CLAIM_NAMES.contains(quotaResource)) {
            return CLAIMS;
        }
        if (PLAIN_COUNTS.contains(quotaResource)) {
            return quotaResource;
        }
        return quotaResource.startsWith("count/") ? quotaResource.substring("count/".length()) : null;
    }

    /** The quota resources that objects of a kind are counted in: those a quota restricts them by. */
    public static Set<String> names(String kind) {
        return switch (kind) {
            case PODS -> POD_NAMES;
            case SERVICES -> SERVICE_NAMES;
            case CLAIMS -> CLAIM_NAMES;
            default -> PLAIN_COUNTS.contains(kind) ? Set.of(kind, "count/" + kind) : Set.of("count/" + kind);
        };
    }

    /** What one object of the kind uses, by quota resource, leaving out what it uses none of. */
    public static Map<String, BigDecimal> of(String kind, HasMetadata object, Instant now) {
        Map<String, BigDecimal> usage = new LinkedHashMap<>();
        switch (kind) {
            case PODS -> pod((Pod) object, now, usage);
            case SERVICES -> service((Service) object, usage);
            case CLAIMS -> claim((PersistentVolumeClaim) object, usage);
            default -> {
                usage.put("count/" + kind, ONE);
                if (PLAIN_COUNTS.contains(kind)) {
                    usage.put(kind, ONE);
                }
            }
        }
        usage.values().removeIf(amount -> amount.signum() == 0);
        return usage;
    }

    private static void pod(Pod pod, Instant now, Map<String, BigDecimal> usage) {
        usage.put("count/pods", ONE);
        if (!holdsResources(pod, now) || pod.getSpec() == null) {
            return;
        }
        usage.put(PODS, ONE);
        for (String resource : List.of("cpu", "memory", "ephemeral-storage")) {
            BigDecimal requested = podAmount(pod, false, resource);
            usage.put(resource, requested);
            usage.put("requests." + resource, requested);
            usage.put("limits." + resource, podAmount(pod, true, resource));
        }
    }

    /**
     * A pod holds its resources until it has finished, or, marked for deletion, until its grace period is over (a
     * pod stuck terminating on a lost node must not keep its namespace from scaling).
     */
    private static boolean holdsResources(Pod pod, Instant now) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return false;
        }
        String deletion = pod.getMetadata().getDeletionTimestamp();
        Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
        return deletion == null || grace == null || !now.isAfter(Instant.parse(deletion).plusSeconds(grace));
    }

    /** Its containers' sum, or its largest init container's when more, plus the pod's overhead. */
    private static BigDecimal podAmount(Pod pod, boolean limits, String resource) {
        BigDecimal sum = BigDecimal.ZERO;
        for (Container container : nonNull(pod.getSpec().getContainers())) {
            sum = sum.add(containerAmount(container, limits, resource));
        }
        for (Container container : nonNull(pod.getSpec().getInitContainers())) {
            sum = sum.max(containerAmount(container, limits, resource));
        }
        return sum.add(amount(pod.getSpec().getOverhead(), resource));
    }

    private static BigDecimal containerAmount(Container container, boolean limits, String resource) {
        if (container.getResources() == null) {
            return BigDecimal.ZERO;
        }
        return amount(limits ? container.getResources().getLimits() : container.getResources().getRequests(),
                resource);
    }

    private static void service(Service service, Map<String, BigDecimal> usage) {
        usage.put(SERVICES, ONE);
        usage.put("count/services", ONE);
        String type = service.getSpec() == null ? null : service.getSpec().getType();
        if ("NodePort".equals(type) || "LoadBalancer".equals(type)) {
            List<ServicePort> ports = nonNull(service.getSpec().getPorts());
            usage.put("services.nodeports", BigDecimal.valueOf(ports.size()));
        }
        if ("LoadBalancer".equals(type)) {
            usage.put("services.loadbalancers", ONE);
        }
    }

    private static void claim(PersistentVolumeClaim claim, Map<String, BigDecimal> usage) {
        usage.put(CLAIMS, ONE);
        usage.put("count/persistentvolumeclaims", ONE);
        if (claim.getSpec() != null && claim.getSpec().getResources() != null) {
            usage.put("requests.storage", amount(claim.getSpec().getResources().getRequests(), "storage"));
        }
    }

    private static BigDecimal amount(Map<String, Quantity> quantities, String name) {
        Quantity quantity = quantities == null ? null : quantities.get(name);
        if (quantity == null) {
            return BigDecimal.ZERO;
        }
        try {
            return Quantity.getAmountInBytes(quantity);
        } catch (IllegalArgumentException e) {
            return BigDecimal.ZERO; // the apiserver validated it; nothing sensible to add otherwise
        }
    }

    private static <T> List<T> nonNull(List<T> items) {
        return items == null ? List.of() : items;
    }
}
