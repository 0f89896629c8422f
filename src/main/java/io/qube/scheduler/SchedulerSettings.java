package io.qube.scheduler;

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

    LeaderElection leaderElection();

    interface LeaderElection {
        @WithDefault("true")
        boolean enabled();

        /**
         * How long a leader's lease holds without renewal; a standby takes over at most this plus retryPeriod after
         * the leader dies. Shorter than kube-scheduler's 15 s so that takeover stays within 15 s.
         */
        @WithDefault("10s")
        Duration leaseDuration();

        @WithDefault("7s")
        Duration renewDeadline();

        @WithDefault("2s")
        Duration retryPeriod();
    }
}
