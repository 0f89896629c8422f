package io.qube.client;

import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How a control-plane component runs for its Lease ({@code <component>.leader-election.*}). */
public interface LeaderElectionSettings {

    /** Off: this process acts as leader at once (one control plane only). */
    @WithDefault("true")
    boolean enabled();

    /**
     * How long a leader's lease holds without renewal; a standby takes over at most this plus its retry interval
     * (retryPeriod, with fabric8's jitter up to 2.2 times it) after the leader dies. Shorter than Kubernetes' 15 s
     * so that takeover stays within 15 s.
     */
    @WithDefault("10s")
    Duration leaseDuration();

    @WithDefault("7s")
    Duration renewDeadline();

    /**
     * Between renewals, and between a standby's tries. 1 s rather than Kubernetes' 2 s: a standby's jittered try
     * comes within 2.2 s after the lease lapses, leaving the new leader time to start within 15 s of a crash.
     */
    @WithDefault("1s")
    Duration retryPeriod();
}
