package io.qube.ha;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qube.test.LeaderStatus;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 14's HA acceptance: three control-plane processes on one PostgreSQL under a steady load of ConfigMap writes
 * (one client per apiserver) and watches (one per apiserver). The leader of the scheduler and controller manager is
 * killed with SIGKILL and started again, then the new leader is killed too. Throughout: no acknowledged write is
 * lost, every watcher (resuming through another apiserver, relisting on 410) saw every acknowledged write in order,
 * and after each kill a new pod is scheduled and a new ReplicaSet's pods are created within 15 seconds.
 */
class HighAvailabilityIT {

    static final String NAMESPACE = "ha-load";
    private static final String SCHEDULER = "kube-scheduler";
    private static final String CONTROLLER_MANAGER = "kube-controller-manager";
    private static final Duration FAILOVER = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    /** Each kill's time until scheduling and until reconciling resumed, checked once the load has been checked. */
    private final List<Duration> failovers = new ArrayList<>();
    private ControlPlanes planes;

    @Test
    void killingTheLeaderAndOneMoreLosesNoWriteNorEventAndWorkResumesWithinFifteenSeconds() throws Exception {
        try (ControlPlanes started = new ControlPlanes(3)) {
            planes = started;
            for (int i = 0; i < planes.count(); i++) {
                planes.start(i);
            }
            createNamespaceAndNode(planes.api(0));
            await().atMost(Duration.ofSeconds(60)).until(() -> leaders(SCHEDULER) == 1
                    && leaders(CONTROLLER_MANAGER) == 1);
            try (ClusterLoad load = new ClusterLoad(NAMESPACE, planes.ports())) {
                load.start();
                load.awaitProgress(150);

                // The leader dies, and comes back as a standby.
                int first = leaderOf(SCHEDULER);
                planes.kill(first, "the scheduler's leader (controller manager's: " + leaderOf(CONTROLLER_MANAGER)
                        + ")");
                assertWorkResumes(first, "1");
                load.awaitProgress(100);
                planes.start(first);

                // Then whoever leads now dies too, and stays dead.
                int second = leaderOf(CONTROLLER_MANAGER);
                planes.kill(second, "the controller manager's new leader");
                assertWorkResumes(second, "2");
                load.awaitProgress(100);

                load.stopAndCheck(planes.port((second + 1) % planes.count()));
            }
            assertThat(failovers).hasSize(4).allSatisfy(took -> assertThat(took).isLessThan(FAILOVER));
        }
    }

    /** The load's namespace, and a node for the scheduler (no agent: pods tolerate its unreachable taint). */
    static void createNamespaceAndNode(String api) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        assertThat(post(client, api + "/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + NAMESPACE + "\"}}")
                .statusCode()).isEqualTo(201);
        assertThat(post(client, api + "/api/v1/nodes", "{\"metadata\":{\"name\":\"ha-node\"},\"status\":"
                + "{\"capacity\":{\"cpu\":\"64\",\"memory\":\"64Gi\",\"pods\":\"110\"},\"allocatable\":{\"cpu\":"
                + "\"64\",\"memory\":\"64Gi\",\"pods\":\"110\"}}}").statusCode()).isEqualTo(201);
    }

    /**
     * Right after a kill, through a survivor: a pod that only a scheduler binds and a ReplicaSet whose pods only a
     * controller manager creates. Both must be done within 15 seconds of the kill (checked at the end).
     */
    private void assertWorkResumes(int killed, String round) throws Exception {
        long start = System.nanoTime();
        int survivor = (killed + 1) % planes.count();
        String pods = planes.api(survivor) + "/api/v1/namespaces/" + NAMESPACE + "/pods";
        String toleratesAll = "\"tolerations\":[{\"operator\":\"Exists\"}],\"containers\":[{\"name\":\"c\","
                + "\"image\":\"busybox\"}]";
        assertThat(post(http, pods, "{\"metadata\":{\"name\":\"after-kill-" + round + "\"},\"spec\":{"
                + toleratesAll + "}}").statusCode()).isEqualTo(201);
        assertThat(post(http, planes.api(survivor) + "/apis/apps/v1/namespaces/" + NAMESPACE + "/replicasets",
                "{\"metadata\":{\"name\":\"rs-" + round + "\"},\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":"
                + "{\"rs\":\"" + round + "\"}},\"template\":{\"metadata\":{\"labels\":{\"rs\":\"" + round + "\"}},"
                + "\"spec\":{" + toleratesAll + "}}}}").statusCode()).isEqualTo(201);
        // A live process leads the scheduler again (the killed one may not have led it: the two leases can be held
        // by different processes once the first leader came back).
        await().atMost(FAILOVER.multipliedBy(3)).pollInterval(Duration.ofMillis(100))
                .until(() -> leaders(SCHEDULER) == 1);
        Duration election = Duration.ofNanos(System.nanoTime() - start);
        await().atMost(FAILOVER.multipliedBy(3)).pollInterval(Duration.ofMillis(100)).until(() -> get(
                pods + "/after-kill-" + round).contains("\"nodeName\":\"ha-node\""));
        Duration scheduling = Duration.ofNanos(System.nanoTime() - start);
        await().atMost(FAILOVER.multipliedBy(3)).pollInterval(Duration.ofMillis(100)).until(() -> JSON.readTree(
                get(pods + "?labelSelector=rs%3D" + round)).path("items").size() == 2);
        Duration reconciling = Duration.ofNanos(System.nanoTime() - start);
        System.out.printf("HA failover %s: a live scheduler leads after %d ms, scheduling resumed after %d ms, "
                + "reconciling after %d ms%n", round, election.toMillis(), scheduling.toMillis(),
                reconciling.toMillis());
        failovers.add(scheduling);
        failovers.add(reconciling);
    }

    /** How many live control planes lead this component. */
    private int leaders(String lease) throws Exception {
        int count = 0;
        for (int i = 0; i < planes.count(); i++) {
            count += planes.alive(i) ? LeaderStatus.leading(planes.port(i), lease) : 0;
        }
        return count;
    }

    private int leaderOf(String lease) throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> leaders(lease) == 1);
        for (int i = 0; i < planes.count(); i++) {
            if (planes.alive(i) && LeaderStatus.leading(planes.port(i), lease) == 1) {
                return i;
            }
        }
        throw new AssertionError("no leader of " + lease);
    }

    private String get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static HttpResponse<String> post(HttpClient client, String url, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
