package io.qube.bench;

import io.qube.launcher.EmbeddedDatabase;
import io.qube.store.ListRequest;
import io.qube.store.ObjectKey;
import io.qube.store.ObjectWrite;
import io.qube.store.Preconditions;
import io.qube.store.ResourceType;
import io.qube.store.WatchEvent;
import io.qube.store.WatchRequest;
import io.qube.store.pg.PgObjectStore;
import io.qube.store.pg.PgStoreConfig;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Tuple;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import java.util.stream.Stream;

/**
 * The store benchmark of issue 2, run by {@code bench/store.sh}. In one run, against one embedded PostgreSQL it
 * starts itself, it measures:
 * <ol type="a">
 *   <li>the baseline: raw single-row JSONB insert transactions per second, each client on its own connection,
 *       autocommit, no batching;</li>
 *   <li>store creates and updates per second through {@link PgObjectStore}, closed loop, and their ratio to (a) at
 *       the same concurrency;</li>
 *   <li>watch latency from just before a write is issued on one store instance to its delivery to each watcher of
 *       another instance (own pools and listener, same database), next to the write's own round trip and to a raw
 *       insert+NOTIFY to LISTEN baseline; every event at every watcher is counted and checked.</li>
 * </ol>
 * Every phase warms up before it measures. Options: {@code --warmup=0.5 --measure=2.5 --rounds=3 --watch-measure=10
 * --concurrency=1,16 --watchers=1,1000 --rate=200 --body-bytes=1024 --max-batch=N --batches-in-flight=N --durable}: max-batch and
 * batches-in-flight override {@link PgStoreConfig#defaults}; durable turns fsync and synchronous_commit on, which
 * the embedded database turns off; statements prints, per store phase, where PostgreSQL spent its time
 * (pg_stat_statements; it slows PostgreSQL down a little). Exits 1 if any write failed or any watch event went missing.
 */
public final class StoreBenchmark {

    private static final ResourceType PODS = ResourceType.core("pods");
    private static final Map<String, String> LABELS = Map.of("app", "bench", "tier", "web");
    private static final Map<String, String> FIELDS = Map.of("spec.nodeName", "node-1",
            "spec.restartPolicy", "Always", "status.phase", "Running");
    private static final String RAW_INSERT = "INSERT INTO bench_raw(id, body) VALUES ($1, $2::jsonb)";
    private static final String NOTIFY_CHANNEL = "bench_raw";
    private static final String RAW_INSERT_NOTIFY = "WITH i AS (INSERT INTO bench_raw(id, body) VALUES ($1, $2::jsonb))"
            + " SELECT pg_notify('" + NOTIFY_CHANNEL + "', $1::text)";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final Settings settings;
    private final List<Result> results = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final AtomicLong rawIds = new AtomicLong();
    private Server database;

