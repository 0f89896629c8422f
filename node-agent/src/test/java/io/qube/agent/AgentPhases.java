package io.qube.agent;

import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sums and counts of a cri benchmark node's kubelet histograms (its /metrics through the API's node proxy),
 * so that a benchmark shows where a measured round's time went in the agent: the difference of two scrapes.
 */
final class AgentPhases {

    private static final Pattern SAMPLE = Pattern.compile(
            "^(\\w+)_(sum|count)(?:\\{([^}]*)\\})? ([0-9.eE+-]+)$");
    private static final Pattern OPERATION = Pattern.compile("operation_type=\"([^\"]+)\"");

    /** By "name|operation|sum" or "name|operation|count"; operation "" for a histogram without one. */
    private final Map<String, Double> values;

    private AgentPhases(Map<String, Double> values) {
        this.values = values;
    }

    static AgentPhases scrape(KubernetesClient client) {
        Map<String, Double> values = new HashMap<>();
        String text = client.raw("/api/v1/nodes/" + CriStartupBenchmark.NODE + "/proxy/metrics");
        for (String line : text.lines().toList()) {
            Matcher sample = SAMPLE.matcher(line);
            if (sample.matches()) {
                Matcher operation = OPERATION.matcher(sample.group(3) == null ? "" : sample.group(3));
                values.put(key(sample.group(1), operation.find() ? operation.group(1) : null, sample.group(2)),
                        Double.parseDouble(sample.group(4)));
            }
        }
        return new AgentPhases(values);
    }

    private static String key(String histogram, String operation, String part) {
        return histogram + "|" + (operation == null ? "" : operation) + "|" + part;
    }

    AgentPhases since(AgentPhases before) {
        Map<String, Double> delta = new HashMap<>(values);
        before.values.forEach((key, value) -> delta.merge(key, -value, Double::sum));
        return new AgentPhases(delta);
    }

    long count(String histogram, String operation) {
        return Math.round(values.getOrDefault(key(histogram, operation, "count"), 0.0));
    }

    /** Total milliseconds observed. */
    double sum(String histogram, String operation) {
        return values.getOrDefault(key(histogram, operation, "sum"), 0.0) * 1000;
    }

    /** Mean milliseconds per observation (0: none). */
    double mean(String histogram, String operation) {
        long count = count(histogram, operation);
        return count == 0 ? 0 : sum(histogram, operation) / count;
    }
}
