package io.qube.quota;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One object's usage of the quota resources its kind is counted in: for a pod, itself ("pods" only while it has
 * not finished; "count/pods" always) and its requests and limits (containers summed, an init container's own when
 * larger, plus the overhead), with its requests of extended resources and huge pages; for a Service, itself, its
 * node ports and whether it is a load balancer; for a claim, itself and the storage it requests, also within its
 * storage class; for any other kind, itself under {@code count/<resource>} (and under the
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
    private static final String REQUESTS = "requests.";
    private static final String HUGE_PAGES = "hugepages-";
    /** A claim's usage within its storage class: "&lt;class&gt;" followed by these. */
    private static final String CLASS_STORAGE = ".storageclass.storage.k8s.io/requests.storage";
    private static final String CLASS_CLAIMS = ".storageclass.storage.k8s.io/persistentvolumeclaims";
    /** Core kinds a quota may count by their plain name as well as by count/&lt;name&gt;. */
    private static final Set<String> PLAIN_COUNTS = Set.of("configmaps", "secrets", "resourcequotas",
            "replicationcontrollers");
    private static final BigDecimal ONE = BigDecimal.ONE;
    private static final BigInteger KIBI = BigInteger.valueOf(1024);

    private ObjectUsage() {
    }

    /** The kind whose objects a quota resource counts ("pods" for requests.cpu), or null when none Qube knows. */
    public static String countedIn(String quotaResource) {
        if (POD_NAMES.contains(quotaResource) || quotaResource.startsWith(HUGE_PAGES)
                || quotaResource.startsWith(REQUESTS) && pooled(quotaResource.substring(REQUESTS.length()))) {
            return PODS;
        }
        if (SERVICE_NAMES.contains(quotaResource)) {
            return SERVICES;
        }
        if (CLAIM_NAMES.contains(quotaResource) || quotaResource.endsWith(CLASS_STORAGE)
                || quotaResource.endsWith(CLASS_CLAIMS)) {
            return CLAIMS;
        }
        if (PLAIN_COUNTS.contains(quotaResource)) {
            return quotaResource;
        }
        return quotaResource.startsWith("count/") ? quotaResource.substring("count/".length()) : null;
    }

    /** Whether objects of the kind are counted in the quota resource: whether a quota over it restricts them. */
    public static boolean counts(String kind, String quotaResource) {
        return kind.equals(countedIn(quotaResource));
    }

    /**
     * A resource a pod requests from a node's pool beyond cpu, memory and ephemeral storage, which quotas name by
     * "requests.&lt;name&gt;": an extended resource (a domain-prefixed name outside kubernetes.io) or huge pages.
     */
    private static boolean pooled(String resource) {
        return resource.startsWith(HUGE_PAGES) || resource.contains("/") && !resource.contains("kubernetes.io/")
                && !resource.startsWith(REQUESTS);
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
            usage.put(REQUESTS + resource, requested);
            usage.put("limits." + resource, podAmount(pod, true, resource));
        }
        Set<String> pooled = new TreeSet<>();
        for (Container container : allContainers(pod)) {
            if (container.getResources() != null && container.getResources().getRequests() != null) {
                container.getResources().getRequests().keySet().stream().filter(ObjectUsage::pooled)
                        .forEach(pooled::add);
            }
        }
        for (String resource : pooled) {
            BigDecimal requested = podAmount(pod, false, resource);
            usage.put(REQUESTS + resource, requested);
            if (resource.startsWith(HUGE_PAGES)) {
                usage.put(resource, requested);
            }
        }
    }

    private static List<Container> allContainers(Pod pod) {
        List<Container> all = new ArrayList<>(nonNull(pod.getSpec().getContainers()));
        all.addAll(nonNull(pod.getSpec().getInitContainers()));
        return all;
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

    /**
     * As Kubernetes sums a pod's resources: its containers and its sidecars (init containers that keep running),
     * or, when more, what runs while an init container does (it and the sidecars started before it), plus the pod's
     * overhead.
     */
    private static BigDecimal podAmount(Pod pod, boolean limits, String resource) {
        BigDecimal sum = BigDecimal.ZERO;
        for (Container container : nonNull(pod.getSpec().getContainers())) {
            sum = sum.add(containerAmount(container, limits, resource));
        }
        BigDecimal sidecars = BigDecimal.ZERO;
        BigDecimal initPeak = BigDecimal.ZERO;
        for (Container container : nonNull(pod.getSpec().getInitContainers())) {
            BigDecimal amount = containerAmount(container, limits, resource);
            if ("Always".equals(container.getRestartPolicy())) {
                sidecars = sidecars.add(amount);
            } else {
                initPeak = initPeak.max(sidecars.add(amount));
            }
        }
        return sum.add(sidecars).max(initPeak).add(amount(pod.getSpec().getOverhead(), resource));
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
        List<ServicePort> ports = service.getSpec() == null ? List.of() : nonNull(service.getSpec().getPorts());
        boolean allocates = !Boolean.FALSE.equals(service.getSpec() == null ? null
                : service.getSpec().getAllocateLoadBalancerNodePorts());
        if ("NodePort".equals(type) || "LoadBalancer".equals(type) && allocates) {
            usage.put("services.nodeports", BigDecimal.valueOf(ports.size()));
        } else if ("LoadBalancer".equals(type)) {
            // A load balancer without allocated node ports holds only those its ports name themselves.
            usage.put("services.nodeports", BigDecimal.valueOf(ports.stream()
                    .filter(port -> port.getNodePort() != null && port.getNodePort() != 0).count()));
        }
        if ("LoadBalancer".equals(type)) {
            usage.put("services.loadbalancers", ONE);
        }
    }

    private static void claim(PersistentVolumeClaim claim, Map<String, BigDecimal> usage) {
        usage.put(CLAIMS, ONE);
        usage.put("count/persistentvolumeclaims", ONE);
        BigDecimal storage = claim.getSpec() == null || claim.getSpec().getResources() == null ? BigDecimal.ZERO
                : amount(claim.getSpec().getResources().getRequests(), "storage");
        usage.put("requests.storage", storage);
        String storageClass = claim.getSpec() == null ? null : claim.getSpec().getStorageClassName();
        if (storageClass == null && claim.getMetadata().getAnnotations() != null) {
            storageClass = claim.getMetadata().getAnnotations().get("volume.beta.kubernetes.io/storage-class");
        }
        if (storageClass != null && !storageClass.isEmpty()) {
            usage.put(storageClass + CLASS_STORAGE, storage);
            usage.put(storageClass + CLASS_CLAIMS, ONE);
        }
    }

    /**
     * An amount of a quota resource as a quantity's text, in the notation Kubernetes keeps for it: memory, huge
     * pages and storage in Ki when whole ones fit (the apiserver stores it canonical: "2Gi"), anything else decimal.
     */
    public static String quantity(String resource, BigDecimal amount) {
        BigDecimal plain = amount.stripTrailingZeros();
        if ((resource.endsWith("memory") || resource.endsWith("storage") || resource.contains(HUGE_PAGES))
                && plain.signum() > 0 && plain.scale() <= 0) {
            BigInteger[] kibibytes = plain.toBigIntegerExact().divideAndRemainder(KIBI);
            if (kibibytes[1].signum() == 0) {
                return kibibytes[0] + "Ki";
            }
        }
        return plain.toPlainString();
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
