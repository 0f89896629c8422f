package io.qube.metrics;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the metrics API needs of a node agent's {@code /stats/summary}: the node's and each container's cpu rate and
 * memory working set at the time they were measured. A pod or container without a cpu rate yet (the agent has
 * sampled it once) is left out, as metrics-server leaves it out.
 */
record NodeSummary(Usage node, List<PodUsage> pods) {

    /** @param nanoCores cpu in billionths of a core */
    record Usage(Instant time, long nanoCores, long workingSetBytes) {
    }

    record ContainerUsage(String name, Usage usage) {
    }

    record PodUsage(String namespace, String name, Instant time, List<ContainerUsage> containers) {
    }

    static NodeSummary parse(JsonNode summary) {
        Usage node = usage(summary.path("node"));
        List<PodUsage> pods = new ArrayList<>();
        for (JsonNode pod : summary.path("pods")) {
            List<ContainerUsage> containers = new ArrayList<>();
            boolean complete = true;
            Instant newest = Instant.EPOCH;
            for (JsonNode container : pod.path("containers")) {
                Usage usage = usage(container);
                if (usage == null) {
                    complete = false;
                    break;
                }
                newest = usage.time().isAfter(newest) ? usage.time() : newest;
                containers.add(new ContainerUsage(container.path("name").asText(), usage));
            }
            if (complete && !containers.isEmpty()) {
                pods.add(new PodUsage(pod.path("podRef").path("namespace").asText(),
                        pod.path("podRef").path("name").asText(), newest, List.copyOf(containers)));
            }
        }
        return new NodeSummary(node, List.copyOf(pods));
    }

    /** Null when the figures are not all there. */
    private static Usage usage(JsonNode stats) {
        JsonNode cpu = stats.path("cpu");
        JsonNode memory = stats.path("memory");
        if (!cpu.path("usageNanoCores").isNumber() || !memory.path("workingSetBytes").isNumber()) {
            return null;
        }
        Instant time;
        try {
            time = Instant.parse(cpu.path("time").asText());
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
        return new Usage(time, cpu.path("usageNanoCores").asLong(), memory.path("workingSetBytes").asLong());
    }
}
