package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeItem;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.qube.apiserver.registry.FieldErrors;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Kubernetes' validation of a LimitRange (min &lt;= defaultRequest &lt;= default &lt;= max per resource, ratios of
 * at least 1 and within max/min) and of a ResourceQuota (known resource names, whole non-negative counts, known
 * scopes), with its messages and field paths.
 */
final class QuotaValidation {

    private static final List<String> LIMIT_TYPES = List.of("Pod", "Container", "PersistentVolumeClaim");
    private static final Set<String> STANDARD_RESOURCES = Set.of("cpu", "memory", "requests.cpu", "requests.memory",
            "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods",
            "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims",
            "storage", "requests.storage", "services.nodeports", "services.loadbalancers", "ephemeral-storage");
    private static final Set<String> CONTAINER_RESOURCES = Set.of("cpu", "memory", "ephemeral-storage");
    private static final Set<String> QUOTA_RESOURCES = Set.of("pods", "services", "replicationcontrollers",
            "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims", "services.nodeports",
            "services.loadbalancers", "cpu", "memory", "requests.cpu", "requests.memory", "requests.storage",
            "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
            "ephemeral-storage");
    /** Resources counted in whole objects, whose quota must be an integer. */
    private static final Set<String> COUNTED = Set.of("pods", "services", "replicationcontrollers", "resourcequotas",
            "secrets", "configmaps", "persistentvolumeclaims", "services.nodeports", "services.loadbalancers");
    private static final List<String> SCOPES = List.of("Terminating", "NotTerminating", "BestEffort",
            "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity");

    private QuotaValidation() {
    }

    static void limitRange(LimitRange limitRange, LimitRange old, FieldErrors errors) {
        List<LimitRangeItem> items = limitRange.getSpec() == null ? List.of()
                : NullSafe.list(limitRange.getSpec().getLimits());
        Set<String> types = new TreeSet<>();
        for (int i = 0; i < items.size(); i++) {
            limitRangeItem(items.get(i), "spec.limits[" + i + "]", types, errors);
        }
    }

    private static void limitRangeItem(LimitRangeItem item, String path, Set<String> types, FieldErrors errors) {
        String type = NullSafe.string(item.getType());
        limitType(type, path + ".type", errors);
        if (!types.add(type)) {
            errors.duplicate(path + ".type", type);
        }
        Map<String, Quantity> min = NullSafe.map(item.getMin());
        Map<String, Quantity> max = NullSafe.map(item.getMax());
        Map<String, Quantity> defaults = NullSafe.map(item.getDefault());
        Map<String, Quantity> defaultRequests = NullSafe.map(item.getDefaultRequest());
        Map<String, Quantity> ratios = NullSafe.map(item.getMaxLimitRequestRatio());
        Set<String> resources = new TreeSet<>();
        resources.addAll(limitResources(type, max, path + ".max", errors));
        resources.addAll(limitResources(type, min, path + ".min", errors));
        if (type.equals("Pod")) {
            if (!defaults.isEmpty()) {
                errors.forbidden(path + ".default", "may not be specified when `type` is 'Pod'");
            }
            if (!defaultRequests.isEmpty()) {
                errors.forbidden(path + ".defaultRequest", "may not be specified when `type` is 'Pod'");
            }
        } else {
            resources.addAll(limitResources(type, defaults, path + ".default", errors));
            resources.addAll(limitResources(type, defaultRequests, path + ".defaultRequest", errors));
        }
        if (type.equals("PersistentVolumeClaim") && !min.containsKey("storage") && !max.containsKey("storage")) {
            errors.required(path + ".limits",
                    "either minimum or maximum storage value is required, but neither was provided");
        }
        resources.addAll(limitResources(type, ratios, path + ".maxLimitRequestRatio", errors));
        for (String resource : resources) {
            orderedBounds(resource, item, path, errors);
        }
    }

    /** The checks between one resource's min, max, default, default request and ratio. */
    private static void orderedBounds(String resource, LimitRangeItem item, String path, FieldErrors errors) {
        Bound min = Bound.of(item.getMin(), resource);
        Bound max = Bound.of(item.getMax(), resource);
        Bound limit = Bound.of(item.getDefault(), resource);
        Bound request = Bound.of(item.getDefaultRequest(), resource);
        Bound ratio = Bound.of(item.getMaxLimitRequestRatio(), resource);
        String key = "[" + resource + "]";
        if (min.exceeds(max)) {
            errors.invalid(path + ".min" + key, min.text(), "min value " + min.text() + " is greater than max value "
                    + max.text());
        }
        if (min.exceeds(request)) {
            errors.invalid(path + ".defaultRequest" + key, request.text(), "min value " + min.text()
                    + " is greater than default request value " + request.text());
        }
        if (request.exceeds(max)) {
            errors.invalid(path + ".defaultRequest" + key, request.text(), "default request value " + request.text()
                    + " is greater than max value " + max.text());
        }
        if (request.exceeds(limit)) {
            errors.invalid(path + ".defaultRequest" + key, request.text(), "default request value " + request.text()
                    + " is greater than default limit value " + limit.text());
        }
        if (min.exceeds(limit)) {
            errors.invalid(path + ".default" + key, min.text(), "min value " + min.text()
                    + " is greater than default value " + limit.text());
        }
        if (limit.exceeds(max)) {
            errors.invalid(path + ".default" + key, max.text(), "default value " + limit.text()
                    + " is greater than max value " + max.text());
        }
        if (ratio.value().isPresent() && ratio.value().get().compareTo(BigDecimal.ONE) < 0) {
            errors.invalid(path + ".maxLimitRequestRatio" + key, ratio.text(), "ratio " + ratio.text()
                    + " is less than 1");
        }
        if (ratio.value().isPresent() && min.value().isPresent() && max.value().isPresent()
                && min.value().get().signum() > 0) {
            BigDecimal largest = max.value().get().divide(min.value().get(), 6, RoundingMode.HALF_EVEN);
            if (ratio.value().get().compareTo(largest) > 0) {
                errors.invalid(path + ".maxLimitRequestRatio" + key, ratio.text(), "ratio " + ratio.text()
                        + " is greater than max/min = " + largest.toPlainString());
            }
        }
        if (!ContainerValidation.overcommittable(resource) && limit.value().isPresent() && request.value().isPresent()
                && limit.value().get().compareTo(request.value().get()) != 0) {
            errors.invalid(path + ".defaultRequest" + key, request.text(), "default value " + limit.text()
                    + " must equal to defaultRequest value " + request.text() + " in " + resource);
        }
    }

