package io.qube.controller;

import io.qube.client.LeaderElectionSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Whether this process runs the controllers, which ones, and how they elect a leader ({@code qube.controllers.*}). */
@ConfigMapping(prefix = "qube.controllers")
public interface ControllerSettings {

    @WithDefault("true")
    boolean enabled();

    /** On the Lease kube-system/kube-controller-manager: only the holder's controllers run. */
    LeaderElectionSettings leaderElection();

    /** Namespace deletion ({@code qube.controllers.namespace.*}). */
    Switch namespace();

    /** ReplicaSets ({@code qube.controllers.replicaset.*}). */
    Switch replicaset();

    /** Deployments ({@code qube.controllers.deployment.*}). */
    Switch deployment();

    /** Jobs ({@code qube.controllers.job.*}). */
    Switch job();

    /** CronJobs ({@code qube.controllers.cronjob.*}). */
    Switch cronjob();

    /** Deletion of finished Jobs after spec.ttlSecondsAfterFinished ({@code qube.controllers.ttl-after-finished.*}). */
    Switch ttlAfterFinished();

    /** One controller's switch and how many keys it reconciles at once. */
    interface Switch {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("5")
        int workers();
    }
}
