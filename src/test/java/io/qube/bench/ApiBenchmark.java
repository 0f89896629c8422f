package io.qube.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qube.launcher.EmbeddedDatabase;
import io.qube.launcher.KubeconfigWriter;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The API server benchmark of issue 3 ({@code bench/api.sh}): one run, one table.
 * <ol type="a">
 * <li>Baseline: etcd 3.4 (Debian's) puts of ~1 KB values from 16 closed-loop clients, over native gRPC and over
 * etcd's HTTP/JSON gateway.</li>
 * <li>Qube: creates of ~1 KB ConfigMaps through the HTTP API from 16 closed-loop clients on keep-alive
 * connections, against a Qube process with its embedded database, and the ratio to (a). etcd and Qube run side by
 * side and take turns in rounds, so that the machine's other load hits both alike.</li>
 * <li>Create-to-event latency with 1,000 watchers on a second apiserver process sharing the first one's database,
 * creates paced at 50/s through the first, and whether every watcher got every event; the same with 100 watchers,
 * and etcd with 1,000 gRPC watchers at 50 puts/s as a baseline.</li>
 * <li>The real {@code kubectl get pods -A} with 10,000 pods stored, and its list requests' latencies.</li>
 * <li>The apiserver's resident memory with 100,000 stored pods, and how long writing them took.</li>
 * </ol>
 * Every server gets its own warm-up; CPU per operation comes from /proc, so it holds on a busy machine.
 * Options: {@code --quick} (small counts, a smoke run), {@code --profile} (JFR on the measured servers and the
 * in-process probes {@link io.qube.apiserver.CreateCostProbe} and {@link io.qube.store.pg.StoreCostProbe},
 * summarised after the table), {@code --keep} (keep the data directories under target/bench), {@code --only
 * LETTERS} (some of a to e), {@code --watchers N} (instead of 1,000), {@code --qube-jvm 'OPTIONS'} (JVM options
 * for the Qube processes, e.g. a heap limit).
 */
public final class ApiBenchmark {

    /** How much of everything. */
    record Settings(String name, int clients, Duration etcdWarmup, Duration minWarmup, Duration maxWarmup,
                    int rounds, Duration segment, int watchers, int fewWatchers, int watchRate, Duration watchWarmup,
                    Duration watchMeasure, int listPods, int memoryPods, int podClients, int kubectlRuns) {

        static Settings full() {
            return new Settings("full", 16, Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofSeconds(90), 3,
                    Duration.ofSeconds(10), 1000, 100, 50, Duration.ofSeconds(10), Duration.ofSeconds(20), 10_000,
                    100_000, 64, 5);
        }

        static Settings quick() {
            return new Settings("quick", 16, Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), 1,
                    Duration.ofSeconds(5), 100, 10, 50, Duration.ofSeconds(3), Duration.ofSeconds(5), 1_000, 5_000, 32,
                    3);
        }

        Settings withWatchers(int count) {
            return new Settings(name, clients, etcdWarmup, minWarmup, maxWarmup, rounds, segment, count, fewWatchers,
                    watchRate, watchWarmup, watchMeasure, listPods, memoryPods, podClients, kubectlRuns);
        }
    }

    private static final int NAMESPACES = 10;
    /**
     * Sent with every create: like Kubernetes, Qube records the User-Agent (up to its "/") as the field manager in
     * managedFields, as it does for kubectl's and client libraries' writes; without one it would skip that work.
     */
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Makes a ConfigMap request body ~1 KB. */
    private static final String PAYLOAD = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".repeat(15)
            .substring(0, 880);

    private final Settings settings;
    private final boolean profile;
    /** Which parts to run (letters a to e); the default is all. */
    private final String only;
    /** JVM options for every Qube process (none by default, as {@code ./qube up} runs it). */
    private final List<String> qubeJvm;
    private final Path work;
    private final Vertx vertx;
    private final java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String[]> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<String> profiles = new ArrayList<>();

    private ApiBenchmark(Settings settings, boolean profile, String only, List<String> qubeJvm, Path work,
                         Vertx vertx) {
        this.settings = settings;
        this.profile = profile;
        this.only = only;
        this.qubeJvm = qubeJvm;
        this.work = work;
        this.vertx = vertx;
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        boolean profile = false;
        boolean keep = false;
        String only = "abcde";
        Integer watchers = null;
        List<String> qubeJvm = List.of();
        String command = "bench/api.sh";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--profile" -> profile = true;
                case "--keep" -> keep = true;
                case "--command" -> command = args[++i];
                case "--only" -> only = args[++i];
                case "--watchers" -> watchers = Integer.parseInt(args[++i]);
                case "--qube-jvm" -> qubeJvm = List.of(args[++i].trim().split("\\s+"));
                default -> {
                    System.err.println("usage: bench/api.sh [--quick] [--profile] [--keep] [--only abcde]"
                            + " [--watchers N] [--qube-jvm 'JVM OPTIONS']");
                    System.exit(2);
                }
            }
        }
        Settings settings = quick ? Settings.quick() : Settings.full();
        if (watchers != null) {
            settings = settings.withWatchers(watchers);
        }
        String started = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        String loadBefore = Proc.loadAverage();
        Path work = Path.of("target", "bench", "api-" + LocalDateTime.now()
                .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))).toAbsolutePath();
        Files.createDirectories(work);
        Runtime.getRuntime().addShutdownHook(new Thread(Children::stopAll, "stop-children"));
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        ApiBenchmark benchmark = new ApiBenchmark(settings, profile, only, qubeJvm, work, vertx);
        long begin = System.nanoTime();
        try {
            if (only.contains("a") || only.contains("b")) {
                benchmark.createsVersusEtcd();
            }
            if (only.matches(".*[cde].*")) {
                benchmark.cluster();
            }
            if (profile) {
                progress("(profile) the create path's steps in this JVM, one thread, no HTTP or store");
                benchmark.profiles.add("### Profile: the create path's CPU steps in process (CreateCostProbe)\n\n```\n"
                        + io.qube.apiserver.CreateCostProbe.run(10, 5) + "```\n");
                progress("(profile) PostgreSQL's work per create, part by part (StoreCostProbe)");
                benchmark.profiles.add("### Profile: PostgreSQL's work per create (StoreCostProbe)\n\n```\n"
                        + io.qube.store.pg.StoreCostProbe.run(work.resolve("store-cost-probe")) + "```\n");
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        String header = "command: " + command + "\n"
                + "date: " + started + "; whole run " + Math.round((System.nanoTime() - begin) / 1e9) + " s ("
                + settings.name() + " settings)\n"
                + "machine: " + Runtime.getRuntime().availableProcessors() + " × " + Proc.cpuModel() + ", "
                + String.format("%,d", Proc.memTotalMib()) + " MiB, Linux " + Proc.kernel() + ", Java "
                + System.getProperty("java.version") + " (benchmark and Qube), etcd " + Etcd.version()
                + "\n" + "load average (1/5/15 min): " + loadBefore + " before, " + Proc.loadAverage() + " after\n";
        String report = header + "\n" + benchmark.table() + "\n" + String.join("\n", benchmark.notes) + "\n"
                + (benchmark.profiles.isEmpty() ? "" : "\n" + String.join("\n", benchmark.profiles));
        System.out.println();
        System.out.println(report);
        Files.writeString(work.resolve("report.md"), report);
        System.out.println("(report and logs in " + work + ")");
        if (!keep) {
            for (String data : List.of("etcd/data", "etcd-watch/data", "qube-a/postgres", "postgres")) {
                deleteTree(work.resolve(data));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ (a) and (b)

    /**
     * etcd and Qube run side by side and take turns: rounds of one segment each of etcd gRPC puts, etcd gateway
     * puts and Qube creates, the order rotating, so that whatever else the machine does hits all three alike.
     */
    private void createsVersusEtcd() throws Exception {
        progress("(a)(b) starting etcd " + Etcd.version() + " and Qube (A) with its embedded PostgreSQL");
        Etcd.KeyValues keyValues = new Etcd.KeyValues() {
            @Override
            public byte[] key(long index) {
                return ("/registry/configmaps/default/" + name("e", index)).getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public byte[] value(long index) {
                return configMap(name("e", index), "etcd").getBytes(StandardCharsets.UTF_8);
            }
        };
        try (Etcd etcd = Etcd.start(work.resolve("etcd"));
             QubeServer qube = QubeServer.start("A", work.resolve("qube-a"), Map.of(), jvmOptions())) {
            long postgres = Proc.postmasterPid(qube.embeddedPostgres());
            int postgresPort = Proc.postmasterPort(qube.embeddedPostgres());
            List<HttpClient> clients = BenchHttp.clients(vertx, qube.port, settings.clients());
            ClosedLoop.Call create = (client, index) -> BenchHttp.post(clients.get(client),
                    "/api/v1/namespaces/default/configmaps", configMap(name("c", index), "create"));
            Map<String, ClosedLoop.Call> calls = new LinkedHashMap<>();
            calls.put("grpc", etcd.grpcPuts(vertx, settings.clients(), keyValues));
            calls.put("gateway", etcd.gatewayPuts(vertx, settings.clients(), keyValues));
            calls.put("qube", create);
            Map<String, Long> base = Map.of("grpc", 0L, "gateway", 100_000_000L, "qube", 0L);

            progress("(a)(b) warm-up: etcd " + settings.etcdWarmup().toSeconds() + " s per protocol; Qube until its"
                    + " JIT compilers settle");
            check("etcd gRPC warm-up", ClosedLoop.forDuration(settings.clients(), Duration.ZERO,
                    settings.etcdWarmup(), 90_000_000, calls.get("grpc")));
            check("etcd gateway warm-up", ClosedLoop.forDuration(settings.clients(), Duration.ZERO,
                    settings.etcdWarmup(), 190_000_000, calls.get("gateway")));
            String warm = warmUp(qube, create, 90_000_000);

            Map<String, Tally> tallies = new LinkedHashMap<>();
            calls.keySet().forEach(system -> tallies.put(system, new Tally()));
            List<String> systems = new ArrayList<>(calls.keySet());
            progress("(a)(b) " + settings.rounds() + " rounds of " + settings.segment().toSeconds() + " s per system, "
                    + settings.clients() + " clients each");
            for (int round = 0; round < settings.rounds(); round++) {
                for (int turn = 0; turn < systems.size(); turn++) {
                    String system = systems.get((round + turn) % systems.size());
                    boolean isQube = system.equals("qube");
                    Meter meter = new Meter(isQube ? Map.of("qube", qube.pid(), "postgres", postgres)
                            : Map.of("etcd", etcd.pid()), isQube ? qube.pid() : -1);
                    long[] transactionsBefore = isQube ? transactions(postgresPort) : new long[2];
                    if (isQube && round == 0) {
                        startRecording(qube, "create");
                    }
                    meter.start();
                    ClosedLoop.Result result = ClosedLoop.forDuration(settings.clients(), Duration.ZERO,
                            settings.segment(), base.get(system) + round * 1_000_000L, calls.get(system));
                    meter.stop();
                    if (isQube && round == settings.rounds() - 1) {
                        stopRecording(qube, "create", "(b) Qube apiserver during the measured creates (all rounds)");
                    }
                    check(system, result);
                    long[] transactionsAfter = isQube ? transactions(postgresPort) : new long[2];
                    tallies.get(system).add(result, meter, transactionsAfter[0] - transactionsBefore[0],
                            transactionsAfter[1] - transactionsBefore[1]);
                    progress(String.format("    round %d %-7s %,7.0f/s p50 %.2f ms p99 %.2f ms", round + 1, system,
                            result.rate(), result.p50Millis(), result.p99Millis()));
                }
            }
            BenchHttp.closeAll(clients);
            Tally grpc = tallies.get("grpc");
            Tally gateway = tallies.get("gateway");
            Tally creates = tallies.get("qube");
            row("a1", "etcd put, native gRPC (etcdserverpb.KV/Put), " + settings.clients() + " clients, "
                            + keyValues.value(0).length + " B values", grpc.rateText("puts"), grpc.p50(), grpc.p99(),
                    grpc.perOp("etcd") + " etcd", "baseline; rounds " + grpc.rateRange());
            row("a2", "etcd put, HTTP/JSON gateway (POST /v3/kv/put, base64 JSON), " + settings.clients()
                            + " keep-alive clients", gateway.rateText("puts"), gateway.p50(), gateway.p99(),
                    gateway.perOp("etcd") + " etcd", "rounds " + gateway.rateRange());
            row("b", "Qube create ConfigMap, HTTP POST (JSON), " + settings.clients() + " keep-alive clients, "
                            + configMap(name("c", 0), "create").length() + " B bodies", creates.rateText("creates"),
                    creates.p50(), creates.p99(), creates.perOp("qube") + " JVM + " + creates.perOp("postgres")
                            + " PostgreSQL",
                    String.format("**%.2f× gRPC put** (rounds %s), %.2f× gateway put (rounds %s); target ≥ 1.0×",
                            creates.rate() / grpc.rate(), creates.ratioRange(grpc), creates.rate() / gateway.rate(),
                            creates.ratioRange(gateway)));
            notes.add("- (a)(b) " + settings.rounds() + " rounds of " + settings.segment().toSeconds()
                    + " s per system, taking turns in rotating order; etcd and Qube both running throughout. Qube"
                    + " warm-up before the rounds: " + warm + ". Client CPU (this JVM) per operation: gRPC put "
                    + grpc.perOp("bench") + ", gateway put " + gateway.perOp("bench") + ", Qube create "
                    + creates.perOp("bench") + ".");
            notes.add(String.format("- (b) PostgreSQL: %,d write transactions (qube_write batches) for %,d creates,"
                            + " %.1f creates per transaction; %,d transactions in all (with the log follower's and"
                            + " other reads). CPU while creating: Qube JVM %.2f, PostgreSQL %.2f, benchmark client"
                            + " %.2f cores (of %d); etcd while putting over gRPC: %.2f cores.",
                    creates.writeTransactions, creates.completed, creates.completed / (double) Math.max(1,
                            creates.writeTransactions), creates.transactions, creates.cores("qube"),
                    creates.cores("postgres"),
                    creates.cores("bench"), Runtime.getRuntime().availableProcessors(), grpc.cores("etcd")));
            notes.add("- (b) Qube JVM CPU by thread while creating, per create: "
                    + threadBreakdown(creates.threads, creates.completed) + ".");
        }
    }

    /**
     * Sends creates in 5-second steps until the server's JIT compilers have settled (under 10% of its CPU in the
     * last step) and at least the minimum warm-up has passed, or the maximum has; says how it went.
     */
    private String warmUp(QubeServer server, ClosedLoop.Call call, long firstIndex) throws Exception {
        long start = System.nanoTime();
        long index = firstIndex;
        while (true) {
            Map<String, Double> before = Proc.threadCpuSeconds(server.pid());
            ClosedLoop.Result result = ClosedLoop.forDuration(settings.clients(), Duration.ZERO,
                    Duration.ofSeconds(5), index, call);
            check("warm-up", result);
            index += 1_000_000;
            Map<String, Double> used = Proc.minus(Proc.threadCpuSeconds(server.pid()), before);
            double total = used.values().stream().mapToDouble(Double::doubleValue).sum();
            double jit = used.entrySet().stream().filter(e -> e.getKey().matches("C[12] CompilerThre.*"))
                    .mapToDouble(Map.Entry::getValue).sum();
            double share = jit / Math.max(1e-9, total);
            double elapsed = (System.nanoTime() - start) / 1e9;
            progress(String.format("    warm-up %s: %3.0f s, %,6.0f creates/s, JIT %2.0f%% of its CPU", server.name,
                    elapsed, result.rate(), 100 * share));
            if (elapsed >= settings.minWarmup().toSeconds() && share < 0.10
                    || elapsed >= settings.maxWarmup().toSeconds()) {
                return String.format("%.0f s, %,.0f creates/s at the end, JIT compilers %.0f%% of the JVM's CPU in"
                        + " the last 5 s", elapsed, result.rate(), 100 * share);
            }
        }
    }

    /** The sum of a system's measured segments. */
    private static final class Tally {
        long completed;
        double seconds;
        long transactions;
        long writeTransactions;
        final Histogram latency = new Histogram(60_000_000L, 3);
        final Map<String, Double> cpu = new LinkedHashMap<>();
        final Map<String, Double> threads = new java.util.TreeMap<>();
        final List<Double> rates = new ArrayList<>();

        void add(ClosedLoop.Result result, Meter meter, long transactionCount, long writeTransactionCount) {
            completed += result.completed();
            seconds += result.seconds();
            transactions += transactionCount;
            writeTransactions += writeTransactionCount;
            latency.add(result.latency());
            rates.add(result.rate());
            for (String process : List.of("etcd", "qube", "postgres", "bench")) {
                cpu.merge(process, meter.cpu(process), Double::sum);
            }
            meter.threads().forEach((name, used) -> threads.merge(name, used, Double::sum));
        }

        double rate() {
            return completed / seconds;
        }

        String rateText(String unit) {
            return String.format("%,.0f %s/s", rate(), unit);
        }

        String p50() {
            return String.format("%.2f ms", latency.getValueAtPercentile(50) / 1000.0);
        }

        String p99() {
            return String.format("%.2f ms", latency.getValueAtPercentile(99) / 1000.0);
        }

        String perOp(String process) {
            return ApiBenchmark.perOp(cpu.getOrDefault(process, 0.0), completed);
        }

        double cores(String process) {
            return cpu.getOrDefault(process, 0.0) / seconds;
        }

        String rateRange() {
            return String.format("%,.0f–%,.0f/s", rates.stream().mapToDouble(d -> d).min().orElse(0),
                    rates.stream().mapToDouble(d -> d).max().orElse(0));
        }

        /** The lowest and highest ratio of this system's rate to another's in the same round. */
        String ratioRange(Tally other) {
            double min = Double.MAX_VALUE;
            double max = 0;
            for (int i = 0; i < rates.size(); i++) {
                double ratio = rates.get(i) / other.rates.get(i);
                min = Math.min(min, ratio);
                max = Math.max(max, ratio);
            }
            return String.format("%.2f–%.2f×", min, max);
        }
    }

    // ---------------------------------------------------------------------------------------- (c), (d) and (e)

    /**
     * (c) on two apiservers sharing one PostgreSQL; (d) and (e) then on a third apiserver (C) with a database of
     * its own on the same server, so that its memory holds the pods and not (c)'s tens of thousands of ConfigMaps.
     */
    private void cluster() throws Exception {
        if (only.contains("c")) {
            etcdWatchLatency();
        }
        progress("starting one PostgreSQL for (c) to (e)");
        EmbeddedDatabase database = EmbeddedDatabase.start(work.resolve("postgres"), 0, EmbeddedDatabase.Mode.DURABLE);
        Children.database(database);
        try {
            long postgres = Proc.postmasterPid(work.resolve("postgres"));
            if (only.contains("c")) {
                progress("(c) starting two apiserver processes (B1, B2) on one database");
                Map<String, String> environment = Map.of(
                        "QUARKUS_DATASOURCE_REACTIVE_URL", database.reactiveUrl(EmbeddedDatabase.DATABASE),
                        "QUARKUS_DATASOURCE_USERNAME", EmbeddedDatabase.USER);
                try (QubeServer first = QubeServer.start("B1", work.resolve("qube-b1"), environment, jvmOptions());
                     QubeServer second = QubeServer.start("B2", work.resolve("qube-b2"), environment, jvmOptions())) {
                    watchLatency(first, second, postgres);
                }
            }
            if (only.contains("d") || only.contains("e")) {
                progress("(d)(e) starting apiserver C on a fresh database");
                execute(database.port(), "CREATE DATABASE pods");
                Map<String, String> environment = Map.of(
                        "QUARKUS_DATASOURCE_REACTIVE_URL", database.reactiveUrl("pods"),
                        "QUARKUS_DATASOURCE_USERNAME", EmbeddedDatabase.USER);
                try (QubeServer server = QubeServer.start("C", work.resolve("qube-c"), environment, jvmOptions())) {
                    if (only.contains("d")) {
                        kubectlList(server);
                    }
                    if (only.contains("e")) {
                        memory(server, database);
                    }
                }
            }
        } finally {
            database.close();
            Children.closed(database);
        }
    }

    private String etcdByTenth = "not measured";

    /** The same watch measurement against etcd, as a baseline from the same machine at nearly the same time. */
    private void etcdWatchLatency() throws Exception {
        progress("(c) baseline: etcd with " + settings.watchers() + " gRPC watchers, " + settings.watchRate()
                + " puts/s: warm-up " + settings.watchWarmup().toSeconds() + " s, until delivered, then "
                + settings.watchMeasure().toSeconds() + " s measured");
        try (Etcd etcd = Etcd.start(work.resolve("etcd-watch"))) {
            Meter meter = new Meter(Map.of("etcd", etcd.pid()), -1);
            Vertx writer = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
            WatchLatency.Result result;
            try {
                result = WatchLatency.run(writer, etcd.watchTarget(vertx, writer, settings.watchers(),
                                index -> configMap(WatchLatency.objectName(index), "watch")
                                        .getBytes(StandardCharsets.UTF_8)),
                        settings.watchers(), settings.watchRate(), settings.watchWarmup(), settings.watchMeasure(),
                        meter::start, meter::stop);
            } finally {
                writer.close();
            }
            Files.writeString(work.resolve("watch-latency-etcd.csv"), result.timeline());
            Histogram events = result.eventLatency();
            row("c0", "baseline: etcd put→event latency, " + settings.watchers() + " gRPC watch streams (prefix),"
                            + " puts at " + settings.watchRate() + "/s",
                    String.format("%,.0f events/s", events.getTotalCount() / result.measuredSeconds()),
                    millis(events, 50), millis(events, 99), perEvent(meter.cpu("etcd"), events.getTotalCount())
                            + " etcd per event",
                    "all delivered: " + result.delivery() + "; max " + millis(events, 100));
            if (result.firstWatchError() != null) {
                notes.add("- (c0) first watch error: " + result.firstWatchError());
            }
            etcdByTenth = result.byWatcherTenth();
            notes.add("- (c0) etcd p99 per 5 s of the measured window (ms): " + result.slices()
                    + "; put round trip p50 " + millis(result.postLatency(), 50) + ", p99 "
                    + millis(result.postLatency(), 99) + ".");
        }
    }

    private void watchLatency(QubeServer writer, QubeServer watched, long postgres) throws Exception {
        progress("(c) warming B1 up with creates outside the watched selection");
        List<HttpClient> clients = BenchHttp.clients(vertx, writer.port, settings.clients());
        String warm = warmUp(writer, (client, index) -> BenchHttp.post(clients.get(client),
                "/api/v1/namespaces/default/configmaps", configMap(name("warm", index), "warm")), 0);
        BenchHttp.closeAll(clients);
        notes.add("- (c) B1 warm-up before the watchers: " + warm + ".");
        if (settings.fewWatchers() > 0) {
            WatchRun few = watchRun(writer, watched, postgres, settings.fewWatchers(), false);
            Histogram events = few.result().eventLatency();
            row("c4", "the same with " + settings.fewWatchers() + " watchers (namespace watch-"
                            + settings.fewWatchers() + "), run just before (c1)",
                    String.format("%,.0f events/s", events.getTotalCount() / few.result().measuredSeconds()),
                    millis(events, 50), millis(events, 99), perEvent(few.meter().cpu("watched"),
                            events.getTotalCount()) + " B2 per event", "all delivered: " + few.result().delivery()
                            + "; max " + millis(events, 100) + "; POST p50 " + millis(few.result().postLatency(), 50)
                            + ", p99 " + millis(few.result().postLatency(), 99));
            notes.add("- (c4) Qube p99 per 5 s of the measured window with " + settings.fewWatchers()
                    + " watchers (ms): " + few.result().slices() + ".");
        }
        WatchRun run = watchRun(writer, watched, postgres, settings.watchers(), true);
        WatchLatency.Result result = run.result();
        Meter meter = run.meter();
        Histogram events = result.eventLatency();
        Histogram posts = result.postLatency();
        long measuredEvents = events.getTotalCount();
        double p99 = events.getValueAtPercentile(99) / 1000.0;
        row("c1", "Qube create→event latency, " + settings.watchers() + " watchers (chunked HTTP, label selector)"
                        + " on apiserver B2; creates through B1 at " + settings.watchRate() + "/s",
                String.format("%,.0f events/s", measuredEvents / result.measuredSeconds()), millis(events, 50),
                millis(events, 99), perEvent(meter.cpu("watched"), measuredEvents) + " B2 per event",
                String.format("target p99 < 15 ms: **%s** (max %s)", p99 < 15 ? "met" : "NOT met",
                        millis(events, 100)));
        row("c2", "POST round trip through B1 during (c1)", String.format("%,d creates", posts.getTotalCount()),
                millis(posts, 50), millis(posts, 99), perOp(meter.cpu("writer"), posts.getTotalCount()) + " B1", "");
        row("c3", "every watcher got every event?", String.format("%,d of %,d events", result.delivered(),
                result.expected()), "", "", "", result.delivery());
        if (result.firstWatchError() != null) {
            notes.add("- (c) first watch error: " + result.firstWatchError());
        }
        if (result.firstPostError() != null) {
            notes.add("- (c) first failed create: " + result.firstPostError());
        }
        notes.add("- (c1) Qube p99 per 5 s of the measured window (ms): " + result.slices() + " (per second, warm-up"
                + " included: watch-latency-qube-" + settings.watchers() + ".csv in the run directory).");
        notes.add("- (c1) mean latency of each tenth of the " + settings.watchers() + " watchers, in the order they"
                + " were opened, one after another (ms): " + result.byWatcherTenth() + "; etcd's (c0): " + etcdByTenth + ".");
        notes.add(String.format("- (c1) CPU during the measured window: B2 (watched) %.2f, B1 (writes) %.2f,"
                        + " PostgreSQL %.2f, benchmark client (%,d watch connections) %.2f cores. B2 by thread, per"
                        + " event delivered: %s.", meter.cpu("watched") / meter.seconds(),
                meter.cpu("writer") / meter.seconds(), meter.cpu("postgres") / meter.seconds(), settings.watchers(),
                meter.cpu("bench") / meter.seconds(), threadBreakdown(meter.threads(), measuredEvents)));
        long blocked;
        try (Stream<String> log = Files.lines(watched.log)) {
            blocked = log.filter(line -> line.contains("BlockedThreadChecker")).count();
        }
        if (blocked > 0) {
            notes.add("- (c) B2's log has " + blocked + " Vert.x blocked-thread warnings (an event loop busy for over"
                    + " 2 s): " + work.relativize(watched.log) + ".");
        }
    }

    private record WatchRun(WatchLatency.Result result, Meter meter) {
    }

    /** One watch measurement against Qube in its own namespace, {@code watch-<watchers>}. */
    private WatchRun watchRun(QubeServer writer, QubeServer watched, long postgres, int watchers, boolean record)
            throws Exception {
        String namespace = "watch-" + watchers;
        createNamespace(writer, namespace);
        String resourceVersion = getJson(watched.url("/api/v1/namespaces/" + namespace + "/configmaps")).path("metadata")
                .path("resourceVersion").asText();
        progress("(c) " + watchers + " watchers on B2 from resourceVersion " + resourceVersion + "; "
                + settings.watchRate() + " creates/s through B1: warm-up " + settings.watchWarmup().toSeconds()
                + " s, until delivered, then " + settings.watchMeasure().toSeconds() + " s measured");
        Meter meter = new Meter(Map.of("writer", writer.pid(), "watched", watched.pid(), "postgres", postgres),
                watched.pid());
        Vertx pacer = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        WatchLatency.Result result;
        try {
            result = WatchLatency.run(pacer, new QubeWatchTarget(vertx, pacer, watched.port, writer.port, namespace,
                            resourceVersion, watchers, index -> configMap(WatchLatency.objectName(index), "watch")),
                    watchers, settings.watchRate(), settings.watchWarmup(), settings.watchMeasure(), () -> {
                        if (record) {
                            startRecording(watched, "watch");
                        }
                        meter.start();
                    }, () -> {
                        meter.stop();
                        if (record) {
                            stopRecording(watched, "watch", "(c) second apiserver (B2) serving " + watchers
                                    + " watchers");
                        }
                    });
        } finally {
            pacer.close();
        }
        Files.writeString(work.resolve("watch-latency-qube-" + watchers + ".csv"), result.timeline());
        progress(String.format("    %d watchers: p50 %s, p99 %s; p99 per 5 s: %s", watchers,
                millis(result.eventLatency(), 50), millis(result.eventLatency(), 99), result.slices()));
        return new WatchRun(result, meter);
    }

    private void kubectlList(QubeServer server) throws Exception {
        createNamespaces(server);
        progress("(d) creating " + String.format("%,d", settings.listPods()) + " pods with "
                + settings.podClients() + " clients");
        List<HttpClient> clients = BenchHttp.clients(vertx, server.port, settings.podClients());
        ClosedLoop.Result created = ClosedLoop.forCount(settings.podClients(), 0, settings.listPods(),
                podCreate(clients));
        check("pod creates", created);
        podWrites = created;
        BenchHttp.closeAll(clients);
        liveHeapBase = liveHeapKib(server);
        liveHeapBasePods = created.completed();

        Path kubeconfig = work.resolve("kubeconfig");
        Files.writeString(kubeconfig, KubeconfigWriter.kubeconfig(server.url("")));
        progress("(d) kubectl get pods -A: 1 untimed run (discovery), " + settings.kubectlRuns() + " timed, "
                + settings.kubectlRuns() + " more with -v=6 for per-request times");
        kubectl(kubeconfig, false, new ArrayList<>());
        List<Double> seconds = new ArrayList<>();
        for (int i = 0; i < settings.kubectlRuns(); i++) {
            seconds.add(kubectl(kubeconfig, false, new ArrayList<>()));
        }
        Map<String, Double> metricsBefore = listMetrics(server);
        List<Long> pageMillis = new ArrayList<>();
        startRecording(server, "list");
        for (int i = 0; i < settings.kubectlRuns(); i++) {
            kubectl(kubeconfig, true, pageMillis);
        }
        stopRecording(server, "list", "(d) apiserver C answering kubectl get pods -A (Table pages of 500)");
        Map<String, Double> metricsAfter = listMetrics(server);
        List<Double> sorted = seconds.stream().sorted().toList();
        row("d1", String.format("`kubectl get pods -A`, %,d pods in %d namespaces (pages of 500, Table)",
                        settings.listPods(), NAMESPACES),
                String.format("%.2f / %.2f / %.2f s", sorted.get(0), sorted.get(sorted.size() / 2),
                        sorted.get(sorted.size() - 1)), "", "", "", "min / median / max of " + sorted.size()
                        + " runs; SLO for cluster-wide lists ≤ 30 s");
        Histogram pages = new Histogram(60_000_000L, 3);
        pageMillis.forEach(ms -> pages.recordValue(Math.max(1, ms * 1000)));
        double count = metricsAfter.getOrDefault("count", 0.0) - metricsBefore.getOrDefault("count", 0.0);
        double sum = metricsAfter.getOrDefault("sum", 0.0) - metricsBefore.getOrDefault("sum", 0.0);
        // Micrometer's max is over a rolling window that may reach back to the untimed first run: not reported.
        String server99 = count > 0 ? String.format("server time: mean %.1f ms over these %.0f requests",
                1000 * sum / count, count) : "server: no metrics";
        row("d2", "one list request `GET /api/v1/pods?limit=500` (Table) as kubectl -v=6 timed it",
                String.format("%d requests", pages.getTotalCount()), millis(pages, 50), millis(pages, 99), "",
                server99 + " (Micrometer)");
    }

    private ClosedLoop.Result podWrites;
    /** The live heap with {@link #liveHeapBasePods} pods stored, to tell what each further pod costs. */
    private long liveHeapBase;
    private long liveHeapBasePods;

    /** The heap in use right after a full GC (jcmd GC.run, then GC.heap_info), in KiB. */
    private static long liveHeapKib(QubeServer server) {
        jcmd(server.pid(), "GC.run");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(jcmd(server.pid(), "GC.heap_info"));
        return used.find() ? Long.parseLong(used.group(1)) : -1;
    }

    /** The first {@code count} classes of a class histogram: name and MiB. */
    private static String topClasses(String histogram, int count) {
        Pattern line = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
        List<String> top = new ArrayList<>();
        for (String text : histogram.split("\n")) {
            Matcher m = line.matcher(text);
            if (m.find() && top.size() < count) {
                top.add(String.format("%s %,d MiB (%,d)", m.group(3), Long.parseLong(m.group(2)) / (1024 * 1024),
                        Long.parseLong(m.group(1))));
            }
        }
        return String.join(", ", top);
    }

    private void memory(QubeServer server, EmbeddedDatabase database) throws Exception {
        progress("(e) creating pods up to " + String.format("%,d", settings.memoryPods()) + " with "
                + settings.podClients() + " clients");
        List<HttpClient> clients = BenchHttp.clients(vertx, server.port, settings.podClients());
        long first = podWrites == null ? 0 : settings.listPods();
        if (podWrites == null) {
            createNamespaces(server);
            liveHeapBase = liveHeapKib(server);
            liveHeapBasePods = 0;
        }
        ClosedLoop.Result created = ClosedLoop.forCount(settings.podClients(), first, settings.memoryPods(),
                podCreate(clients));
        check("pod creates", created);
        BenchHttp.closeAll(clients);
        long totalPods = (podWrites == null ? 0 : podWrites.completed()) + created.completed();
        double totalSeconds = (podWrites == null ? 0 : podWrites.seconds()) + created.seconds();
        Histogram latency = created.latency().copy();
        if (podWrites != null) {
            latency.add(podWrites.latency());
        }
        row("e1", String.format("write %,d pods (POST, %d clients), from empty", totalPods, settings.podClients()),
                String.format("%.0f s, %,.0f pods/s", totalSeconds, totalPods / totalSeconds), millis(latency, 50),
                millis(latency, 99), "", String.format("last %,d: %,.0f pods/s", created.completed(), created.rate()));
        long rssAfterWrites = Proc.rssKib(server.pid());
        progress("(e) listing all pods once (GET /api/v1/pods?resourceVersion=0, from the watch cache)");
        long start = System.nanoTime();
        long[] counted = countListItems(server.url("/api/v1/pods?resourceVersion=0"));
        double listSeconds = (System.nanoTime() - start) / 1e9;
        long rssAfterList = Proc.rssKib(server.pid());
        long heapUsed = liveHeapKib(server);
        long rssAfterGc = Proc.rssKib(server.pid());
        String histogram = jcmd(server.pid(), "GC.class_histogram");
        Files.writeString(work.resolve("class-histogram.txt"), histogram);
        row("e2", String.format("apiserver (C) resident memory (VmRSS) with %,d pods stored", counted[0]),
                String.format("%,d MiB", rssAfterWrites / 1024), "", "", "",
                String.format("after one full list: %,d MiB; after a full GC: %,d MiB RSS, %,d MiB live heap",
                        rssAfterList / 1024, rssAfterGc / 1024, heapUsed / 1024));
        row("e3", "full list `GET /api/v1/pods?resourceVersion=0` (JSON, from the watch cache)",
                String.format("%,d items, %,d MB, %.1f s", counted[0], counted[1] / 1_000_000, listSeconds), "", "",
                "", "");
        notes.add(String.format("- (e) live heap after a full GC: %,d MiB with %,d pods, %,d MiB with %,d pods:"
                        + " %,.0f bytes per further pod. Largest classes (jcmd GC.class_histogram, %s): %s.",
                liveHeapBase / 1024, liveHeapBasePods, heapUsed / 1024, counted[0],
                (heapUsed - liveHeapBase) * 1024.0 / Math.max(1, counted[0] - liveHeapBasePods),
                "class-histogram.txt", topClasses(histogram, 6)));
        notes.add(String.format("- (e) size of C's PostgreSQL database with the pods: %,d MB.",
                queryLong(database.port(), "SELECT pg_database_size('pods')") / 1_000_000));
        notes.add("- (e) apiserver JVM options: " + (jvmOptions().isEmpty() ? "none (the JDK's defaults, as `./qube up`"
                + " runs it: G1, max heap 1/4 of RAM)" : String.join(" ", jvmOptions())) + ".");
    }

    // ------------------------------------------------------------------------------------------------- helpers

    private ClosedLoop.Call podCreate(List<HttpClient> clients) {
        return (client, index) -> {
            String namespace = "bench-" + (index % NAMESPACES);
            return BenchHttp.post(clients.get(client), "/api/v1/namespaces/" + namespace + "/pods",
                    pod(name("p", index), namespace));
        };
    }

    private void createNamespaces(QubeServer server) throws IOException, InterruptedException {
        for (int i = 0; i < NAMESPACES; i++) {
            createNamespace(server, "bench-" + i);
        }
    }

    private void createNamespace(QubeServer server, String name) throws IOException, InterruptedException {
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(server.url("/api/v1/namespaces")))
                .header("Content-Type", "application/json").header("User-Agent", BenchHttp.USER_AGENT)
                .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"" + name + "\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("namespace " + name + ": " + created.body());
        }
    }

    /** Runs kubectl get pods -A; returns its wall time and adds the pod list requests' times it logged (-v=6). */
    private double kubectl(Path kubeconfig, boolean verbose, List<Long> pageMillis) throws Exception {
        List<String> command = new ArrayList<>(List.of("kubectl", "get", "pods", "-A",
                "--cache-dir", work.resolve("kube-cache").toString()));
        if (verbose) {
            command.add("-v=6");
        }
        Path out = work.resolve("kubectl.out");
        Path err = work.resolve("kubectl.err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("KUBECONFIG", kubeconfig.toString());
        long start = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("kubectl get pods -A took over 120 s");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long lines;
        try (Stream<String> output = Files.lines(out)) {
            lines = output.count();
        }
        if (process.exitValue() != 0 || lines != settings.listPods() + 1) {
            throw new IllegalStateException("kubectl get pods -A exited " + process.exitValue() + " with " + lines
                    + " lines (want " + (settings.listPods() + 1) + "): " + Files.readString(err));
        }
        Pattern request = Pattern.compile("GET \\S+/api/v1/pods\\?\\S* 200 OK in (\\d+) milliseconds");
        try (Stream<String> log = Files.lines(err)) {
            log.forEach(line -> {
                Matcher m = request.matcher(line);
                if (m.find()) {
                    pageMillis.add(Long.parseLong(m.group(1)));
                }
            });
        }
        return seconds;
    }

    /** count, sum (s) and max (s) of the server's GET /api/v1/pods 200 timer (Micrometer, Prometheus format). */
    private Map<String, Double> listMetrics(QubeServer server) throws IOException, InterruptedException {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(server.url("/q/metrics"))).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> values = new LinkedHashMap<>();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("http_server_requests_seconds") && line.contains("method=\"GET\"")
                    && line.contains("status=\"200\"") && line.contains("uri=\"/api/v1/pods\"")) {
                String kind = line.substring("http_server_requests_seconds_".length(), line.indexOf('{'));
                values.put(kind, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return values;
    }

    /** Streams a list response and counts its items: {items, bytes}. */
    private long[] countListItems(String url) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode());
        }
        long items = 0;
        CountingStream body = new CountingStream(response.body());
        try (JsonParser parser = new JsonFactory().createParser(body)) {
            int depth = 0;
            boolean inItems = false;
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                switch (token) {
                    case FIELD_NAME -> {
                        if (depth == 1) {
                            inItems = parser.getCurrentName().equals("items");
                        }
                    }
                    case START_OBJECT, START_ARRAY -> {
                        if (token == JsonToken.START_OBJECT && depth == 2 && inItems) {
                            items++;
                        }
                        depth++;
                    }
                    case END_OBJECT, END_ARRAY -> depth--;
                    default -> { }
                }
            }
        }
        return new long[]{items, body.count};
    }

    private static final class CountingStream extends java.io.FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    private com.fasterxml.jackson.databind.JsonNode getJson(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static void check(String what, ClosedLoop.Result result) {
        if (result.errors() > 0) {
            throw new IllegalStateException(what + ": " + result.errors() + " requests failed, the first: "
                    + result.firstError());
        }
        if (result.completed() == 0) {
            throw new IllegalStateException(what + ": nothing completed");
        }
    }

    private List<String> jvmOptions() {
        List<String> options = new ArrayList<>(qubeJvm);
        if (profile) {
            options.add("-XX:FlightRecorderOptions:stackdepth=256");
        }
        return options;
    }

    private void startRecording(QubeServer server, String name) {
        if (profile) {
            // method-profiling=max: a Java stack sample every few milliseconds instead of every 10 or 20.
            jcmd(server.pid(), "JFR.start", "name=" + name, "settings=profile", "method-profiling=max");
        }
    }

    private void stopRecording(QubeServer server, String name, String title) {
        if (!profile) {
            return;
        }
        Path file = work.resolve(name + ".jfr");
        jcmd(server.pid(), "JFR.stop", "name=" + name, "filename=" + file);
        try {
            profiles.add("### Profile: " + title + " (" + file.getFileName() + ")\n\n```\n"
                    + JfrSummary.summarize(file, 25) + "```\n");
        } catch (IOException e) {
            profiles.add("### Profile: " + title + ": could not read " + file + ": " + e.getMessage());
        }
    }

    private static String jcmd(long pid, String... command) {
        List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid)));
        line.addAll(List.of(command));
        try {
            Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(120, TimeUnit.SECONDS);
            return out;
        } catch (IOException | InterruptedException e) {
            return "jcmd failed: " + e.getMessage();
        }
    }

    /**
     * PostgreSQL's counts of committed transactions and of write transactions (each qube_write batch updates the
     * single revision row once). The statistics collector may lag by half a second.
     */
    private static long[] transactions(int port) {
        return new long[]{
                queryLong(port, "SELECT xact_commit FROM pg_stat_database WHERE datname = 'postgres'"),
                queryLong(port, "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'qube_revision'")};
    }

    private static void execute(int port, String sql) {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                EmbeddedDatabase.USER, "");
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static long queryLong(int port, String sql) {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                EmbeddedDatabase.USER, "");
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    // --------------------------------------------------------------------------------------------- objects

    static String name(String prefix, long index) {
        return String.format("%s-%07d", prefix, index);
    }

    /** A ConfigMap request body of ~1 KB. */
    public static String configMap(String name, String label) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name
                + "\",\"labels\":{\"bench\":\"" + label + "\",\"app\":\"api-benchmark\"}},\"data\":{\"payload\":\""
                + PAYLOAD + "\"}}";
    }

    /** A small valid pod: one container with a name and an image, and resource requests. */
    public static String pod(String name, String namespace) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\""
                + namespace + "\",\"labels\":{\"app\":\"api-benchmark\",\"shard\":\"" + namespace + "\"}},"
                + "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"registry.local/bench/app:1.0\","
                + "\"resources\":{\"requests\":{\"cpu\":\"10m\",\"memory\":\"16Mi\"}}}]}}";
    }

    // --------------------------------------------------------------------------------------------- report

    private void row(String id, String measurement, String result, String p50, String p99, String cpu,
                     String versus) {
        rows.add(new String[]{id, measurement, result, p50, p99, cpu, versus});
        progress("    " + id + " " + result + (p50.isEmpty() ? "" : ", p50 " + p50 + ", p99 " + p99)
                + (versus.isEmpty() ? "" : "; " + versus));
    }

    private String table() {
        StringBuilder out = new StringBuilder();
        out.append("| | measurement | result | p50 | p99 | server CPU per operation | comparison |\n");
        out.append("|---|---|---|---|---|---|---|\n");
        for (String[] row : rows) {
            out.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        return out.toString();
    }

    private static String rate(ClosedLoop.Result result, String unit) {
        return String.format("%,.0f %s/s", result.rate(), unit);
    }

    private static String millis(Histogram histogram, double percentile) {
        long micros = percentile >= 100 ? histogram.getMaxValue() : histogram.getValueAtPercentile(percentile);
        return String.format("%.2f ms", micros / 1000.0);
    }

    private static String perOp(double cpuSeconds, ClosedLoop.Result result) {
        return perOp(cpuSeconds, result.completed());
    }

    private static String perOp(double cpuSeconds, long operations) {
        return operations == 0 ? "?" : String.format("%.0f µs", cpuSeconds * 1e6 / operations);
    }

    private static String perEvent(double cpuSeconds, long events) {
        return events == 0 ? "?" : String.format("%.1f µs", cpuSeconds * 1e6 / events);
    }

    private static String threadBreakdown(Map<String, Double> threads, long operations) {
        double total = threads.values().stream().mapToDouble(Double::doubleValue).sum();
        StringBuilder out = new StringBuilder(String.format("total %.0f µs", total * 1e6 / Math.max(1, operations)));
        threads.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()))
                .limit(7).forEach(e -> out.append(String.format("; %s %.0f µs (%.0f%%)", e.getKey(),
                        e.getValue() * 1e6 / Math.max(1, operations), 100 * e.getValue() / total)));
        return out.toString();
    }

    private static void progress(String message) {
        System.err.println("[" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + "] "
                + message);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /**
     * CPU seconds of processes (PostgreSQL with its backends) between {@link #start} and {@link #stop}, and of one
     * process's threads by group.
     */
    private static final class Meter {
        private final Map<String, Long> processes;
        private final long threadsOf;
        private final Map<String, Double> before = new LinkedHashMap<>();
        private final Map<String, Double> after = new LinkedHashMap<>();
        private Map<String, Double> threadsBefore = Map.of();
        private Map<String, Double> threadsAfter = Map.of();
        private long startNanos;
        private long stopNanos;

        Meter(Map<String, Long> processes, long threadsOf) {
            this.processes = new LinkedHashMap<>(processes);
            this.processes.put("bench", ProcessHandle.current().pid());
            this.threadsOf = threadsOf;
        }

        void start() {
            snapshot(before);
            threadsBefore = threadsOf > 0 ? Proc.threadCpuSeconds(threadsOf) : Map.of();
            startNanos = System.nanoTime();
        }

        void stop() {
            stopNanos = System.nanoTime();
            snapshot(after);
            threadsAfter = threadsOf > 0 ? Proc.threadCpuSeconds(threadsOf) : Map.of();
        }

        private void snapshot(Map<String, Double> into) {
            // PostgreSQL's backends are children of its postmaster; the others are single processes.
            processes.forEach((name, pid) -> into.put(name, name.equals("postgres") ? Proc.treeCpuSeconds(pid)
                    : Proc.cpuSeconds(pid)));
        }

        double cpu(String name) {
            return after.getOrDefault(name, 0.0) - before.getOrDefault(name, 0.0);
        }

        double seconds() {
            return (stopNanos - startNanos) / 1e9;
        }

        Map<String, Double> threads() {
            return Proc.minus(threadsAfter, threadsBefore);
        }
    }
}
