package io.qube.client;

import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How a control-plane component runs for its Lease ({@code <component>.leader-election.*}). */
public interface LeaderElectionSettings {

    /** Off: this process acts as leader at once (one control plane only). */
    @WithDefault("true")
    boolean enabled();

    /**
     * How long a leader's lease holds without renewal; a standby takes over at most this plus retryPeriod after
     * the leader dies. Shorter than Kubernetes' 15 s so that takeover stays within 15 s.
     */
    @WithDefault("10s")
    Duration leaseDuration();

    @WithDefault("7s")
    Duration renewDeadline();

    @WithDefault("2s")
    Duration retryPeriod();
}
