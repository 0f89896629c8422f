package io.qube.client;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A leader-elected component's health: always up, its role in the data; the gauge agrees with the role. */
class LeadershipTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void aStandbyIsUpAndSaysSo() {
        LeaderElection election = election(true);
        HealthCheckResponse health = Leadership.health("kube-scheduler", "kube-scheduler", true, election);
        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(health.getData().orElseThrow()).containsEntry("role", "standby")
                .containsEntry("lease", "kube-system/kube-scheduler")
                .containsEntry("identity", election.identity());
        assertThat(masterStatus()).isZero();
    }

    @Test
    void withoutElectionTheComponentLeadsAtStart() {
        LeaderElection election = election(false);
        election.start(null);
        // The component's start runs on the election's own thread: it leads once that start has returned.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Leadership.health("kube-scheduler",
                "kube-scheduler", true, election).getData().orElseThrow()).containsEntry("role", "leader"));
        assertThat(masterStatus()).isEqualTo(1);
        election.close();
        assertThat(masterStatus()).isZero();
    }

    @Test
    void notYetStartedOrSwitchedOff() {
        assertThat(Leadership.health("c", "c", true, null).getData().orElseThrow()).containsEntry("role", "starting");
        HealthCheckResponse off = Leadership.health("c", "c", false, null);
        assertThat(off.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(off.getData().orElseThrow()).containsEntry("role", "disabled");
    }

    private double masterStatus() {
        return registry.get("leader.election.master.status").tag("name", "kube-scheduler").gauge().value();
    }

    private LeaderElection election(boolean enabled) {
        LeaderElectionSettings settings = new LeaderElectionSettings() {
            @Override
            public boolean enabled() {
                return enabled;
            }

            @Override
            public Duration leaseDuration() {
                return Duration.ofSeconds(10);
            }

            @Override
            public Duration renewDeadline() {
                return Duration.ofSeconds(7);
            }

            @Override
            public Duration retryPeriod() {
                return Duration.ofSeconds(2);
            }
        };
        return new LeaderElection("kube-scheduler", settings, registry, () -> { }, () -> { });
    }
}
