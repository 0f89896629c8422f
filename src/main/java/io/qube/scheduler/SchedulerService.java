package io.qube.scheduler;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.qube.client.LeaderElection;
import io.qube.client.LocalServer;
import io.qube.client.WatchEventDecoding;
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

import java.util.Set;

/**
 * Runs the scheduler in this process once its API is listening, as a client of that API like any other. With
 * several control planes, each runs for the Lease kube-system/kube-scheduler and only the holder schedules; when
 * it stops renewing, another takes over. {@code qube.scheduler.enabled=false} leaves scheduling to other processes.
 */
@ApplicationScoped
public class SchedulerService {

    private static final Logger LOG = Logger.getLogger(SchedulerService.class);
    static final String LEASE_NAME = "kube-scheduler";

    @Inject
    SchedulerSettings settings;

    @Inject
    ValueRegistry values;

    @Inject
    MeterRegistry registry;

    private KubernetesClient client;
    private SchedulerMetrics metrics;
    private LeaderElection election;
    private Scheduler scheduler;
    private boolean scheduling;
    private volatile boolean stopping;

    synchronized void start(@ObservesAsync HttpServerStart started) {
        if (!settings.enabled() || client != null) {
            return;
        }
        String url = LocalServer.url(values);
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(url)
                .withRequestTimeout(30_000).build())
                .withKubernetesSerialization(WatchEventDecoding.serialization()).build();
        metrics = new SchedulerMetrics(registry, settings.schedulerName());
        election = new LeaderElection(LEASE_NAME, settings.leaderElection(), registry, this::startScheduling,
                this::stopScheduling);
        standBy();
        election.start(client);
    }

    /** This process's election, null before the API listens (or when the component is off). */
    synchronized LeaderElection election() {
        return election;
    }

    /** A scheduler with synced informers, ready to schedule the moment this process wins the lease. */
    private synchronized void standBy() {
        if (scheduler != null || stopping) {
            return;
        }
        PluginRegistry.Profile profile = new PluginRegistry.Profile(settings.schedulerName(),
                settings.disabledPlugins().orElse(Set.of()), settings.weights(), strategy(settings.scoringStrategy()),
                settings.volumeBindTimeout());
        scheduler = new Scheduler(client, profile, settings.percentageOfNodesToScore(), metrics, election.identity());
        scheduler.startInformers();
    }

    private synchronized void startScheduling() {
        if (scheduling) {
            return;
        }
        standBy();
        scheduler.startScheduling();
        scheduling = true;
    }

    /** A former leader's queue and assumptions are dropped; it stands by again with fresh informers. */
    private synchronized void stopScheduling() {
        if (scheduling) {
            LOG.info("scheduler stopped: no longer the leader");
            scheduling = false;
            scheduler.close();
            scheduler = null;
            standBy();
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

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        if (election != null) {
            election.close();
        }
        synchronized (this) {
            if (scheduler != null) {
                scheduler.close();
                scheduler = null;
            }
        }
        if (client != null) {
            client.close();
        }
    }
}
