package io.qube.scheduler;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.qube.client.LocalServer;
import io.qube.scheduler.plugins.NodeResourcesFit;
import io.qube.scheduler.plugins.PluginRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.value.registry.ValueRegistry;
import io.quarkus.vertx.http.HttpServerStart;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the scheduler in this process once its API is listening, as a client of that API like any other. With
 * several control planes, each runs for the Lease kube-system/kube-scheduler and only the holder schedules; when
 * it stops renewing, another takes over. {@code qube.scheduler.enabled=false} leaves scheduling to other processes.
 */
@ApplicationScoped
public class SchedulerService {

    private static final Logger LOG = Logger.getLogger(SchedulerService.class);
    static final String LEASE_NAMESPACE = "kube-system";
    static final String LEASE_NAME = "kube-scheduler";

    @Inject
    SchedulerSettings settings;

    @Inject
    ValueRegistry values;

    @Inject
    MeterRegistry registry;

    private KubernetesClient client;
    private SchedulerMetrics metrics;
    private Scheduler scheduler;
    private CompletableFuture<?> election;
    private final AtomicInteger leading = new AtomicInteger();
    private volatile boolean stopped;

    synchronized void start(@ObservesAsync HttpServerStart started) {
        if (!settings.enabled() || client != null) {
            return;
        }
        String url = LocalServer.url(values);
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(url)
                .withRequestTimeout(30_000).build()).build();
        metrics = new SchedulerMetrics(registry, settings.schedulerName());
        Gauge.builder("leader.election.master.status", leading, AtomicInteger::get)
                .description("Whether this process is the scheduler's leader (1) or not (0).")
                .tag("name", LEASE_NAME).register(registry);
        String identity = identity();
        if (!settings.leaderElection().enabled()) {
            startScheduling(identity);
            return;
        }
        LeaderElector elector = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(LEASE_NAME)
                .withLock(new LeaseLock(LEASE_NAMESPACE, LEASE_NAME, identity))
                .withLeaseDuration(settings.leaderElection().leaseDuration())
                .withRenewDeadline(settings.leaderElection().renewDeadline())
                .withRetryPeriod(settings.leaderElection().retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(() -> startScheduling(identity), this::stopScheduling,
                        leader -> LOG.infof("scheduler leader is now %s", leader)))
                .build()).build();
        campaign(elector);
    }

    /** Runs for leadership again whenever it is lost, until shutdown, as a restarted kube-scheduler would. */
    private void campaign(LeaderElector elector) {
        election = elector.start();
        election.whenComplete((done, failure) -> {
            if (!stopped) {
                CompletableFuture.delayedExecutor(settings.leaderElection().retryPeriod().toMillis(),
                        TimeUnit.MILLISECONDS).execute(() -> campaign(elector));
            }
        });
    }

    private synchronized void startScheduling(String identity) {
        if (scheduler != null || stopped) {
            return;
        }
        PluginRegistry.Profile profile = new PluginRegistry.Profile(settings.schedulerName(),
                settings.disabledPlugins().orElse(Set.of()), settings.weights(), strategy(settings.scoringStrategy()));
        scheduler = new Scheduler(client, profile, settings.percentageOfNodesToScore(), metrics, identity);
        scheduler.start();
        leading.set(1);
    }

    private synchronized void stopScheduling() {
        leading.set(0);
        if (scheduler != null) {
            LOG.info("scheduler stopped: no longer the leader");
            scheduler.close();
            scheduler = null;
        }
    }

    private static NodeResourcesFit.Strategy strategy(String name) {
        return switch (name) {
            case "LeastAllocated" -> NodeResourcesFit.Strategy.LEAST_ALLOCATED;
            case "MostAllocated" -> NodeResourcesFit.Strategy.MOST_ALLOCATED;
            default -> throw new IllegalArgumentException("qube.scheduler.scoring-strategy must be LeastAllocated or "
                    + "MostAllocated, not " + name);
        };
    }

    /** host_uuid, as kube-scheduler names its lease holder. */
    private static String identity() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "qube";
        }
        return host + "_" + UUID.randomUUID();
    }

    synchronized void stop(@Observes ShutdownEvent event) {
        stopped = true;
        if (election != null) {
            election.cancel(true);
        }
        stopScheduling();
        if (client != null) {
            client.close();
        }
    }
}
