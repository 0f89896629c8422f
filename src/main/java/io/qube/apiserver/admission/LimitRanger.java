package io.qube.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Kubernetes' LimitRanger admission over a namespace's LimitRanges (as stored, so already defaulted). A new pod's
 * containers get the Container limits' default limits and requests they lack, recorded in the
 * {@value #ANNOTATION} annotation as Kubernetes words it; then every Container, Pod and PersistentVolumeClaim limit
 * is checked, and the violations, in Kubernetes' words, are what the caller refuses the write with.
 */
public final class LimitRanger {

    public static final String ANNOTATION = "kubernetes.io/limit-ranger";

    private LimitRanger() {
    }

    /** Fills defaults into a new pod and returns the violations (empty if it may be created). */
    public static List<String> admitPod(ObjectNode pod, List<JsonNode> limitRanges) {
        ObjectNode spec = pod.withObjectProperty("spec");
        List<ObjectNode> containers = objects(spec.path("containers"));
        List<ObjectNode> initContainers = objects(spec.path("initContainers"));
        // Kubernetes' pod defaulting, which runs before admission there: a limit without a request is the request.
        containers.forEach(LimitRanger::requestsFromLimits);
        initContainers.forEach(LimitRanger::requestsFromLimits);
        List<String> set = new ArrayList<>();
        for (JsonNode limitRange : limitRanges) {
            for (JsonNode item : limitRange.path("spec").path("limits")) {
                if (item.path("type").asText().equals("Container")) {
                    containers.forEach(c -> setDefaults(c, item, "container", set));
                    initContainers.forEach(c -> setDefaults(c, item, "init container", set));
                }
            }
        }
        if (!set.isEmpty()) {
            pod.withObjectProperty("metadata").withObjectProperty("annotations")
                    .put(ANNOTATION, "LimitRanger plugin set: " + String.join("; ", set));
        }
        Set<String> violations = new LinkedHashSet<>();
        for (JsonNode limitRange : limitRanges) {
            for (JsonNode item : limitRange.path("spec").path("limits")) {
                String type = item.path("type").asText();
                if (type.equals("Container")) {
                    for (ObjectNode container : concat(containers, initContainers)) {
                        JsonNode resources = container.path("resources");
                        check(type, item, resources.path("requests"), resources.path("limits"), false, violations);
                    }
                } else if (type.equals("Pod")) {
                    check(type, item, podTotal(containers, initContainers, "requests"),
                            podTotal(containers, initContainers, "limits"), false, violations);
                }
            }
        }
        return List.copyOf(violations);
    }

    /** The violations of a claim's storage request (a claim has no defaults to fill). */
    public static List<String> admitClaim(ObjectNode claim, List<JsonNode> limitRanges) {
        Set<String> violations = new LinkedHashSet<>();
        JsonNode requests = claim.path("spec").path("resources").path("requests");
        for (JsonNode limitRange : limitRanges) {
            for (JsonNode item : limitRange.path("spec").path("limits")) {
                if (item.path("type").asText().equals("PersistentVolumeClaim")) {
                    check("PersistentVolumeClaim", item, requests, JsonNodeFactory.instance.objectNode(), true, violations);
                }
            }
        }
        return List.copyOf(violations);
    }

    /** Kubernetes' aggregate of several errors: one as it is, more in brackets. */
    public static String message(List<String> violations) {
        return violations.size() == 1 ? violations.get(0) : "[" + String.join(", ", violations) + "]";
    }

    private static void requestsFromLimits(ObjectNode container) {
        JsonNode limits = container.path("resources").path("limits");
        if (limits.isObject() && !limits.isEmpty()) {
            ObjectNode requests = container.withObjectProperty("resources").withObjectProperty("requests");
            limits.properties().forEach(entry -> {
                if (!requests.has(entry.getKey())) {
                    requests.set(entry.getKey(), entry.getValue());
                }
            });
        }
    }

    private static void setDefaults(ObjectNode container, JsonNode item, String prefix, List<String> set) {
        Set<String> limits = fill(container, "limits", item.path("default"));
        Set<String> requests = fill(container, "requests", item.path("defaultRequest"));
        String name = container.path("name").asText();
        if (!requests.isEmpty()) {
            set.add(String.join(", ", requests) + " request for " + prefix + " " + name);
        }
        if (!limits.isEmpty()) {
            set.add(String.join(", ", limits) + " limit for " + prefix + " " + name);
        }
    }

    /** Copies the defaults the container lacks into its resources' list; returns the names set, sorted. */
    private static Set<String> fill(ObjectNode container, String list, JsonNode defaults) {
        Set<String> set = new TreeSet<>();
        if (!defaults.isObject() || defaults.isEmpty()) {
            return set;
        }
        ObjectNode target = container.withObjectProperty("resources").withObjectProperty(list);
        defaults.properties().forEach(entry -> {
            if (!target.has(entry.getKey())) {
                target.set(entry.getKey(), entry.getValue().deepCopy());
                set.add(entry.getKey());
            }
        });
        return set;
    }

    /**
     * One limit's min, max and maxLimitRequestRatio against the requests and limits of a container, a pod or a
     * claim ({@code requestOnly}: a claim's max applies to its request, as it has no limit).
     */
    private static void check(String type, JsonNode item, JsonNode requests, JsonNode limits, boolean requestOnly,
                              Set<String> violations) {
        item.path("min").properties().forEach(entry -> {
            String resource = entry.getKey();
            String enforced = text(entry.getValue());
            BigDecimal min = value(entry.getValue());
            JsonNode request = requests.get(resource);
            JsonNode limit = limits.get(resource);
            if (request == null) {
                violations.add("minimum " + resource + " usage per " + type + " is " + enforced
                        + ".  No request is specified");
            } else if (value(request).compareTo(min) < 0) {
                violations.add("minimum " + resource + " usage per " + type + " is " + enforced
                        + ", but request is " + text(request));
            } else if (limit != null && value(limit).compareTo(min) < 0) {
                violations.add("minimum " + resource + " usage per " + type + " is " + enforced
                        + ", but limit is " + text(limit));
            }
        });
        item.path("max").properties().forEach(entry -> {
            String resource = entry.getKey();
            String enforced = text(entry.getValue());
            BigDecimal max = value(entry.getValue());
            JsonNode request = requests.get(resource);
            JsonNode limit = requestOnly ? request : limits.get(resource);
            String missing = requestOnly ? "request" : "limit";
            if (limit == null) {
                violations.add("maximum " + resource + " usage per " + type + " is " + enforced
                        + ".  No " + missing + " is specified");
            } else if (value(limit).compareTo(max) > 0) {
                violations.add("maximum " + resource + " usage per " + type + " is " + enforced
                        + ", but " + missing + " is " + text(limit));
            } else if (request != null && value(request).compareTo(max) > 0) {
                violations.add("maximum " + resource + " usage per " + type + " is " + enforced
                        + ", but request is " + text(request));
            }
        });
        item.path("maxLimitRequestRatio").properties().forEach(entry -> {
            String resource = entry.getKey();
            String enforced = text(entry.getValue());
            JsonNode request = requests.get(resource);
            JsonNode limit = limits.get(resource);
            String prefix = resource + " max limit to request ratio per " + type + " is " + enforced;
            if (request == null || value(request).signum() == 0) {
                violations.add(prefix + ", but no request is specified or request is 0");
            } else if (limit == null || value(limit).signum() == 0) {
                violations.add(prefix + ", but no limit is specified or limit is 0");
            } else {
                BigDecimal ratio = value(limit).divide(value(request), 6, RoundingMode.HALF_EVEN);
                if (ratio.compareTo(value(entry.getValue())) > 0) {
                    violations.add(prefix + ", but provided ratio is " + ratio.toPlainString());
                }
            }
        });
    }

    /** A pod's requests or limits: its containers' sum, or an init container's own if larger. */
    private static JsonNode podTotal(List<ObjectNode> containers, List<ObjectNode> initContainers, String list) {
        Map<String, BigDecimal> total = new TreeMap<>();
        for (ObjectNode container : containers) {
            container.path("resources").path(list).properties()
                    .forEach(e -> total.merge(e.getKey(), value(e.getValue()), BigDecimal::add));
        }
        for (ObjectNode container : initContainers) {
            container.path("resources").path(list).properties()
                    .forEach(e -> total.merge(e.getKey(), value(e.getValue()), BigDecimal::max));
        }
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        total.forEach((name, amount) -> result.put(name,
                Quantities.canonical(new Quantity(amount.toPlainString())).toString()));
        return result;
    }

    private static BigDecimal value(JsonNode quantity) {
        return Quantities.value(new Quantity(quantity.asText())).orElse(BigDecimal.ZERO);
    }

    private static String text(JsonNode quantity) {
        return Quantities.canonical(new Quantity(quantity.asText())).toString();
    }

    private static List<ObjectNode> objects(JsonNode array) {
        List<ObjectNode> objects = new ArrayList<>();
        array.forEach(node -> {
            if (node instanceof ObjectNode object) {
                objects.add(object);
            }
        });
        return objects;
    }

    private static List<ObjectNode> concat(List<ObjectNode> first, List<ObjectNode> second) {
        List<ObjectNode> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
