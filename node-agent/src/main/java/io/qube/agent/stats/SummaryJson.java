package io.qube.agent.stats;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.agent.stats.ResourceSampler.ContainerSample;
import io.qube.agent.stats.ResourceSampler.PodSample;
import io.qube.agent.stats.ResourceSampler.Reading;
import io.qube.agent.stats.ResourceSampler.Snapshot;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The kubelet's {@code /stats/summary} (stats/v1alpha1 Summary) from a sample: the node, then each pod with its
 * containers; a pod's figures are its containers' sums. Figures not yet known (the cpu rate before a second
 * sample) are left out, as the kubelet leaves them out.
 */
public final class SummaryJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SummaryJson() {
    }

    public static ObjectNode of(String nodeName, Snapshot snapshot, long nodeMemoryBytes) {
        ObjectNode summary = MAPPER.createObjectNode();
        ObjectNode node = summary.putObject("node");
        node.put("nodeName", nodeName);
        node.putArray("systemContainers");
        node.put("startTime", time(snapshot.nodeStart()));
        if (snapshot.node() != null) {
            cpu(node.putObject("cpu"), snapshot.node().time(), snapshot.node().usage().cpuNanos(),
                    snapshot.node().nanoCores());
            ObjectNode memory = memory(node.putObject("memory"), snapshot.node().time(),
                    snapshot.node().usage().usageBytes(), snapshot.node().usage().workingSetBytes(),
                    snapshot.node().usage().rssBytes());
            if (nodeMemoryBytes > 0) {
                memory.put("availableBytes", Math.max(0, nodeMemoryBytes - snapshot.node().usage().workingSetBytes()));
            }
        }
        ArrayNode pods = summary.putArray("pods");
        for (PodSample pod : snapshot.pods()) {
            pods.add(pod(pod));
        }
        return summary;
    }

    private static ObjectNode pod(PodSample pod) {
        ObjectNode json = MAPPER.createObjectNode();
        ObjectNode ref = json.putObject("podRef");
        ref.put("name", pod.name());
        ref.put("namespace", pod.namespace());
        ref.put("uid", pod.uid());
        Instant start = pod.containers().stream().map(ContainerSample::startedAt)
                .filter(java.util.Objects::nonNull).min(Instant::compareTo).orElse(null);
        if (start != null) {
            json.put("startTime", time(start));
        }
        ArrayNode containers = json.putArray("containers");
        Instant time = Instant.EPOCH;
        long cpu = 0;
        Long nanoCores = 0L;
        long usage = 0;
        long workingSet = 0;
        long rss = 0;
        for (ContainerSample container : pod.containers()) {
            Reading reading = container.reading();
            ObjectNode entry = containers.addObject();
            entry.put("name", container.name());
            if (container.startedAt() != null) {
                entry.put("startTime", time(container.startedAt()));
            }
            cpu(entry.putObject("cpu"), reading.time(), reading.usage().cpuNanos(), reading.nanoCores());
            memory(entry.putObject("memory"), reading.time(), reading.usage().usageBytes(),
                    reading.usage().workingSetBytes(), reading.usage().rssBytes());
            time = reading.time().isAfter(time) ? reading.time() : time;
            cpu += reading.usage().cpuNanos();
            nanoCores = nanoCores == null || reading.nanoCores() == null ? null : nanoCores + reading.nanoCores();
            usage += reading.usage().usageBytes();
            workingSet += reading.usage().workingSetBytes();
            rss += reading.usage().rssBytes();
        }
        cpu(json.putObject("cpu"), time, cpu, nanoCores);
        memory(json.putObject("memory"), time, usage, workingSet, rss);
        return json;
    }

    private static void cpu(ObjectNode cpu, Instant time, long coreNanoSeconds, Long nanoCores) {
        cpu.put("time", time(time));
        if (nanoCores != null) {
            cpu.put("usageNanoCores", nanoCores);
        }
        cpu.put("usageCoreNanoSeconds", coreNanoSeconds);
    }

    private static ObjectNode memory(ObjectNode memory, Instant time, long usage, long workingSet, long rss) {
        memory.put("time", time(time));
        memory.put("usageBytes", usage);
        memory.put("workingSetBytes", workingSet);
        memory.put("rssBytes", rss);
        return memory;
    }

    /** metav1.Time: RFC 3339 in whole seconds. */
    static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
