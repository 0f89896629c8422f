package io.qube.scheduler;

import io.qube.test.QubeProcesses;
import io.qube.test.TestPostgres;
import org.junit.jupiter.api.Test;

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
 * Two control planes on one database: only the holder of the kube-system/kube-scheduler Lease schedules, and when it
 * is killed (no chance to release the lease) the other takes over and schedules within 15 seconds.
 */
class SchedulerFailoverIT {

    private static final Duration TAKEOVER = Duration.ofSeconds(15);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theStandbySchedulesWithinFifteenSecondsOfTheLeadersDeath() throws Exception {
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
            await().atMost(Duration.ofSeconds(60)).until(() -> leading(ports[0]) + leading(ports[1]) == 1);
            int leader = leading(ports[0]) == 1 ? 0 : 1;
            int standby = 1 - leader;
            String holder = leaseHolder(ports[standby]);
            createPod(ports[standby], "before");
            await().atMost(Duration.ofSeconds(60)).until(() -> boundNode(ports[standby], "before") != null);
            assertThat(boundNode(ports[standby], "before")).isEqualTo("failover-node");
            assertThat(leading(ports[standby])).isZero();

            planes[leader].destroyForcibly().waitFor();
            long killed = System.nanoTime();
            createPod(ports[standby], "after");
            await().atMost(TAKEOVER.plusSeconds(15)).pollInterval(Duration.ofMillis(100))
                    .until(() -> boundNode(ports[standby], "after") != null);
            Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
            assertThat(takeover).isLessThan(TAKEOVER);
            assertThat(leading(ports[standby])).isOne();
            assertThat(leaseHolder(ports[standby])).isNotEqualTo(holder);
        }
    }

    /** leader_election_master_status of the process on this port. */
    private int leading(int port) throws Exception {
        String metrics = send("GET", "http://127.0.0.1:" + port + "/q/metrics", null).body();
        return metrics.lines().anyMatch(line -> line.startsWith("leader_election_master_status{")
                && line.contains("name=\"kube-scheduler\"") && line.endsWith(" 1.0")) ? 1 : 0;
    }

    private String leaseHolder(int port) throws Exception {
        String lease = send("GET", "http://127.0.0.1:" + port
                + "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler", null).body();
        return lease.replaceAll("(?s).*\"holderIdentity\":\"([^\"]*)\".*", "$1");
    }

    private void createPod(int port, String name) throws Exception {
        HttpResponse<String> created = send("POST", "http://127.0.0.1:" + port + "/api/v1/namespaces/default/pods",
                "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    private String boundNode(int port, String pod) throws Exception {
        String body = send("GET", "http://127.0.0.1:" + port + "/api/v1/namespaces/default/pods/" + pod, null).body();
        return body.contains("\"nodeName\"") ? body.replaceAll("(?s).*\"nodeName\":\"([^\"]*)\".*", "$1") : null;
    }

    private HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
