package io.qube.agent;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.qube.agent.CriHosts.Host;
import io.qube.agent.cri.Commands;
import io.qube.agent.cri.RegistryImages;
import io.qube.agent.proxy.ServiceProxyBenchmark;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.IntToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * Issue 12's figures in one run, over the same three web pods on one node (a {@link CriHosts} of one host):
 * requests/s and latency with {@code wrk} from a client pod's network through the Service's cluster IP, next to
 * calling one backend directly and next to haproxy (round-robin, TCP mode, so an L4 balancer like the proxy's DNAT)
 * in a client pod's network (a sidecar: wrk reaches it over the pod's loopback) and in a pod of its own (a load
 * balancer one hop away, as a user-space proxy in front of pods is deployed); each path from a client pod of its own
 * ({@link #CLIENTS}); through the NodePort from outside the node; through the cluster IP of a second Service
 * whose only endpoint is the direct path's backend (the same single httpd, so it differs from the direct path by the
 * proxy's path alone); then the time from scaling the Deployment
 * up to the new pod answering through the Service, from the scale request and from its endpoint turning ready in
 * the EndpointSlice; last, {@link ServiceProxyBenchmark}'s rule sync of 1,000 Services x 10 endpoints. The backends
 * are busybox httpd, which closes every connection: each request is a new connection, so each one crosses the
 * proxy's rules (or haproxy's accept). The six paths take turns ({@link #measureInterleaved}). Run with
 * bench/agent.sh --services [SECONDS [CONNECTIONS [ROUNDS]]] (default 5 s per path and round, 8, 6 rounds), as
 * root.
 */
public final class ServiceBenchmark {

    private static final Host HOST = new Host("svc-bench", "svcbench-host", "10.132.0.2", "10.132.1.0/24");
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int BACKENDS = 3;
    private static final int SCALE_ROUNDS = 5;
    private static final int HAPROXY_PORT = 18080;
    /** The column of path F, the stand-alone haproxy. */
    private static final int BALANCED = 5;
    /**
     * One client pod per path that runs in a pod (A, B, C, E), so that no two paths share a connection's addresses
     * and ports at a backend: a path's closed connections stay in TIME_WAIT at the backend (60 s) and in conntrack
     * (120 s), and another path's new connection from the same pod to the same backend port after DNAT can meet
     * one and lose its SYN (a 1 s retransmit), which a benchmark of paths taking turns would charge to whichever
     * path came second. With one client pod for all paths, E (the Service of A's backend) ran at 0.11-0.43x A
     * with answers under a millisecond (6 Dec 2026): its connections waited to connect, not for answers.
     */
    /**
     * wrk's connections by default: no more than busybox httpd's listen backlog (9). With more, the direct path
     * and E, which send every connection to one httpd, overflow its accept queue whenever it falls behind, and
     * each SYN lost there costs its connection a 1 s retransmit (32 connections, 6 Dec 2026: 219-496 SYN
     * retransmits per path in 6 rounds, p99 up to 1 s; 8 connections: none on the pods' paths).
     */
    private static final int CONNECTIONS = 8;
    private static final List<String> CLIENTS = List.of("client-a", "client-b", "client-c", "client-e", "client-f");
    /** The pod whose network the stand-alone haproxy (path F) runs in, listening on the pod's address. */
    private static final String BALANCER = "balancer";

    /**
     * One wrk run: requests per second, latency percentiles in ms (wrk times a request from its write to the
     * answer, so a connect's wait is not in them), errors, and the SYNs sent again meanwhile in wrk's network
     * namespace (a lost SYN costs its connection a second; for the root namespace's path, other traffic counts too).
     */
    record Load(double requestsPerSecond, double p50, double p99, long errors, long synRetransmits) {
    }

    public static void main(String[] args) throws Exception {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 5,
                args.length > 1 ? Integer.parseInt(args[1]) : CONNECTIONS,
                args.length > 2 ? Integer.parseInt(args[2]) : 6);
        // The third figure in the same run: the rule sync of 1,000 Services x 10 endpoints.
        ServiceProxyBenchmark.main(new String[] {"1000", "10"});
    }

    static void run(int seconds, int connections, int rounds) throws Exception {
        RegistryImages images = RegistryImages.publish();
        try (AutoCloseable registry = images.registry();
             CriHosts cluster = CriHosts.start(images, "svcbenchbr0", "10.132.0.1", "svcbench0",
                     List.of(HOST))) {
            measure(cluster, images.busybox(), seconds, connections, rounds);
        }
    }

    private static void measure(CriHosts cluster, String busybox, int seconds, int connections, int rounds)
            throws Exception {
        KubernetesClient client = cluster.client;
        Path work = cluster.work;
        client.load(new java.io.ByteArrayInputStream(workloads(busybox).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .inNamespace("default").create();
        PodLookups lookups = new PodLookups(client, "default");
        await().atMost(WAIT).until(() -> readyEndpoints(client).size() == BACKENDS
                && Stream.concat(CLIENTS.stream(), Stream.of(BALANCER))
                .allMatch(name -> "True".equals(lookups.condition(name, "Ready"))));
        Service service = client.services().inNamespace("default").withName("web").get();
        String clusterIp = service.getSpec().getClusterIP();
        int nodePort = service.getSpec().getPorts().get(0).getNodePort();
        List<String> backends = readyEndpoints(client);
        List<String> inClientA = inNetworkOf(cluster, "client-a");
        List<String> inClientB = inNetworkOf(cluster, "client-b");
        List<String> inClientC = inNetworkOf(cluster, "client-c");
        List<String> inClientE = inNetworkOf(cluster, "client-e");
        List<String> inClientF = inNetworkOf(cluster, "client-f");

        String direct = "http://" + backends.get(0) + ":8080/";
        String viaClusterIp = "http://" + clusterIp + "/";
        String viaHaproxy = "http://127.0.0.1:" + HAPROXY_PORT + "/";
        String balancerIp = client.pods().inNamespace("default").withName(BALANCER).get().getStatus().getPodIP();
        String viaBalancer = "http://" + balancerIp + ":" + HAPROXY_PORT + "/";
        String viaNodePort = "http://" + HOST.ip() + ":" + nodePort + "/";
        String viaOneEndpoint = "http://" + oneEndpointService(client, backends.get(0)) + "/";
        await().atMost(WAIT).until(() -> Commands.run(Duration.ofSeconds(5), concat(inClientE,
                "wget", "-qO-", "-T", "1", viaOneEndpoint)).succeeded());
        Process haproxy = startHaproxy(work, "sidecar", inClientB, "127.0.0.1", inClientB, viaHaproxy, backends);
        Process balancer = startHaproxy(work, "balancer", inNetworkOf(cluster, BALANCER), "0.0.0.0", inClientF,
                viaBalancer, backends);
        try {
            List<Route> paths = List.of(
                    new Route("baseline: one backend directly, from a client pod", inClientA, direct),
                    new Route("baseline: haproxy round-robin in a client pod", inClientB, viaHaproxy),
                    new Route("Qube Service, cluster IP, from a client pod", inClientC, viaClusterIp),
                    new Route("Qube Service, NodePort, from outside the node", List.of(), viaNodePort),
                    new Route("Qube Service of A's backend alone, cluster IP, client pod", inClientE, viaOneEndpoint),
                    new Route("baseline: haproxy round-robin in a pod of its own", inClientF, viaBalancer));
            // Warm: the backends' page cache, conntrack, haproxy, the proxy's rules.
            paths.forEach(path -> wrk(path.prefix(), path.url(), 3, connections));
            measureInterleaved(paths, rounds, seconds, connections);
        } finally {
            for (Process proxy : List.of(haproxy, balancer)) {
                proxy.destroy();
                proxy.waitFor();
            }
        }
        scaleToTraffic(client, viaNodePort);
    }

    /** One way to the backends: a row's label, the network namespace wrk runs in (none: the root's), the URL. */
    private record Route(String label, List<String> prefix, String url) {
    }

    /**
     * {@code rounds} rounds of every path, {@code seconds} each, the order rotating by one path each round: the
     * machine is shared, so load that comes and goes lands on all paths alike, and each round's ratios compare
     * paths measured within seconds of each other. Prints each round, then per path the median of the rounds'
     * figures and of the rounds' ratios.
     */
    private static void measureInterleaved(List<Route> paths, int rounds, int seconds, int connections) {
        int n = paths.size();
        Load[][] loads = new Load[rounds][n];
        System.out.printf("%nServices: %d busybox httpd backends, wrk %d s per path and round, %d connections, "
                + "1 thread, %d rounds, order rotating%n", BACKENDS, seconds, connections, rounds);
        for (int round = 0; round < rounds; round++) {
            List<String> order = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                int i = (round + k) % n;
                loads[round][i] = wrk(profiled(paths.get(i).prefix(), round, i), paths.get(i).url(), seconds,
                        connections);
                order.add(Character.toString('A' + i));
            }
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < n; i++) {
                line.append(i == 0 ? "" : ", ").append((char) ('A' + i)).append(' ')
                        .append(Math.round(loads[round][i].requestsPerSecond()));
            }
            line.append("; /A");
            for (int i = 1; i < n; i++) {
                line.append(' ').append((char) ('A' + i)).append(String.format(Locale.ROOT, " %.2fx",
                        ratio(loads[round][i], loads[round][0])));
            }
            System.out.printf("round %d (order %s, load %s): req/s %s%n", round + 1, String.join("", order),
                    loadAverage(), line);
        }
        System.out.printf("%n%-60s %10s %8s %8s %7s %7s %9s %9s %9s%n", "median of " + rounds + " rounds", "req/s",
                "p50 ms", "p99 ms", "errors", "SYN re", "/haproxy", "/ha pod", "/direct");
        for (int i = 0; i < n; i++) {
            int path = i;
            System.out.printf("%-60s %10.0f %8.2f %8.2f %7d %7d %8.2fx %8.2fx %8.2fx%n",
                    Character.toString('A' + i) + " " + paths.get(i).label(),
                    median(loads, round -> loads[round][path].requestsPerSecond()),
                    median(loads, round -> loads[round][path].p50()),
                    median(loads, round -> loads[round][path].p99()),
                    Arrays.stream(loads).mapToLong(round -> round[path].errors()).sum(),
                    Arrays.stream(loads).mapToLong(round -> round[path].synRetransmits()).sum(),
                    median(loads, round -> ratio(loads[round][path], loads[round][1])),
                    median(loads, round -> ratio(loads[round][path], loads[round][BALANCED])),
                    median(loads, round -> ratio(loads[round][path], loads[round][0])));
        }
        System.out.println("(errors and SYN re: sums over the rounds; /haproxy (B), /ha pod (F) and /direct (A): the "
                + "median of the rounds' "
                + "ratios, each of one round's figures)");
    }

    /**
     * With {@code -Dbench.services.perf=DIR}, wrk runs under {@code perf record -a} (every CPU, 499 Hz, to
     * DIR/round-R-PATH.data), so what the kernel spends per request on each path can be read afterwards with
     * {@code perf report}; otherwise {@code prefix} as it is.
     */
    private static List<String> profiled(List<String> prefix, int round, int path) {
        String dir = System.getProperty("bench.services.perf");
        if (dir == null) {
            return prefix;
        }
        List<String> command = new ArrayList<>(List.of("perf", "record", "-q", "-a", "-F", "499", "-o",
                Path.of(dir, "round-" + (round + 1) + "-" + (char) ('A' + path) + ".data").toString(), "--"));
        command.addAll(prefix);
        return command;
    }

    /**
     * A Service without a selector whose one manual EndpointSlice holds the direct path's backend: through it, the
     * same single httpd as the direct path, so the two differ by the proxy's path alone, not by how many backends
     * share the load. Returns its cluster IP.
     */
    private static String oneEndpointService(KubernetesClient client, String backend) {
        Service service = client.services().inNamespace("default").resource(new ServiceBuilder()
                .withNewMetadata().withName("web-one").endMetadata()
                .withNewSpec().addNewPort().withPort(80).withNewTargetPort(8080).withProtocol("TCP").endPort()
                .endSpec().build()).create();
        client.discovery().v1().endpointSlices().inNamespace("default").resource(new EndpointSliceBuilder()
                .withNewMetadata().withName("web-one-1").addToLabels("kubernetes.io/service-name", "web-one")
                .endMetadata().withAddressType("IPv4")
                .addNewPort().withPort(8080).withProtocol("TCP").endPort()
                .addNewEndpoint().withAddresses(backend).withNewConditions().withReady(true).endConditions()
                .endEndpoint().build()).create();
        return service.getSpec().getClusterIP();
    }

    private static List<String> concat(List<String> prefix, String... command) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(List.of(command));
        return all;
    }

    private static double ratio(Load load, Load baseline) {
        return load.requestsPerSecond() / baseline.requestsPerSecond();
    }

    private static double median(Load[][] loads, IntToDoubleFunction figure) {
        double[] values = IntStream.range(0, loads.length).mapToDouble(figure).sorted().toArray();
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    /** The 1-minute load average, so each round shows what else the machine was doing. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * Scales web up by one, {@link #SCALE_ROUNDS} times: the time until the new pod answers through the NodePort
     * (requests as fast as the backends answer them, each a new connection, so each a new random choice), from the
     * scale request and from the moment its endpoint was seen ready. Back to {@link #BACKENDS} between rounds.
     */
    private static void scaleToTraffic(KubernetesClient client, String url) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long[] fromScale = new long[SCALE_ROUNDS];
        long[] fromEndpoint = new long[SCALE_ROUNDS];
        for (int round = 0; round < SCALE_ROUNDS; round++) {
            Set<String> before = podNames(client);
            long start = System.nanoTime();
            client.apps().deployments().inNamespace("default").withName("web").scale(BACKENDS + 1);
            long created = 0;
            long endpointReady = 0;
            while (true) {
                Set<String> now = podNames(client);
                if (created == 0 && !before.containsAll(now)) {
                    created = System.nanoTime();
                }
                if (endpointReady == 0 && readyEndpoints(client).size() == BACKENDS + 1) {
                    endpointReady = System.nanoTime();
                }
                String answer = get(http, url);
                if (answer != null && !before.contains(answer.trim()) && now.contains(answer.trim())) {
                    long answered = System.nanoTime();
                    fromScale[round] = answered - start;
                    // Seen ready by polling, so no later than here; 0 if traffic came before the poll saw it.
                    fromEndpoint[round] = endpointReady == 0 ? 0 : answered - endpointReady;
                    System.out.printf("round %d: new pod seen after %d ms, its endpoint ready after %d ms, its "
                            + "first answer after %d ms%n", round, (created - start) / 1_000_000,
                            endpointReady == 0 ? -1 : (endpointReady - start) / 1_000_000,
                            (answered - start) / 1_000_000);
                    break;
                }
                if (Duration.ofNanos(System.nanoTime() - start).compareTo(WAIT) > 0) {
                    throw new IllegalStateException("the new backend got no traffic within " + WAIT);
                }
            }
            client.apps().deployments().inNamespace("default").withName("web").scale(BACKENDS);
            await().atMost(WAIT).until(() -> readyEndpoints(client).size() == BACKENDS
                    && podNames(client).size() == BACKENDS);
        }
        System.out.printf("%n%-44s %10s %10s %10s%n", "scale web " + BACKENDS + " -> " + (BACKENDS + 1) + ", "
                + SCALE_ROUNDS + " rounds", "p50 ms", "p99 ms", "max ms");
        ProcessStartupBenchmark.row("scale request to traffic on the new pod", fromScale);
        ProcessStartupBenchmark.row("endpoint ready in its slice to traffic", fromEndpoint);
    }

    private static String get(HttpClient http, String url) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> podNames(KubernetesClient client) {
        return client.pods().inNamespace("default").withLabel("app", "web").list().getItems().stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null)
                .map(pod -> pod.getMetadata().getName()).collect(Collectors.toSet());
    }

    /** The addresses of web's ready endpoints, as the EndpointSlice controller published them. */
    private static List<String> readyEndpoints(KubernetesClient client) {
        return client.discovery().v1().endpointSlices().inNamespace("default")
                .withLabel("kubernetes.io/service-name", "web").list().getItems().stream()
                .flatMap(slice -> slice.getEndpoints() == null ? Stream.<Endpoint>empty()
                        : slice.getEndpoints().stream())
                .filter(endpoint -> endpoint.getConditions() != null
                        && Boolean.TRUE.equals(endpoint.getConditions().getReady()))
                .flatMap(endpoint -> endpoint.getAddresses().stream()).sorted().toList();
    }

    private static String workloads(String busybox) {
        return """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: apps/v1
                  kind: Deployment
                  metadata: {name: web}
                  spec:
                    replicas: %d
                    selector: {matchLabels: {app: web}}
                    template:
                      metadata: {labels: {app: web}}
                      spec:
                        containers:
                        - name: httpd
                          image: %s
                          command: [sh, -c, 'mkdir /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www']
                          readinessProbe:
                            httpGet: {path: /, port: 8080}
                            periodSeconds: 1
                - apiVersion: v1
                  kind: Service
                  metadata: {name: web}
                  spec:
                    type: NodePort
                    selector: {app: web}
                    ports:
                    - {port: 80, targetPort: 8080}
                """.formatted(BACKENDS, busybox) + Stream.concat(CLIENTS.stream(), Stream.of(BALANCER)).map(name -> """
                - apiVersion: v1
                  kind: Pod
                  metadata: {name: %s}
                  spec:
                    containers:
                    - name: sleep
                      image: %s
                      command: [sleep, '100000']
                """.formatted(name, busybox)).collect(Collectors.joining());
    }

    /** nsenter into a client pod's network namespace (its container process's, from its containerd). */
    private static List<String> inNetworkOf(CriHosts cluster, String pod) {
        return List.of("nsenter", "--net=/proc/" + clientPid(cluster, pod) + "/ns/net");
    }

    private static long clientPid(CriHosts cluster, String pod) {
        String container = cluster.pods.status(pod, "sleep").getContainerID()
                .replaceFirst("^[a-z]+://", "");
        String tasks = cluster.ctr(HOST, "tasks", "ls");
        return tasks.lines().map(line -> line.trim().split("\\s+")).filter(columns -> columns[0].equals(container))
                .mapToLong(columns -> Long.parseLong(columns[1])).findFirst()
                .orElseThrow(() -> new IllegalStateException("no task " + container + " in:\n" + tasks));
    }

    /**
     * haproxy in the network {@code prefix} enters, listening on {@code bind}; ready once a client in
     * {@code clientPrefix} gets an answer from {@code url}.
     */
    private static Process startHaproxy(Path work, String name, List<String> prefix, String bind,
                                        List<String> clientPrefix, String url, List<String> backends)
            throws IOException {
        StringBuilder config = new StringBuilder("""
                global
                    maxconn 4096
                defaults
                    mode tcp
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                frontend web
                    bind %s:%d
                    default_backend pods
                backend pods
                    balance roundrobin
                """.formatted(bind, HAPROXY_PORT));
        for (int i = 0; i < backends.size(); i++) {
            config.append("    server pod").append(i).append(' ').append(backends.get(i)).append(":8080\n");
        }
        Path file = Files.writeString(work.resolve("haproxy-" + name + ".cfg"), config);
        Path log = work.resolve("haproxy-" + name + ".log");
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("haproxy", "-db", "-f", file.toString()));
        Process haproxy = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            if (!haproxy.isAlive()) {
                throw new IllegalStateException("haproxy exited: " + Files.readString(log));
            }
            return Commands.run(Duration.ofSeconds(5), concat(clientPrefix, "wget", "-qO-", "-T", "1", url))
                    .succeeded();
        });
        return haproxy;
    }

    /** wrk in the network namespace {@code prefix} enters (none: the root's), with its latency distribution. */
    static Load wrk(List<String> prefix, String url, int seconds, int connections) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("wrk", "--latency", "-t", "1", "-c", Integer.toString(connections), "-d",
                seconds + "s", url));
        long retransmitsBefore = synRetransmits(prefix);
        String output = Commands.run(Duration.ofSeconds(seconds + 30L), command).ok();
        return new Load(number(output, "Requests/sec:\\s+([\\d.]+)"), millis(output, "50%"), millis(output, "99%"),
                errors(output), synRetransmits(prefix) - retransmitsBefore);
    }

    /** TcpExt TCPSynRetrans of the network namespace {@code prefix} enters, from its /proc/net/netstat. */
    private static long synRetransmits(List<String> prefix) {
        List<String> lines = Commands.run(Duration.ofSeconds(10), concat(prefix, "cat", "/proc/net/netstat")).ok()
                .lines().filter(line -> line.startsWith("TcpExt:")).toList();
        List<String> names = Arrays.asList(lines.get(0).split("\\s+"));
        return Long.parseLong(lines.get(1).split("\\s+")[names.indexOf("TCPSynRetrans")]);
    }

    private static double number(String output, String pattern) {
        Matcher matcher = Pattern.compile(pattern).matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("no " + pattern + " in wrk's output:\n" + output);
        }
        return Double.parseDouble(matcher.group(1));
    }

    private static double millis(String output, String percentile) {
        Matcher matcher = Pattern.compile("\\s" + percentile + "\\s+([\\d.]+)(us|ms|s)").matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("no " + percentile + " latency in wrk's output:\n" + output);
        }
        double value = Double.parseDouble(matcher.group(1));
        return switch (matcher.group(2)) {
            case "us" -> value / 1000;
            case "s" -> value * 1000;
            default -> value;
        };
    }

    /** Socket errors and non-2xx answers, which a run through a working proxy should not have. */
    private static long errors(String output) {
        long errors = 0;
        Matcher socket = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
                .matcher(output);
        if (socket.find()) {
            errors += Arrays.stream(new int[]{1, 2, 3, 4}).mapToLong(g -> Long.parseLong(socket.group(g))).sum();
        }
        Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(output);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
        }
        return errors;
    }
}
