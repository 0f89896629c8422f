package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The downward API's values (env {@code fieldRef}/{@code resourceFieldRef} and {@code downwardAPI} volume items),
 * as the kubelet renders them: labels and annotations as {@code key="value"} lines, resources rounded up to
 * the divisor, an unset limit as the node's allocatable.
 */
final class DownwardValues {

    private static final Pattern MAP_KEY = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]");

    private final Pod pod;
    private final String podIp;
    private final String hostIp;
    private final Map<String, Quantity> allocatable;

    DownwardValues(Pod pod, String podIp, String hostIp, Map<String, Quantity> allocatable) {
        this.pod = pod;
        this.podIp = podIp;
        this.hostIp = hostIp;
        this.allocatable = allocatable;
    }

    String field(ObjectFieldSelector selector) throws MissingSource {
        String path = selector.getFieldPath();
        var metadata = pod.getMetadata();
        Matcher key = MAP_KEY.matcher(path);
        if (key.matches()) {
            Map<String, String> map = key.group(1).equals("labels") ? metadata.getLabels() : metadata.getAnnotations();
            return map == null ? "" : map.getOrDefault(key.group(2), "");
        }
        return switch (path) {
            case "metadata.name" -> metadata.getName();
            case "metadata.namespace" -> metadata.getNamespace();
            case "metadata.uid" -> metadata.getUid();
            case "metadata.labels" -> lines(metadata.getLabels());
            case "metadata.annotations" -> lines(metadata.getAnnotations());
            case "spec.nodeName" -> pod.getSpec().getNodeName();
            case "spec.serviceAccountName" -> orEmpty(pod.getSpec().getServiceAccountName());
            case "status.podIP", "status.podIPs" -> orEmpty(podIp);
            case "status.hostIP", "status.hostIPs" -> orEmpty(hostIp);
            default -> throw new MissingSource("unsupported fieldPath: " + path);
        };
    }

    /** @param container the container the env belongs to; a selector's containerName wins */
    String resource(ResourceFieldSelector selector, Container container) throws MissingSource {
        Container target = container;
        if (selector.getContainerName() != null && !selector.getContainerName().isEmpty()) {
            target = Stream.concat(pod.getSpec().getContainers().stream(), pod.getSpec().getInitContainers().stream())
                    .filter(c -> c.getName().equals(selector.getContainerName())).findFirst()
                    .orElseThrow(() -> new MissingSource("container " + selector.getContainerName() + " not found"));
        }
        if (target == null) {
            throw new MissingSource("resourceFieldRef " + selector.getResource() + " names no container");
        }
        String[] parts = selector.getResource().split("\\.", 2);
        if (parts.length != 2) {
            throw new MissingSource("unsupported resource: " + selector.getResource());
        }
        var resources = target.getResources();
        Map<String, Quantity> limits = resources == null || resources.getLimits() == null ? Map.of()
                : resources.getLimits();
        Map<String, Quantity> requests = resources == null || resources.getRequests() == null ? Map.of()
                : resources.getRequests();
        Quantity value = parts[0].equals("limits") ? limits.get(parts[1])
                : requests.getOrDefault(parts[1], limits.get(parts[1]));
        if (value == null) {
            value = parts[0].equals("limits") ? allocatable.get(parts[1]) : new Quantity("0");
        }
        if (value == null) {
            throw new MissingSource("unsupported resource: " + selector.getResource());
        }
        Quantity divisor = selector.getDivisor() == null ? new Quantity("1") : selector.getDivisor();
        BigDecimal amount = Quantity.getAmountInBytes(value);
        BigDecimal unit = Quantity.getAmountInBytes(divisor);
        if (unit.signum() == 0) {
            throw new MissingSource("the divisor of " + selector.getResource() + " is zero");
        }
        return amount.divide(unit, 0, RoundingMode.CEILING).toPlainString();
    }

    private static String lines(Map<String, String> map) {
        if (map == null) {
            return "";
        }
        return map.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(entry -> entry.getKey() + "=\"" + entry.getValue().replace("\\", "\\\\").replace("\"", "\\\"")
                        .replace("\n", "\\n") + "\"")
                .collect(Collectors.joining("\n"));
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