    private StoreBenchmark(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        boolean ok;
        try {
            ok = new StoreBenchmark(Settings.parse(args)).run();
        } catch (Throwable e) {
            e.printStackTrace();
            ok = false;
        }
        // Vert.x threads are not daemons: leave explicitly, also after a failure.
        System.exit(ok ? 0 : 1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The run

    private boolean run() throws Exception {
        Path dataDirectory = Files.createTempDirectory("qube-bench-pg");
        try {
            database = Server.start(dataDirectory, settings.durable, settings.statements);
            sql("postgres", "CREATE DATABASE bench_store");
            if (settings.statements) {
                sql("bench_store", "CREATE EXTENSION pg_stat_statements");
            }
            sql("postgres", "CREATE DATABASE bench_watch");
            printHeader();
            if (settings.concurrency.length > 0) {
                writePhases();
                settle();
            }
            if (settings.watchers.length > 0) {
                watchPhases();
            }
        } finally {
            if (database != null) {
                database.close();
            }
            deleteRecursively(dataDirectory);
        }
        printTable();
        if (!problems.isEmpty()) {
            System.out.println();
            System.out.println("FAILED CHECKS:");
            problems.forEach(p -> System.out.println("  " + p));
        }
        return problems.isEmpty();
    }

    /**
     * The PostgreSQL under test: Qube's {@link EmbeddedDatabase} as it ships, or with {@code --durable} the same
     * zonky server with fsync and synchronous_commit turned back on (the embedded default turns both off).
     */
    private record Server(int port, Path dataDirectory, AutoCloseable stop) implements AutoCloseable {

        static Server start(Path dataDirectory, boolean durable, boolean statements) throws IOException {
            if (!durable && !statements) {
                EmbeddedDatabase embedded = EmbeddedDatabase.start(dataDirectory, 0);
                return new Server(embedded.port(), dataDirectory, embedded);
            }
            // The same server as EmbeddedDatabase starts, with what the options add.
            io.zonky.test.db.postgres.embedded.EmbeddedPostgres.Builder builder =
                    io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                            .setDataDirectory(dataDirectory).setCleanDataDirectory(false)
                            .setServerConfig("max_connections", "300")
                            .setServerConfig("listen_addresses", "127.0.0.1");
            if (durable) {
                builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
            }
            if (statements) {
                builder.setServerConfig("shared_preload_libraries", "pg_stat_statements")
                        .setServerConfig("pg_stat_statements.track", "all");
            }
            io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres = builder.start();
            return new Server(postgres.getPort(), dataDirectory, postgres);
        }

        PgConnectOptions connectOptions(String database) {
            return new PgConnectOptions().setHost("127.0.0.1").setPort(port).setDatabase(database)
                    .setUser(EmbeddedDatabase.USER);
        }

        /** The postmaster's process id, from postmaster.pid in the data directory. */
        long postmasterPid() {
            try {
                return Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws Exception {
            stop.close();
        }
    }

    private void printHeader() {
        System.out.println("Qube store benchmark (issue 2)");
        System.out.println("  date:       " + ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME));
        System.out.println("  machine:    " + Runtime.getRuntime().availableProcessors() + " CPUs (nproc), "
                + cpuModel() + ", " + memory());
        System.out.println("  load avg:   " + loadAverage() + " (at start; other work on the machine moves absolute"
                + " figures: compare ratios, CPU per operation and the baseline rows of the same run)");
        System.out.println("  java:       " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        System.out.println("  postgresql: " + query("postgres", "SHOW server_version") + " (embedded, zonky), fsync="
                + query("postgres", "SHOW fsync") + ", synchronous_commit=" + query("postgres", "SHOW synchronous_commit")
                + ", full_page_writes=" + query("postgres", "SHOW full_page_writes")
                + ", shared_buffers=" + query("postgres", "SHOW shared_buffers")
                + (settings.durable ? " (--durable)" : " (as Qube's EmbeddedDatabase ships; --durable turns fsync and"
                + " synchronous_commit on)"));
        System.out.println("  store:      maxBatch=" + settings.maxBatch + ", batchesInFlight="
                + settings.batchesInFlight + " (PgStoreConfig.defaults: " + defaultsOf().maxBatch() + ", "
                + defaultsOf().batchesInFlight() + ")");
        System.out.println("  phases:     (a)+(b): " + settings.rounds + " rounds of raw, create, update per concurrency,"
                + " each phase " + seconds(settings.warmup) + " s warm-up + " + seconds(settings.measure) + " s measured;"
                + " (c): writes at " + settings.rate + "/s, " + seconds(settings.warmup) + " s warm-up + "
                + seconds(settings.watchMeasure) + " s measured; bodies " + settings.bodyBytes + " bytes");
        System.out.println();
    }

    // ---------------------------------------------------------------------------------------------------------
    // (a) and (b): raw inserts, store creates and updates, closed loop

    private void writePhases() throws Exception {
        Vertx vertx = Vertx.vertx();
        PgConnectOptions options = database.connectOptions("bench_store");
        PgObjectStore store = PgObjectStore.start(vertx, storeConfig(options)).await().atMost(WAIT);
        // After the store's migrations, which want an empty schema to start from.
        sql("bench_store", "CREATE TABLE bench_raw (id bigint PRIMARY KEY, body jsonb NOT NULL)");
        try {
            String rawBody = body("raw", 0);
            // Compile the hot paths before anything is measured: a few seconds of raw inserts and store writes.
            int most = Arrays.stream(settings.concurrency).max().orElse(1);
            PgConnection warmupConnection = await(PgConnection.connect(vertx, options));
            closedLoop("(JIT warm-up, raw)", 1, (caller, i) -> warmupConnection.preparedQuery(RAW_INSERT)
                    .execute(Tuple.of(rawIds.incrementAndGet(), rawBody)).toCompletionStage(), null,
                    Duration.ZERO, Duration.ofMillis(1500));
            warmupConnection.close();
            closedLoop("(JIT warm-up, store)", most, (caller, i) -> store.create(write("jit-" + caller + "-" + i, i))
                    .subscribeAsCompletionStage(), null, Duration.ZERO, Duration.ofMillis(3500));
            for (int concurrency : settings.concurrency) {
                List<PgConnection> connections = new ArrayList<>();
                for (int i = 0; i < concurrency; i++) {
                    connections.add(await(PgConnection.connect(vertx, new PgConnectOptions(options)
                            .setCachePreparedStatements(true))));
                }
                UpdateCallers callers = new UpdateCallers(store, concurrency);
                List<Measured> raws = new ArrayList<>();
                List<Measured> creates = new ArrayList<>();
                List<Measured> updates = new ArrayList<>();
                RevisionSpan createSpans = new RevisionSpan();
                RevisionSpan updateSpans = new RevisionSpan();
                // Rounds of baseline, creates, updates: each ratio compares phases run seconds apart, and the median
                // over rounds keeps one disturbed phase from deciding it.
                for (int round = 0; round < settings.rounds; round++) {
                    int r = round;
                    raws.add(closedLoop("(a) raw insert", concurrency, (caller, i) -> connections.get(caller)
                            .preparedQuery(RAW_INSERT).execute(Tuple.of(rawIds.incrementAndGet(), rawBody))
                            .toCompletionStage(), null));
                    creates.add(closedLoop("(b) store create", concurrency, (caller, i) -> store.create(
                            write("c" + concurrency + "-" + r + "-" + caller + "-" + i, i))
                            .subscribeAsCompletionStage(), createSpans));
                    updates.add(closedLoop("(b) store update", concurrency, callers::update, updateSpans));
                }
                connections.forEach(PgConnection::close);
                String label = String.valueOf(concurrency);
                Measured raw = Measured.combine(raws);
                results.add(new Result("(a) raw insert tx", label, raw.perSecond(), raw.latency, null, null,
                        raw.cpu, raw.count, "1 row/tx"));
                Measured created = Measured.combine(creates);
                results.add(new Result("(b) store create", label, created.perSecond(), created.latency,
                        raw.perSecond(), medianRatio(creates, raws), created.cpu, created.count,
                        createSpans.writesPerTransaction()));
                Measured updated = Measured.combine(updates);
                results.add(new Result("(b) store update", label, updated.perSecond(), updated.latency,
                        raw.perSecond(), medianRatio(updates, raws), updated.cpu, updated.count,
                        updateSpans.writesPerTransaction()));
            }
        } finally {
            store.close();
            await(vertx.close());
        }
    }

    /**
     * Leaves (c) a quiet server and heap: without the write phases' database, autovacuum and the checkpointer have
     * nothing of theirs left to do, and their garbage is collected now rather than while (c) measures.
     */
    private void settle() {
        sql("postgres", "DROP DATABASE bench_store WITH (FORCE)");
        sql("postgres", "CHECKPOINT");
        System.gc();
    }

    /** Each update caller owns a few objects and updates them in turn, with the revision it last saw as precondition. */
    private final class UpdateCallers {

        private final PgObjectStore store;
        private final ObjectKey[][] keys;
        private final long[][] revisions;

        UpdateCallers(PgObjectStore store, int callers) {
            this.store = store;
            keys = new ObjectKey[callers][settings.updateKeys];
            revisions = new long[callers][settings.updateKeys];
            List<CompletableFuture<Void>> created = new ArrayList<>();
            for (int caller = 0; caller < callers; caller++) {
                for (int k = 0; k < settings.updateKeys; k++) {
                    int c = caller;
                    int key = k;
                    ObjectWrite write = write("u" + callers + "-" + caller + "-" + k, 0);
                    keys[c][key] = write.key();
                    created.add(store.create(write).subscribeAsCompletionStage()
                            .thenAccept(object -> revisions[c][key] = object.revision()));
                }
            }
            CompletableFuture.allOf(created.toArray(CompletableFuture[]::new)).join();
        }

        CompletionStage<?> update(int caller, long iteration) {
            int k = (int) (iteration % keys[caller].length);
            ObjectKey key = keys[caller][k];
            ObjectWrite write = new ObjectWrite(key, null, LABELS, FIELDS, body(key.name(), iteration + 1));
            return store.update(write, Preconditions.revision(revisions[caller][k])).subscribeAsCompletionStage()
                    .thenAccept(object -> revisions[caller][k] = object.revision());
        }
    }

    /**
     * The revisions written while phases measured, to count how many writes shared a transaction: log rows over the
     * distinct transaction ids (xmin) that wrote them.
     */
    private final class RevisionSpan {
        private long from;
        private long writes;
        private long transactions;

        void start() {
            from = Long.parseLong(query("bench_store", "SELECT revision FROM qube_revision"));
            if (settings.statements) {
                query("bench_store", "SELECT pg_stat_statements_reset()");
            }
        }

        void end() {
            long to = Long.parseLong(query("bench_store", "SELECT revision FROM qube_revision"));
            String[] counts = query("bench_store", "SELECT count(*) || ' ' || count(DISTINCT xmin::text)"
                    + " FROM qube_log WHERE revision > " + from + " AND revision <= " + to).split(" ");
            writes += Long.parseLong(counts[0]);
            transactions += Long.parseLong(counts[1]);
            if (settings.statements) {
                printStatements();
            }
        }

        String writesPerTransaction() {
            return transactions == 0 ? "" : String.format("%.1f writes/tx", (double) writes / transactions);
        }
    }

    /** The median over rounds of each round's ratio to the baseline measured just before it. */
    private static double medianRatio(List<Measured> measured, List<Measured> baselines) {
        double[] ratios = new double[measured.size()];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = measured.get(i).perSecond() / baselines.get(i).perSecond();
        }
        Arrays.sort(ratios);
        return ratios.length % 2 == 1 ? ratios[ratios.length / 2]
                : (ratios[ratios.length / 2 - 1] + ratios[ratios.length / 2]) / 2;
    }

    /** With --statements: where PostgreSQL spent its time while the phase measured, statements within functions too. */
    private void printStatements() {
        try (Connection connection = jdbc("bench_store"); Statement s = connection.createStatement();
             ResultSet rows = s.executeQuery("SELECT calls, round(total_exec_time::numeric, 1), rows,"
                     + " regexp_replace(left(query, 110), '\\s+', ' ', 'g') FROM pg_stat_statements"
                     + " ORDER BY total_exec_time DESC LIMIT 12")) {
            System.out.println("      calls   total ms       rows  statement");
            while (rows.next()) {
                System.out.printf("    %7d %10s %10d  %s%n", rows.getLong(1), rows.getString(2), rows.getLong(3),
                        rows.getString(4));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @FunctionalInterface
    private interface Operation {
        CompletionStage<?> run(int caller, long iteration);
    }

    private record Measured(long count, double seconds, Histogram latency, Cpu cpu) {
        double perSecond() {
            return count / seconds;
        }

        /** Several rounds as one: operations over time, latencies and CPU added up. */
        static Measured combine(List<Measured> rounds) {
            Histogram latency = new Histogram(3);
            long count = 0;
            double seconds = 0;
            Cpu cpu = null;
            for (Measured round : rounds) {
                latency.add(round.latency);
                count += round.count;
                seconds += round.seconds;
                cpu = cpu == null ? round.cpu : cpu.plus(round.cpu);
            }
            return new Measured(count, seconds, latency, cpu);
        }
    }

    /**
     * Runs {@code concurrency} callers, each issuing its next operation when the previous one returns; warms up,
     * then measures throughput and per-operation latency over the measuring interval.
     */
    private Measured closedLoop(String name, int concurrency, Operation operation, RevisionSpan span)
            throws InterruptedException {
        return closedLoop(name, concurrency, operation, span, settings.warmup, settings.measure);
    }

    private Measured closedLoop(String name, int concurrency, Operation operation, RevisionSpan span,
                                Duration warmup, Duration measure) throws InterruptedException {
        Recorder recorder = new Recorder(3);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong failures = new AtomicLong();
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(concurrency);
        class Caller {
            final int index;

            Caller(int index) {
                this.index = index;
            }

            void issue(long iteration) {
                long started = System.nanoTime();
                CompletionStage<?> stage;
                try {
                    stage = operation.run(index, iteration);
                } catch (RuntimeException e) {
                    stage = CompletableFuture.failedFuture(e);
                }
                stage.whenComplete((result, failure) -> {
                    long took = System.nanoTime() - started;
                    if (failure == null) {
                        recorder.recordValue(took);
                    } else {
                        failures.incrementAndGet();
                        firstFailure.compareAndSet(null, failure);
                    }
                    if (stop.get()) {
                        stopped.countDown();
                    } else {
                        issue(iteration + 1);
                    }
                });
            }
        }
        for (int i = 0; i < concurrency; i++) {
            new Caller(i).issue(0);
        }
        Thread.sleep(warmup.toMillis());
        if (span != null) {
            span.start();
        }
        Cpu cpuBefore = cpu();
        recorder.getIntervalHistogram();
        long start = System.nanoTime();
        Thread.sleep(measure.toMillis());
        Histogram latency = recorder.getIntervalHistogram();
        long end = System.nanoTime();
        Cpu used = cpu().minus(cpuBefore);
        if (span != null) {
            span.end();
        }
        stop.set(true);
        if (!stopped.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            problems.add(name + " x" + concurrency + ": callers did not stop within " + WAIT);
        }
        if (failures.get() > 0) {
            problems.add(name + " x" + concurrency + ": " + failures.get() + " operations failed, first: "
                    + firstFailure.get());
        }
        Measured measured = new Measured(latency.getTotalCount(), (end - start) / 1e9, latency, used);
        System.out.printf("  %-22s x%-5d %9.0f ops/s  p50 %7.2f ms  p99 %7.2f ms  cpu/op: jvm %4.0f us, pg %4.0f us;"
                        + " cpu used %3.0f%% of the machine, gc %d ms%n", name, concurrency, measured.perSecond(),
                millis(latency, 50), millis(latency, 99), used.jvm / 1e3 / measured.count,
                used.postgres / 1e3 / measured.count, 100 * used.machineShare(), used.gcMillis);
        return measured;
    }

    // ---------------------------------------------------------------------------------------------------------
    // (c): watch latency, writer and watchers on different store instances

    private void watchPhases() throws Exception {
        Vertx writerVertx = Vertx.vertx();
        Vertx watcherVertx = Vertx.vertx();
        PgConnectOptions options = database.connectOptions("bench_watch");
        try {
            PgObjectStore writer = PgObjectStore.start(writerVertx, storeConfig(options)).await().atMost(WAIT);
            PgObjectStore watched = PgObjectStore.start(watcherVertx, storeConfig(options)).await().atMost(WAIT);
            try {
                sql("bench_watch", "CREATE TABLE bench_raw (id bigint PRIMARY KEY, body jsonb NOT NULL)");
                rawNotifyBaseline(writerVertx, watcherVertx, options);
                for (int watchers : settings.watchers) {
                    watchPhase(writer, watched, watchers);
                }
            } finally {
                writer.close();
                watched.close();
            }
        } finally {
            await(writerVertx.close());
            await(watcherVertx.close());
        }
    }

    /** The floor under (c): one autocommit insert of the same body plus pg_notify, received by a plain LISTEN. */
    private void rawNotifyBaseline(Vertx writerVertx, Vertx watcherVertx, PgConnectOptions options) throws Exception {
        int warmupCount = warmupWrites();
        int total = warmupCount + measuredWrites();
        AtomicLongArray issued = new AtomicLongArray(total);
        Recorder delivery = new Recorder(3);
        Recorder acks = new Recorder(3);
        AtomicInteger received = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        CountDownLatch subscribed = new CountDownLatch(1);
        PgSubscriber subscriber = PgSubscriber.subscriber(watcherVertx, options);
        subscriber.channel(NOTIFY_CHANNEL).subscribeHandler(v -> subscribed.countDown()).handler(payload -> {
            long now = System.nanoTime();
            int seq = (int) (Long.parseLong(payload) - 1_000_000_000L);
            received.incrementAndGet();
            if (seq >= warmupCount) {
                delivery.recordValue(now - issued.get(seq));
            }
        });
        await(subscriber.connect());
        if (!subscribed.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("LISTEN did not start");
        }
        PgConnection notifier = await(PgConnection.connect(writerVertx,
                new PgConnectOptions(options).setCachePreparedStatements(true)));
        String rawBody = body("raw", 0);
        CountDownLatch acked = new CountDownLatch(total);
        delivery.getIntervalHistogram();
        Cpu used = paced(total, seq -> {
            long started = System.nanoTime();
            issued.set(seq, started);
            notifier.preparedQuery(RAW_INSERT_NOTIFY).execute(Tuple.of(1_000_000_000L + seq, rawBody))
                    .onComplete(done -> {
                        if (done.failed()) {
                            failures.incrementAndGet();
                        } else if (seq >= warmupCount) {
                            acks.recordValue(System.nanoTime() - started);
                        }
                        acked.countDown();
                    });
        });
        acked.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        waitUntil(() -> received.get() >= total - failures.get(), Duration.ofSeconds(10));
        notifier.close();
        subscriber.close();
        Histogram latency = delivery.getIntervalHistogram();
        Histogram ack = acks.getIntervalHistogram();
        String counted = "received " + received.get() + "/" + total;
        if (received.get() != total || failures.get() > 0) {
            problems.add("(c) raw NOTIFY: " + counted + ", " + failures.get() + " failed");
        }
        results.add(new Result("(c) raw insert+NOTIFY ack", "1", settings.rate, ack, null, null, used, measuredWrites(),
                "issue→ack"));
        results.add(new Result("(c) raw NOTIFY→LISTEN", "1", settings.rate, latency, null, null, null, 0,
                "issue→delivery, " + counted));
        System.out.printf("  %-22s x%-5d delivery %s; ack %s; %s%n", "(c) raw NOTIFY", 1, spread(latency),
                spread(ack), counted);
    }

    /**
     * One watcher's tally: every write must arrive exactly once, in revision order. (Writes issued close together
     * may take revisions in another order than they were issued: what counts is the order of commit.)
     */
    private static final class Tally {
        final java.util.BitSet seen;
        long lastRevision;
        volatile int received;
        volatile int duplicates;
        volatile int outOfOrder;
        volatile int errors;
        Cancellable subscription;

        Tally(int total) {
            seen = new java.util.BitSet(total);
        }
    }

    private void watchPhase(PgObjectStore writer, PgObjectStore watched, int watchers) throws Exception {
        int warmupCount = warmupWrites();
        int total = warmupCount + measuredWrites();
        String namespace = "watch" + watchers;
        AtomicLongArray issued = new AtomicLongArray(total);
        AtomicLongArray lastDelivered = new AtomicLongArray(total);
        Recorder delivery = new Recorder(3);
        Recorder acks = new Recorder(3);
        AtomicInteger failures = new AtomicInteger();
        AtomicLong deliveredTotal = new AtomicLong();

        long from = watched.currentRevision().await().atMost(WAIT);
        ListRequest selection = new ListRequest(PODS, namespace, null, null, 0, null);
        int before = watched.watchCache().watcherCount();
        Tally[] tallies = new Tally[watchers];
        for (int w = 0; w < watchers; w++) {
            Tally tally = new Tally(total);
            tallies[w] = tally;
            tally.subscription = watched.watch(new WatchRequest(selection, from, false)).subscribe().with(event -> {
                long now = System.nanoTime();
                if (event.type() != WatchEvent.Type.ADDED) {
                    tally.errors++;
                    return;
                }
                String name = event.object().key().name();
                int seq = Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
                if (event.revision() <= tally.lastRevision) {
                    tally.outOfOrder++;
                }
                tally.lastRevision = event.revision();
                if (tally.seen.get(seq)) {
                    tally.duplicates++;
                }
                tally.seen.set(seq);
                tally.received++;
                deliveredTotal.incrementAndGet();
                if (seq >= warmupCount) {
                    delivery.recordValue(now - issued.get(seq));
                    lastDelivered.accumulateAndGet(seq, now, Math::max);
                }
            }, failure -> tally.errors++);
        }
        waitUntil(() -> watched.watchCache().watcherCount() >= before + watchers, WAIT);

        CountDownLatch acked = new CountDownLatch(total);
        Cpu used = paced(total, seq -> {
            ObjectWrite write = write(namespace, "w" + watchers + "-" + seq, 0);
            long started = System.nanoTime();
            issued.set(seq, started);
            writer.create(write).subscribe().with(created -> {
                if (seq >= warmupCount) {
                    acks.recordValue(System.nanoTime() - started);
                }
                acked.countDown();
            }, failure -> {
                failures.incrementAndGet();
                acked.countDown();
            });
        });
        acked.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        long expected = (long) watchers * (total - failures.get());
        waitUntil(() -> deliveredTotal.get() >= expected, Duration.ofSeconds(30));
        for (Tally tally : tallies) {
            tally.subscription.cancel();
        }

        Histogram latency = delivery.getIntervalHistogram();
        Histogram ack = acks.getIntervalHistogram();
        Histogram allWatchers = new Histogram(3);
        for (int seq = warmupCount; seq < total; seq++) {
            if (lastDelivered.get(seq) > 0) {
                allWatchers.recordValue(lastDelivered.get(seq) - issued.get(seq));
            }
        }
        long missing = 0;
        long duplicates = 0;
        long outOfOrder = 0;
        long errors = 0;
        for (Tally tally : tallies) {
            missing += total - tally.seen.cardinality();
            duplicates += tally.duplicates;
            outOfOrder += tally.outOfOrder;
            errors += tally.errors;
        }
        String counted = String.format("events %d/%d, missing %d, duplicate %d, out of revision order %d, errors %d",
                deliveredTotal.get(), (long) watchers * total, missing, duplicates, outOfOrder, errors);
        if (missing != 0 || duplicates != 0 || outOfOrder != 0 || errors != 0 || failures.get() != 0) {
            problems.add("(c) watch x" + watchers + ": " + counted + ", failed writes " + failures.get());
        }
        String watchersLabel = String.valueOf(watchers);
        results.add(new Result("(c) store write ack", watchersLabel, settings.rate, ack, null, null, used, measuredWrites(),
                "issue→ack; cpu/op is per write, writer and watchers' instances together"));
        results.add(new Result("(c) watch delivery", watchersLabel, (double) settings.rate * watchers, latency, null,
                null, used, 0, "issue→delivery; " + counted));
        if (watchers > 1) {
            results.add(new Result("(c) watch, last watcher", watchersLabel, settings.rate, allWatchers, null, null,
                    null, 0, "issue→delivery to all " + watchers));
        }
        System.out.printf("  %-22s x%-5d delivery %s; ack %s; %s; gc %d ms%n", "(c) watch", watchers,
                spread(latency), spread(ack), counted, used.gcMillis);
    }

    /**
     * Calls {@code issue} with 0, 1, ... {@code total - 1} at the configured rate; returns after the last, with the
     * CPU used from the first measured call ({@link #warmupWrites()}) on.
     */
    private Cpu paced(int total, IntConsumer issue) throws InterruptedException {
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Cpu> measureStart = new AtomicReference<>();
        int warmupCount = warmupWrites();
        ScheduledFuture<?> ticks = pacer.scheduleAtFixedRate(() -> {
            int seq = next.getAndIncrement();
            if (seq == warmupCount) {
                measureStart.set(cpu());
            }
            if (seq < total) {
                issue.accept(seq);
            }
            if (seq >= total - 1) {
                done.countDown();
            }
        }, 0, 1_000_000_000L / settings.rate, TimeUnit.NANOSECONDS);
        done.await();
        ticks.cancel(false);
        pacer.shutdown();
        return cpu().minus(measureStart.get());
    }

    private int warmupWrites() {
        return (int) (settings.rate * settings.warmup.toMillis() / 1000);
    }

    private int measuredWrites() {
        return (int) (settings.rate * settings.watchMeasure.toMillis() / 1000);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The table

    /** One line of the table; cpu and ops (the operations it was used for) may be null and 0. */
    private record Result(String phase, String concurrency, double perSecond, Histogram latency, Double baseline,
                          Double ratio, Cpu cpu, long ops, String notes) {
    }

    private void printTable() {
        System.out.println();
        String format = "%-26s %5s %8s %7s %7s %9s %6s %7s %7s %5s %6s  %s%n";
        System.out.printf(format, "phase", "conc", "ops/s", "p50 ms", "p99 ms", "baseline", "ratio", "jvm us", "pg us",
                "cpu%", "gc ms", "notes");
        System.out.println("-".repeat(140));
        for (Result r : results) {
            String ratio = r.ratio == null ? "" : String.format("%.2f", r.ratio);
            String notes = r.notes;
            if (r.ratio != null && r.concurrency.equals("16")) {
                notes += "; target ratio ≥ 1.0: " + (r.ratio >= 1.0 ? "met" : "NOT met");
            }
            if (r.phase.startsWith("(c) watch") && r.concurrency.equals("1000")) {
                notes += "; target p99 < 10 ms: " + (millis(r.latency, 99) < 10 ? "met" : "NOT met");
            }
            boolean cpu = r.cpu != null && r.ops > 0;
            System.out.printf(format, r.phase, r.concurrency, String.format("%.0f", r.perSecond),
                    String.format("%.2f", millis(r.latency, 50)), String.format("%.2f", millis(r.latency, 99)),
                    r.baseline == null ? "" : String.format("%.0f", r.baseline), ratio,
                    cpu ? String.format("%.0f", r.cpu.jvm / 1e3 / r.ops) : "",
                    cpu ? String.format("%.0f", r.cpu.postgres / 1e3 / r.ops) : "",
                    cpu ? String.format("%.0f", 100 * r.cpu.machineShare()) : "",
                    r.cpu != null ? String.valueOf(r.cpu.gcMillis) : "", notes);
        }
        System.out.println("-".repeat(140));
        System.out.println(String.join(System.lineSeparator(),
                "(a) ops/s are transactions/s. (a)+(b): ops/s, p50 and p99 over all rounds; baseline: (a) at the same"
                        + " concurrency; ratio: median over rounds of store writes/s over the baseline of the same round.",
                "(c) latencies run from just before the write is issued: issue→delivery bounds commit→delivery from"
                        + " above, issue→ack is the write's own round trip; ops/s is events delivered per second.",
                "jvm us, pg us: CPU time per operation of this JVM (benchmark clients included) and of all PostgreSQL"
                        + " processes; cpu%: the share of all cores the two used together while measuring (the rest"
                        + " went to other work or idled); gc ms: this JVM's collection pauses while measuring."));
        System.out.println("load avg at end: " + loadAverage());
    }

    // ---------------------------------------------------------------------------------------------------------
    // CPU accounting: on a shared machine, CPU time per operation moves much less than operations per second

    /** CPU time used so far, in nanoseconds, by this JVM and by all of PostgreSQL's processes; GC time in ms. */
    private record Cpu(long jvm, long postgres, long gcMillis, long wall) {

        Cpu plus(Cpu other) {
            return new Cpu(jvm + other.jvm, postgres + other.postgres, gcMillis + other.gcMillis, wall + other.wall);
        }

        Cpu minus(Cpu earlier) {
            return new Cpu(jvm - earlier.jvm, postgres - earlier.postgres, gcMillis - earlier.gcMillis,
                    wall - earlier.wall);
        }

        /** Share of the machine's cores that this JVM and PostgreSQL used together. */
        double machineShare() {
            return (double) (jvm + postgres) / wall / Runtime.getRuntime().availableProcessors();
        }
    }

    private Cpu cpu() {
        long jvm = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
        long gc = 0;
        for (var collector : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            gc += Math.max(0, collector.getCollectionTime());
        }
        return new Cpu(jvm, postgresCpuNanos(), gc, System.nanoTime());
    }

    /** The postmaster's and its children's user+system time, from /proc (clock ticks of 10 ms). */
    private long postgresCpuNanos() {
        String postmaster = String.valueOf(database.postmasterPid());
        long ticks = 0;
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String stat = Files.readString(process.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    // fields[0] is the state, [1] the parent, [11] utime, [12] stime
                    if (process.getFileName().toString().equals(postmaster) || fields[1].equals(postmaster)) {
                        ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    }
                } catch (IOException | RuntimeException gone) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return ticks * 10_000_000L;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers

    private PgStoreConfig defaultsOf() {
        return PgStoreConfig.defaults(new PgConnectOptions());
    }

    private PgStoreConfig storeConfig(PgConnectOptions options) {
        PgStoreConfig defaults = PgStoreConfig.defaults(options);
        return new PgStoreConfig(options, defaults.readPoolSize(), settings.maxBatch, settings.batchesInFlight,
                defaults.retainedRevisions(), defaults.compactionInterval(), defaults.watch());
    }

    private ObjectWrite write(String name, long generation) {
        return write("bench", name, generation);
    }

    private ObjectWrite write(String namespace, String name, long generation) {
        return new ObjectWrite(ObjectKey.of(PODS, namespace, name), UUID.randomUUID().toString(), LABELS, FIELDS,
                body(name, generation));
    }

    /** A pod-like JSON object padded to the configured size. */
    private String body(String name, long generation) {
        String head = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name
                + "\",\"namespace\":\"bench\",\"labels\":{\"app\":\"bench\",\"tier\":\"web\"},"
                + "\"annotations\":{\"bench/generation\":\"" + generation + "\"}},"
                + "\"spec\":{\"nodeName\":\"node-1\",\"restartPolicy\":\"Always\",\"containers\":[{\"name\":\"app\","
                + "\"image\":\"registry.local/bench/app:1.0\",\"ports\":[{\"containerPort\":8080,\"protocol\":\"TCP\"}],"
                + "\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"64Mi\"}}}]},"
                + "\"status\":{\"phase\":\"Running\",\"podIP\":\"10.244.0.7\"},\"padding\":\"";
        int pad = Math.max(0, settings.bodyBytes - head.length() - 2);
        return head + "x".repeat(pad) + "\"}";
    }

    private static String seconds(Duration duration) {
        return String.valueOf(duration.toMillis() / 1000.0);
    }

    /** Percentiles in milliseconds: p50/p90/p99/p99.9/max. */
    private static String spread(Histogram histogram) {
        return String.format("p50/p90/p99/p99.9/max %.2f/%.2f/%.2f/%.2f/%.2f ms", millis(histogram, 50),
                millis(histogram, 90), millis(histogram, 99), millis(histogram, 99.9),
                histogram.getMaxValue() / 1e6);
    }

    private static double millis(Histogram histogram, double percentile) {
        return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1e6;
    }

    private static <T> T await(Future<T> future) {
        return future.toCompletionStage().toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    private static void waitUntil(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private void sql(String db, String statement) {
        try (Connection connection = jdbc(db); Statement s = connection.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + statement, e);
        }
    }

    /** The first column of the first row. */
    private String query(String db, String statement) {
        try (Connection connection = jdbc(db); Statement s = connection.createStatement();
             ResultSet rows = s.executeQuery(statement)) {
            return rows.next() ? rows.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + statement, e);
        }
    }

    private Connection jdbc(String db) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + database.port() + "/" + db,
                EmbeddedDatabase.USER, "");
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (IOException | UncheckedIOException e) {
            return "unknown CPU";
        }
    }

    private static String memory() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
            return lines.filter(l -> l.startsWith("MemTotal")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024 / 1024 + " GiB RAM").orElse("");
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Options

    private record Settings(Duration warmup, Duration measure, int rounds, Duration watchMeasure, int[] concurrency,
                            int[] watchers, int rate,
                            int bodyBytes, int updateKeys, int maxBatch, int batchesInFlight, boolean durable,
                            boolean statements) {

        static Settings parse(String[] args) {
            PgStoreConfig defaults = PgStoreConfig.defaults(new PgConnectOptions());
            Map<String, String> given = new java.util.HashMap<>();
            for (String arg : args) {
                if (arg.equals("--durable") || arg.equals("--statements")) {
                    arg = arg + "=true";
                }
                if (!arg.startsWith("--") || !arg.contains("=")) {
                    throw new IllegalArgumentException("options look like --name=value, got " + arg);
                }
                given.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
            }
            Settings settings = new Settings(
                    Duration.ofMillis((long) (Double.parseDouble(given.getOrDefault("warmup", "0.5")) * 1000)),
                    Duration.ofMillis((long) (Double.parseDouble(given.getOrDefault("measure", "2.5")) * 1000)),
                    Integer.parseInt(given.getOrDefault("rounds", "3")),
                    Duration.ofMillis((long) (Double.parseDouble(given.getOrDefault("watch-measure", "10")) * 1000)),
                    ints(given.getOrDefault("concurrency", "1,16")),
                    ints(given.getOrDefault("watchers", "1,1000")),
                    Integer.parseInt(given.getOrDefault("rate", "200")),
                    Integer.parseInt(given.getOrDefault("body-bytes", "1024")),
                    Integer.parseInt(given.getOrDefault("update-keys", "64")),
                    Integer.parseInt(given.getOrDefault("max-batch", String.valueOf(defaults.maxBatch()))),
                    Integer.parseInt(given.getOrDefault("batches-in-flight",
                            String.valueOf(defaults.batchesInFlight()))),
                    Boolean.parseBoolean(given.getOrDefault("durable", "false")),
                    Boolean.parseBoolean(given.getOrDefault("statements", "false")));
            given.keySet().removeAll(List.of("warmup", "measure", "rounds", "watch-measure", "concurrency", "watchers", "rate", "body-bytes",
                    "update-keys", "max-batch", "batches-in-flight", "durable", "statements"));
            if (!given.isEmpty()) {
                throw new IllegalArgumentException("unknown options: " + given.keySet());
            }
            return settings;
        }

        /** A comma-separated list; empty skips the phases it drives. */
        private static int[] ints(String list) {
            if (list.isBlank()) {
                return new int[0];
            }
            return Arrays.stream(list.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        }
    }
}
