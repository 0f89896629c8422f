package io.qube.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qube.test.QubeProcesses;
import io.qube.test.TestPostgres;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two apiserver processes on one database hand out cluster IPs and node ports without duplicates: the store holds
 * one row per address under a unique key, so neither apiserver's watch cache lagging behind the other's writes can
 * give the same address twice.
 */
class ServiceAddressesTwoServersIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CLIENTS = 8;
    private static final int SERVICES_PER_CLIENT = 60;
    private static final int CONTESTS = 40;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servicesCreatedAtOnceThroughBothServersGetDistinctAddresses() throws Exception {
        Map<String, String> environment = TestPostgres.environmentForFreshDatabase();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try (QubeProcesses processes = new QubeProcesses()) {
            int[] ports = processes.startApiServers(environment, 2);

            // The same address asked for through both apiservers in the same instant: one Service gets it, the other
            // is refused as Kubernetes refuses it (422), never both. Without the store's check both caches are
            // behind the other's write and both would be given it.
            for (int round = 0; round < CONTESTS; round++) {
                String ip = "10.100.7." + (round + 1);
                int nodePort = 31000 + round;
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<Integer>> codes = new ArrayList<>();
                for (int side = 0; side < 2; side++) {
                    String url = services(ports[side]);
                    String body = service("contest-" + round + "-" + side, ip, nodePort);
                    codes.add(clients.submit(() -> {
                        together.await();
                        return send("POST", url, body).statusCode();
                    }));
                }
                List<Integer> outcome = List.of(codes.get(0).get(), codes.get(1).get());
                assertThat(outcome).as("round %d (%s, node port %d)", round, ip, nodePort)
                        .containsExactlyInAnyOrder(201, 422);
            }

            // Many NodePort Services drawn by both apiservers at once: every cluster IP and node port once only.
            List<Future<List<Integer>>> results = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                String url = services(ports[c % 2]);
                int client = c;
                results.add(clients.submit(() -> {
                    List<Integer> codes = new ArrayList<>();
                    for (int i = 0; i < SERVICES_PER_CLIENT; i++) {
                        codes.add(send("POST", url, service("drawn-" + client + "-" + i, null, 0)).statusCode());
                    }
                    return codes;
                }));
            }
            for (Future<List<Integer>> result : results) {
                assertThat(result.get()).as("every create accepted").containsOnly(201);
            }
            JsonNode list = JSON.readTree(send("GET", services(ports[0]), null).body());
            Map<String, String> ipHolders = new HashMap<>();
            Map<Integer, String> portHolders = new HashMap<>();
            int drawn = 0;
            for (JsonNode item : list.path("items")) {
                String name = item.path("metadata").path("name").asText();
                drawn += name.startsWith("drawn-") ? 1 : 0;
                String previous = ipHolders.put(item.path("spec").path("clusterIP").asText(), name);
                assertThat(previous).as("cluster IP of %s also held by", name).isNull();
                for (JsonNode port : item.path("spec").path("ports")) {
                    String before = portHolders.put(port.path("nodePort").asInt(), name);
                    assertThat(before).as("node port of %s also held by", name).isNull();
                }
            }
            assertThat(drawn).isEqualTo(CLIENTS * SERVICES_PER_CLIENT);
        } finally {
            clients.shutdownNow();
        }
    }

    private static String services(int port) {
        return "http://127.0.0.1:" + port + "/api/v1/namespaces/default/services";
    }

    /** A NodePort Service; {@code ip} null and {@code nodePort} 0 leave both to the apiserver. */
    private static String service(String name, String ip, int nodePort) {
        return "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"type\":\"NodePort\","
                + (ip == null ? "" : "\"clusterIP\":\"" + ip + "\",")
                + "\"selector\":{\"app\":\"x\"},\"ports\":[{\"port\":80"
                + (nodePort == 0 ? "" : ",\"nodePort\":" + nodePort) + "}]}}";
    }

    private HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
