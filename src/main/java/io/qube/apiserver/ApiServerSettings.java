package io.qube.apiserver;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The apiserver's own settings ({@code qube.apiserver.*}), after the kube-apiserver flags they stand for. */
@ConfigMapping(prefix = "qube.apiserver")
public interface ApiServerSettings {

    /** Seconds a pod tolerates a not-ready node unless it says otherwise (--default-not-ready-toleration-seconds). */
    @WithDefault("300")
    long defaultNotReadyTolerationSeconds();

    /** As for an unreachable node (--default-unreachable-toleration-seconds). */
    @WithDefault("300")
    long defaultUnreachableTolerationSeconds();

    /** How long an event lives after its last occurrence (--event-ttl). */
    @WithDefault("1h")
    Duration eventTtl();

    /** How often expired events are looked for. */
    @WithDefault("1m")
    Duration eventSweepInterval();
}
