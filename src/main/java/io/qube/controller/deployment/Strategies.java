package io.qube.controller.deployment;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;
import io.qube.controller.IntOrPercent;

/** maxSurge and maxUnavailable as numbers of pods (Kubernetes' ResolveFenceposts); Recreate has neither. */
final class Strategies {

    private Strategies() {
    }

    static boolean isRecreate(Deployment deployment) {
        return deployment.getSpec().getStrategy() != null
                && "Recreate".equals(deployment.getSpec().getStrategy().getType());
    }

    /** Pods above replicas a rollout may create: rounded up from a percentage. */
    static int maxSurge(Deployment deployment) {
        if (isRecreate(deployment)) {
            return 0;
        }
        return resolve(rolling(deployment) == null ? null : rolling(deployment).getMaxSurge(),
                Scaler.replicas(deployment), true);
    }

    /** Pods below replicas a rollout may leave unavailable: rounded down; at least 1 when maxSurge is 0. */
    static int maxUnavailable(Deployment deployment) {
        if (isRecreate(deployment)) {
            return 0;
        }
        int replicas = Scaler.replicas(deployment);
        int unavailable = resolve(rolling(deployment) == null ? null : rolling(deployment).getMaxUnavailable(),
                replicas, false);
        if (unavailable == 0 && maxSurge(deployment) == 0) {
            unavailable = 1;
        }
        return Math.min(unavailable, replicas);
    }

    private static RollingUpdateDeployment rolling(Deployment deployment) {
        return deployment.getSpec().getStrategy() == null ? null : deployment.getSpec().getStrategy().getRollingUpdate();
    }

    /** An absolute number, or a percentage of {@code total}; the API defaults both fields to 25%. */
    private static int resolve(IntOrString value, int total, boolean roundUp) {
        if (value == null) {
            value = new IntOrString("25%");
        }
        return IntOrPercent.scaled(value, total, roundUp);
    }
}