    /** One resource's quantity in one of a limit's lists, if given and well formed. */
    private record Bound(Quantity quantity, Optional<BigDecimal> value) {

        static Bound of(Map<String, Quantity> quantities, String resource) {
            Quantity quantity = NullSafe.map(quantities).get(resource);
            return new Bound(quantity, Quantities.value(quantity));
        }

        boolean exceeds(Bound other) {
            return value.isPresent() && other.value.isPresent() && value.get().compareTo(other.value.get()) > 0;
        }

        String text() {
            return quantity == null ? "" : Quantities.canonical(quantity).toString();
        }
    }

    static void resourceQuota(ResourceQuota quota, ResourceQuota old, FieldErrors errors) {
        if (quota.getSpec() != null) {
            quotaResources(quota.getSpec().getHard(), "spec.hard", errors);
            List<String> scopes = NullSafe.list(quota.getSpec().getScopes());
            Set<String> seen = new TreeSet<>();
            for (String scope : scopes) {
                if (!SCOPES.contains(scope)) {
                    errors.invalid("spec.scopes", scope, "unsupported scope");
                }
                if (!seen.add(scope)) {
                    errors.invalid("spec.scopes", scope, "duplicate scope");
                }
            }
            if (seen.contains("Terminating") && seen.contains("NotTerminating")) {
                errors.invalid("spec.scopes", scopes.toString(), "conflicting scopes");
            }
            if (seen.contains("BestEffort") && seen.contains("NotBestEffort")) {
                errors.invalid("spec.scopes", scopes.toString(), "conflicting scopes");
            }
        }
        if (quota.getStatus() != null) {
            quotaResources(quota.getStatus().getHard(), "status.hard", errors);
            quotaResources(quota.getStatus().getUsed(), "status.used", errors);
        }
    }

    private static void quotaResources(Map<String, Quantity> quantities, String path, FieldErrors errors) {
        NullSafe.map(quantities).forEach((resource, quantity) -> {
            String at = path + "[" + resource + "]";
            if (resourceName(resource, at, errors) && !resource.contains("/") && !QUOTA_RESOURCES.contains(resource)) {
                errors.invalid(at, resource, "must be a standard resource for quota");
            }
            Optional<BigDecimal> value = ContainerValidation.quantity(quantity, at, errors);
            if (value.isPresent() && value.get().signum() >= 0 && counted(resource)
                    && value.get().stripTrailingZeros().scale() > 0) {
                errors.invalid(at, quantity.toString(), "must be an integer");
            }
        });
    }

    private static boolean counted(String resource) {
        return COUNTED.contains(resource) || resource.startsWith("count/");
    }

    private static void limitType(String type, String path, FieldErrors errors) {
        List<String> problems = NameSyntax.qualifiedName(type);
        problems.forEach(problem -> errors.invalid(path, type, problem));
        if (problems.isEmpty() && !type.contains("/") && !LIMIT_TYPES.contains(type)) {
            errors.invalid(path, type, "must be a standard limit type or fully qualified");
        }
    }

    /** Checks a list's resource names for the limit's type and returns them. */
    private static Set<String> limitResources(String type, Map<String, Quantity> quantities, String path,
                                              FieldErrors errors) {
        for (String resource : quantities.keySet()) {
            String at = path + "[" + resource + "]";
            if (resourceName(resource, at, errors) && (type.equals("Pod") || type.equals("Container"))
                    && !resource.contains("/") && !CONTAINER_RESOURCES.contains(resource)
                    && !resource.startsWith("hugepages-")) {
                errors.invalid(at, resource, "must be a standard resource for containers");
            }
        }
        return quantities.keySet();
    }

    /** A qualified name, and a standard one unless it has a domain; false when a problem was reported. */
    private static boolean resourceName(String resource, String path, FieldErrors errors) {
        List<String> problems = NameSyntax.qualifiedName(resource);
        problems.forEach(problem -> errors.invalid(path, resource, problem));
        if (!problems.isEmpty()) {
            return false;
        }
        if (!resource.contains("/") && !STANDARD_RESOURCES.contains(resource) && !resource.startsWith("hugepages-")
                && !resource.startsWith("requests.hugepages-")) {
            errors.invalid(path, resource, "must be a standard resource type or fully qualified");
            return false;
        }
        return true;
    }
}
