package io.qube.agent.stats;

import io.qube.agent.runtime.ContainerRuntime;
import io.qube.agent.runtime.ContainerStatus;
import io.qube.agent.runtime.ContainerUsage;
import io.qube.agent.runtime.SandboxStatus;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples the node and every running container on a timer of its own, as cadvisor's housekeeping does (every 10 s
 * by default), and keeps the latest sample with the one before it per container, so that the cpu rate is known
 * between two samples. Requests read the latest snapshot and never wait for the cgroups.
 */
public final class ResourceSampler implements AutoCloseable {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    private static final Logger LOG = Logger.getLogger(ResourceSampler.class);

    private final ContainerRuntime runtime;
    private final NodeUsage node;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "resource-sampler");
        thread.setDaemon(true);
        return thread;
    });
    private final Instant nodeStart;
    /** Written by the timer thread only. */
    private Map<String, Reading> previous = Map.of();
    private Reading previousNode;
    private volatile Snapshot latest;

    public ResourceSampler(ContainerRuntime runtime, NodeUsage node, Instant nodeStart) {
        this.runtime = runtime;
        this.node = node;
        this.nodeStart = nodeStart;
        this.latest = new Snapshot(nodeStart, null, List.of(), true);
    }

    public ResourceSampler start(Duration interval) {
        timer.scheduleWithFixedDelay(this::sampleQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** The latest sample (before the first: no node figures and no pods). */
    public Snapshot latest() {
        return latest;
    }

    private void sampleQuietly() {
        try {
            sample();
        } catch (RuntimeException e) {
            LOG.warnf(e, "sampling the node's resource use failed");
        }
    }

    /** Takes one sample of the node and every running container; public for tests that drive it themselves. */
    public synchronized Snapshot sample() {
        boolean complete = true;
        Reading nodeReading = null;
        try {
            nodeReading = Reading.of(node.read(), previousNode);
            previousNode = nodeReading;
        } catch (IOException | RuntimeException e) {
            LOG.debugf("no node figures: %s", e.getMessage());
            complete = false;
        }
        Map<String, Reading> readings = new HashMap<>();
        List<PodSample> pods = new ArrayList<>();
        List<SandboxStatus> sandboxes;
        try {
            sandboxes = runtime.sandboxes();
        } catch (IOException e) {
            LOG.debugf("no pod figures: %s", e.getMessage());
            sandboxes = List.of();
            complete = false;
        }
        // One call for every running container: a CRI runtime answers it with one ListContainerStats.
        List<String> running = sandboxes.stream().flatMap(sandbox -> sandbox.containers().stream())
                .filter(ContainerStatus::running).map(ContainerStatus::id).toList();
        Map<String, ContainerUsage> usages = Map.of();
        if (!running.isEmpty()) {
            try {
                usages = runtime.usage(running);
            } catch (IOException | RuntimeException e) {
                LOG.debugf("no container figures: %s", e.getMessage());
                complete = false;
            }
        }
        for (SandboxStatus sandbox : sandboxes) {
            List<ContainerSample> containers = new ArrayList<>();
            for (ContainerStatus container : sandbox.containers()) {
                ContainerUsage usage = container.running() ? usages.get(container.id()) : null;
                if (usage == null) {
                    continue;
                }
                Reading reading = Reading.of(usage, previous.get(container.id()));
                readings.put(container.id(), reading);
                containers.add(new ContainerSample(container.name(), container.startedAt(), reading));
            }
            if (!containers.isEmpty() && sandbox.name() != null) {
                pods.add(new PodSample(sandbox.namespace(), sandbox.name(), sandbox.sandbox().podUid(), containers));
            }
        }
        previous = readings;
        Snapshot snapshot = new Snapshot(nodeStart, nodeReading, List.copyOf(pods), !complete);
        latest = snapshot;
        return snapshot;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /**
     * One measurement with the cpu rate since the one before it.
     *
     * @param nanoCores cpu use between the previous reading and this one in billionths of a core; null for a first
     *                  reading (or a counter that went back: a new cgroup under the same id)
     */
    public record Reading(Instant time, long monotonicNanos, ContainerUsage usage, Long nanoCores) {

        static Reading of(ContainerUsage usage, Reading before) {
            long now = System.nanoTime();
            Long rate = null;
            if (before != null && now > before.monotonicNanos() && usage.cpuNanos() >= before.usage().cpuNanos()) {
                rate = Math.round((usage.cpuNanos() - before.usage().cpuNanos()) * 1e9
                        / (now - before.monotonicNanos()));
            }
            return new Reading(Instant.now(), now, usage, rate);
        }
    }

    public record ContainerSample(String name, Instant startedAt, Reading reading) {
    }

    public record PodSample(String namespace, String name, String uid, List<ContainerSample> containers) {
    }

    /**
     * @param node   null until the node could be read
     * @param failed whether part of the sample could not be taken (the resource metrics' scrape_error)
     */
    public record Snapshot(Instant nodeStart, Reading node, List<PodSample> pods, boolean failed) {
    }
}
