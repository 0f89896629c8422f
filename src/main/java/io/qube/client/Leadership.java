package io.qube.client;

import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * The health of a leader-elected component (the scheduler, the controller manager): up whether it leads or stands
 * by, since a standby is exactly what a second replica should be; the data say which, so a probe or an operator
 * sees where the component runs.
 */
public final class Leadership {

    private Leadership() {
    }

    /**
     * @param enabled  whether the component runs in this process at all
     * @param election its election, null until the API is listening and the campaign starts
     */
    public static HealthCheckResponse health(String check, String lease, boolean enabled, LeaderElection election) {
        String role = !enabled ? "disabled" : election == null ? "starting" : election.isLeader() ? "leader"
                : "standby";
        var response = HealthCheckResponse.named(check).up().withData("lease", "kube-system/" + lease)
                .withData("role", role);
        if (election != null) {
            response.withData("identity", election.identity());
        }
        return response.build();
    }
}
