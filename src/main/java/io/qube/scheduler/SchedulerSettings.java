package io.qube.scheduler;

import io.qube.client.LeaderElectionSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The scheduler's configuration ({@code qube.scheduler.*}): whether it runs here, its profile, leader election. */
@ConfigMapping(prefix = "qube.scheduler")
public interface SchedulerSettings {

    /** Whether this process runs the scheduler (it still waits to be leader to schedule). */
    @WithDefault("true")
    boolean enabled();

    /** Pods whose spec.schedulerName is this are scheduled; others are left to their scheduler. */
    @WithDefault("default-scheduler")
    String schedulerName();

    /** Share of the nodes to find feasible before scoring, 1-100; 0 lets it shrink with the cluster as Kubernetes does. */
    @WithDefault("0")
    int percentageOfNodesToScore();

    /** NodeResourcesFit's scoring: LeastAllocated (spread) or MostAllocated (pack). */
    @WithDefault("LeastAllocated")
    String scoringStrategy();

    /** Plugins left out of the profile, by name. */
    Optional<Set<String>> disabledPlugins();

    /** Score weights by plugin name, over Kubernetes' defaults. */
    Map<String, Integer> weights();

    /**
     * How long VolumeBinding's PreBind waits for a pod's claims to be bound (Kubernetes' bindTimeoutSeconds) before
     * the pod goes back to the queue.
     */
    @WithDefault("600s")
    Duration volumeBindTimeout();

    /** On the Lease kube-system/kube-scheduler. */
    LeaderElectionSettings leaderElection();
}
