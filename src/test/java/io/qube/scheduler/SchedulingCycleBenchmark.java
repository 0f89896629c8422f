package io.qube.scheduler;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.qube.client.ApiRequests;
import io.qube.client.EventRecorder;
import io.qube.scheduler.cache.SchedulerCache;
import io.qube.scheduler.framework.Framework;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Snapshot;
import io.qube.scheduler.plugins.Fixtures;
import io.qube.scheduler.plugins.Fixtures.PodMaker;
import io.qube.scheduler.plugins.TestHandle;
import io.qube.scheduler.queue.Nominations;
import io.qube.scheduler.queue.SchedulingQueue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.util.List;
import java.util.function.LongFunction;

import static io.qube.scheduler.plugins.Fixtures.HOSTNAME;
import static io.qube.scheduler.plugins.Fixtures.ZONE;

/**
 * The scheduling thread alone: {@link ScheduleOne} over a cache of hand-made nodes, with the pods of
 * {@code bench/scheduler.sh}'s cases (io.qube.bench.SchedulerBenchmark), one cycle after another on this thread. No API:
 * a placed pod stays assumed in the cache (its binding cycle is dropped), as the real scheduler counts it until the
 * informer confirms it; preemption's victims are taken out of the cache as their deletion would. Prints each case's
 * scheduling-thread CPU per pod, next to the same cases with every node filtered and scored
 * ({@code percentageOfNodesToScore} 100) as the baseline of the same run, so the end-to-end figures can be split
 * into the scheduler's share and the API's.
 *
 * <p>{@code bench/scheduler.sh --cycle [NODES [DIVISOR]]}.
 */
public final class SchedulingCycleBenchmark {

    private static final int ZONES = 10;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private record Case(String name, String namespace, int pods, LongFunction<PodMaker> pod) {
    }

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int divisor = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int pool = nodes / 5;
        List<Case> cases = List.of(
                new Case("basic", "basic", 10_000 / divisor, i -> pod("basic", i).label("app", "basic")),
                new Case("required pod anti-affinity (hostname)", "anti", 2000 / divisor, i -> pod("anti", i)
                        .label("color", "green").requiredAntiAffinity(Fixtures.podTerm(HOSTNAME, "color", "green"))),
                new Case("topology spreading (zone, maxSkew 1)", "spread", 5000 / divisor, i -> pod("spread", i)
                        .label("app", "spread").spread(1, ZONE, "DoNotSchedule", Fixtures.selector("app", "spread"))),
                new Case("preferred node affinity (zone-1)", "preferred", 5000 / divisor, i -> pod("preferred", i)
                        .preferredNodeAffinity(Fixtures.preferred(100, Fixtures.term(Fixtures.expr(ZONE, "In",
                                "zone-1"))))),
                new Case("preemption setup (3 cpu on each pool node)", "low", pool, i -> pooled("low", i, "3")),
                new Case("preemption (2 cpu, priority 1000)", "high", pool, i -> pooled("high", i, "2")
                        .priority(1000)));
        try (KubernetesClient nowhere = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:9").withRequestRetryBackoffLimit(0).build()).build()) {
            System.out.println("warm-up: the same cases once, on a fresh cache");
            runAll(nowhere, nodes, cases, 0);
            System.out.println("## Scheduling thread alone (SchedulingCycleBenchmark), " + nodes + " nodes, pods / "
                    + divisor + ", " + Runtime.getRuntime().availableProcessors() + " cores, load average "
                    + ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            System.out.println("| case | pods | ms/pod, percentageOfNodesToScore adaptive | ms/pod, every node "
                    + "(baseline) |");
            System.out.println("|---|---|---|---|");
            double[] adaptive = runAll(nowhere, nodes, cases, 0);
            double[] everyNode = runAll(nowhere, nodes, cases, 100);
            for (int i = 0; i < cases.size(); i++) {
                System.out.printf("| %s | %d | %.3f | %.3f |%n", cases.get(i).name(), cases.get(i).pods(),
                        adaptive[i], everyNode[i]);
            }
        }
    }

    /** Every case in turn on one fresh cache of {@code nodes} nodes; the scheduling thread's CPU ms per pod of each. */
    private static double[] runAll(KubernetesClient nowhere, int nodes, List<Case> cases, int percentage)
            throws InterruptedException {
        SchedulerCache cache = new SchedulerCache();
        int pool = nodes / 5;
        for (int i = 0; i < nodes; i++) {
            Fixtures.NodeMaker node = Fixtures.node("node-" + i).zone("zone-" + (i % ZONES)).cpu("4")
                    .memory("32Gi").pods(110);
            if (i >= nodes - pool) {
                node.label("bench/pool", "preemption").taint("bench/pool", "preemption", "NoSchedule");
            }
            cache.addOrUpdateNode(node.build());
        }
        Snapshot snapshot = new Snapshot();
        TestHandle handle = new TestHandle(snapshot);
        Framework framework = handle.defaultFramework();
        SchedulingQueue queue = new SchedulingQueue(Clock.systemUTC(), framework);
        ApiRequests api = new ApiRequests(nowhere);
        EventRecorder events = new EventRecorder(api, "default-scheduler", "bench");
        ScheduleOne scheduleOne = new ScheduleOne(framework, cache, queue, snapshot, new Nominations(),
                new PodWrites(api, events, "default-scheduler"), events,
                new SchedulerMetrics(new SimpleMeterRegistry(), "default-scheduler"), percentage, binding -> {
                });
        double[] msPerPod = new double[cases.size()];
        for (int c = 0; c < cases.size(); c++) {
            Case each = cases.get(c);
            long cpu = THREADS.getCurrentThreadCpuTime();
            for (long i = 0; i < each.pods(); i++) {
                PodInfo pod = each.pod().apply(i).info();
                queue.add(pod);
                scheduleOne.run(queue.pop());
                if (!cache.contains(pod.key())) {
                    // Preemption evicted victims: their deletion reaches the cache; the preemptor is tried again.
                    for (TestHandle.Eviction eviction : handle.evictions) {
                        cache.removePod(eviction.victim());
                    }
                    handle.evictions.clear();
                    queue.delete(pod.key());
                    queue.add(pod);
                    scheduleOne.run(queue.pop());
                    if (!cache.contains(pod.key())) {
                        throw new IllegalStateException(pod.key() + " was not scheduled");
                    }
                }
            }
            msPerPod[c] = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e6 / each.pods();
        }
        return msPerPod;
    }

    private static PodMaker pod(String namespace, long index) {
        return Fixtures.pod("p-" + index).namespace(namespace).requests("100m", "500Mi");
    }

    private static PodMaker pooled(String namespace, long index, String cpu) {
        return Fixtures.pod("p-" + index).namespace(namespace).label("app", namespace).requests(cpu, "1Gi")
                .nodeSelector("bench/pool", "preemption").tolerate("bench/pool", "Exists", null, "NoSchedule");
    }
}
