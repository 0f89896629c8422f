package io.qube.agent.stats;

import io.qube.agent.stats.ResourceSampler.ContainerSample;
import io.qube.agent.stats.ResourceSampler.PodSample;
import io.qube.agent.stats.ResourceSampler.Reading;
import io.qube.agent.stats.ResourceSampler.Snapshot;

/**
 * The kubelet's {@code /metrics/resource} in the Prometheus text format, from a sample: the same series names and
 * labels ({@code container}, {@code namespace}, {@code pod}), each value stamped with the time it was measured.
 */
public final class ResourceMetricsText {

    private ResourceMetricsText() {
    }

    public static String of(Snapshot snapshot) {
        StringBuilder text = new StringBuilder();
        family(text, "container_cpu_usage_seconds_total", "counter", "cpu time the container used, in core-seconds");
        for (PodSample pod : snapshot.pods()) {
            for (ContainerSample container : pod.containers()) {
                line(text, "container_cpu_usage_seconds_total", containerLabels(pod, container),
                        seconds(container.reading().usage().cpuNanos()), container.reading());
            }
        }
        family(text, "container_memory_working_set_bytes", "gauge", "the container's working set in bytes");
        for (PodSample pod : snapshot.pods()) {
            for (ContainerSample container : pod.containers()) {
                line(text, "container_memory_working_set_bytes", containerLabels(pod, container),
                        Long.toString(container.reading().usage().workingSetBytes()), container.reading());
            }
        }
        family(text, "container_start_time_seconds", "gauge", "when the container started, in seconds since the epoch");
        for (PodSample pod : snapshot.pods()) {
            for (ContainerSample container : pod.containers()) {
                if (container.startedAt() != null) {
                    line(text, "container_start_time_seconds", containerLabels(pod, container),
                            seconds(container.startedAt().getEpochSecond() * 1_000_000_000L
                                    + container.startedAt().getNano()), container.reading());
                }
            }
        }
        if (snapshot.node() != null) {
            family(text, "node_cpu_usage_seconds_total", "counter", "cpu time the node used, in core-seconds");
            line(text, "node_cpu_usage_seconds_total", "", seconds(snapshot.node().usage().cpuNanos()),
                    snapshot.node());
            family(text, "node_memory_working_set_bytes", "gauge", "the node's working set in bytes");
            line(text, "node_memory_working_set_bytes", "", Long.toString(snapshot.node().usage().workingSetBytes()),
                    snapshot.node());
        }
        family(text, "pod_cpu_usage_seconds_total", "counter", "cpu time the pod used, in core-seconds");
        for (PodSample pod : snapshot.pods()) {
            long cpu = pod.containers().stream().mapToLong(c -> c.reading().usage().cpuNanos()).sum();
            line(text, "pod_cpu_usage_seconds_total", podLabels(pod), seconds(cpu), newest(pod));
        }
        family(text, "pod_memory_working_set_bytes", "gauge", "the pod's working set in bytes");
        for (PodSample pod : snapshot.pods()) {
            long memory = pod.containers().stream().mapToLong(c -> c.reading().usage().workingSetBytes()).sum();
            line(text, "pod_memory_working_set_bytes", podLabels(pod), Long.toString(memory), newest(pod));
        }
        family(text, "scrape_error", "gauge", "1 when part of the node's figures could not be read, else 0");
        text.append("scrape_error ").append(snapshot.failed() ? 1 : 0).append('\n');
        return text.toString();
    }

    private static Reading newest(PodSample pod) {
        return pod.containers().stream().map(ContainerSample::reading)
                .max(java.util.Comparator.comparing(Reading::time)).orElseThrow();
    }

    private static void family(StringBuilder text, String name, String type, String help) {
        text.append("# HELP ").append(name).append(' ').append(help).append('\n');
        text.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void line(StringBuilder text, String name, String labels, String value, Reading reading) {
        text.append(name).append(labels).append(' ').append(value).append(' ')
                .append(reading.time().toEpochMilli()).append('\n');
    }

    private static String containerLabels(PodSample pod, ContainerSample container) {
        return "{container=\"" + escape(container.name()) + "\",namespace=\"" + escape(pod.namespace())
                + "\",pod=\"" + escape(pod.name()) + "\"}";
    }

    private static String podLabels(PodSample pod) {
        return "{namespace=\"" + escape(pod.namespace()) + "\",pod=\"" + escape(pod.name()) + "\"}";
    }

    private static String seconds(long nanos) {
        return java.math.BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
