package io.qube;

import io.qube.test.LeaderStatus;
import io.qube.test.QubeProcesses;
import io.qube.test.TestPostgres;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two control planes on one database, for each leader-elected component: only the holder of its Lease in
 * kube-system works (the scheduler binds pods, the controller manager's ReplicaSet controller creates them), and
 * when that process is killed (no chance to release the lease) the other takes over and does the work within
 * 15 seconds.
 */
class LeaderFailoverIT {

    private static final Duration TAKEOVER = Duration.ofSeconds(15);
    private final HttpClient http = HttpClient.newHttpClient();

    @ParameterizedTest
    @ValueSource(strings = {"kube-scheduler", "kube-controller-manager"})
    void theStandbyWorksWithinFifteenSecondsOfTheLeadersDeath(String lease) throws Exception {
        Map<String, String> environment = TestPostgres.environmentForFreshDatabase();
        try (QubeProcesses processes = new QubeProcesses()) {
            int[] ports = {QubeProcesses.freePort(), QubeProcesses.freePort()};
            Process[] planes = new Process[2];
            for (int i = 0; i < 2; i++) {
                Path directory = TestPostgres.newDataDirectory();
                Path log = directory.resolve("qube.log");
                planes[i] = processes.start(log, environment, "--data-dir", directory.toString(),
                        "--port", Integer.toString(ports[i]));
                processes.awaitReady(planes[i], ports[i], log);
            }
            String api = "http://127.0.0.1:" + ports[0];
            assertThat(send("POST", api + "/api/v1/nodes", "{\"metadata\":{\"name\":\"failover-node\"},\"status\":"
                    + "{\"capacity\":{\"cpu\":\"4\",\"memory\":\"8Gi\",\"pods\":\"110\"},\"allocatable\":{\"cpu\":\"4\","
                    + "\"memory\":\"8Gi\",\"pods\":\"110\"}}}").statusCode()).isEqualTo(201);

            // Exactly one of them leads.
            await().atMost(Duration.ofSeconds(60)).until(() -> LeaderStatus.leading(ports[0], lease)
                    + LeaderStatus.leading(ports[1], lease) == 1);
            int leader = LeaderStatus.leading(ports[0], lease) == 1 ? 0 : 1;
            int standby = 1 - leader;
            String holder = LeaderStatus.holder(ports[standby], lease);
            work(ports[standby], lease, "before");
            await().atMost(Duration.ofSeconds(60)).until(() -> done(ports[standby], lease, "before"));
            assertThat(LeaderStatus.leading(ports[standby], lease)).isZero();

            planes[leader].destroyForcibly().waitFor();
            long killed = System.nanoTime();
            work(ports[standby], lease, "after");
            await().atMost(TAKEOVER.plusSeconds(15)).pollInterval(Duration.ofMillis(100))
                    .until(() -> done(ports[standby], lease, "after"));
            Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
            assertThat(takeover).isLessThan(TAKEOVER);
            assertThat(LeaderStatus.leading(ports[standby], lease)).isOne();
            assertThat(LeaderStatus.holder(ports[standby], lease)).isNotEqualTo(holder);
        }
    }

    /** Something only the lease's holder does: a pod to bind, or a ReplicaSet whose pod to create. */
    private void work(int port, String lease, String name) throws Exception {
        String base = "http://127.0.0.1:" + port;
        HttpResponse<String> created = lease.equals("kube-scheduler")
                // The node has no agent: after the grace period the node controller taints it unreachable.
                ? send("POST", base + "/api/v1/namespaces/default/pods", "{\"metadata\":{\"name\":\"" + name
                + "\"},\"spec\":{\"tolerations\":[{\"operator\":\"Exists\"}],\"containers\":[{\"name\":\"c\","
                + "\"image\":\"busybox\"}]}}")
                : send("POST", base + "/apis/apps/v1/namespaces/default/replicasets", "{\"metadata\":{\"name\":\""
                + name + "\"},\"spec\":{\"replicas\":1,\"selector\":{\"matchLabels\":{\"set\":\"" + name
                + "\"}},\"template\":{\"metadata\":{\"labels\":{\"set\":\"" + name + "\"}},\"spec\":"
                + "{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    private boolean done(int port, String lease, String name) throws Exception {
        String base = "http://127.0.0.1:" + port + "/api/v1/namespaces/default/pods";
        if (lease.equals("kube-scheduler")) {
            return send("GET", base + "/" + name, null).body().contains("\"nodeName\":\"failover-node\"");
        }
        return send("GET", base + "?labelSelector=set%3D" + name, null).body().contains("\"generateName\":\""
                + name + "-\"");
    }

    private HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
