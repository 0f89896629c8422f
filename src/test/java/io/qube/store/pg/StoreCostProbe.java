package io.qube.store.pg;

import io.qube.bench.ApiBenchmark;
import io.qube.launcher.EmbeddedDatabase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What PostgreSQL spends on Qube's creates: batches of ConfigMap creates through {@code qube_write} on one
 * connection to a fresh durable embedded server, as the store's write batcher sends them, then the same with parts
 * of the work taken away one at a time (the commit's WAL flush wait, the change log's key index, the objects' GIN
 * indexes), and the change-log read each apiserver makes after every commit. CPU is the server processes' own
 * (/proc), so the figures hold on a busy machine. Part of the API benchmark's analysis
 * ({@code bench/api.sh --profile}); run alone with {@code java -cp ... io.qube.store.pg.StoreCostProbe}.
 */
public final class StoreCostProbe {

    private static final int BATCH = 5;
    private static final int WARMUP_BATCHES = 400;
    private static final int BATCHES = 2000;

    private final Connection connection;
    private final long postmaster;
    private final long backend;
    private long next;

    private StoreCostProbe(Connection connection, long postmaster, long backend) {
        this.connection = connection;
        this.postmaster = postmaster;
        this.backend = backend;
    }

    public static void main(String[] args) throws Exception {
        System.out.print(run(Path.of("target", "bench", "store-cost-probe")));
    }

    /** Runs the variants in a fresh database under {@code directory} (deleted afterwards); a table. */
    public static String run(Path directory) throws Exception {
        deleteTree(directory);
        EmbeddedDatabase database = EmbeddedDatabase.start(directory, 0, EmbeddedDatabase.Mode.DURABLE);
        try {
            SchemaMigrator.migrate(PgStoreConfig.defaults(database.connectOptions(EmbeddedDatabase.DATABASE)));
            try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + database.port()
                    + "/" + EmbeddedDatabase.DATABASE, EmbeddedDatabase.USER, "")) {
                long postmaster = Long.parseLong(Files.readAllLines(directory.resolve("postmaster.pid")).get(0)
                        .strip());
                long backend = queryLong(connection, "SELECT pg_backend_pid()");
                return new StoreCostProbe(connection, postmaster, backend).variants();
            }
        } finally {
            database.close();
            deleteTree(directory);
        }
    }

    private String variants() throws Exception {
        StringBuilder out = new StringBuilder(String.format("PostgreSQL work per ConfigMap create (qube_write, %d"
                + " creates per transaction as the batcher sent them in the benchmark, %,d transactions, one"
                + " connection, durable server)%n", BATCH, BATCHES));
        out.append(String.format("  %-66s %10s %10s %10s%n", "variant", "backend", "all PG", "wall"));
        out.append(String.format("  %-66s %10s %10s %10s%n", "", "CPU µs", "CPU µs", "µs"));
        writes(WARMUP_BATCHES);
        out.append(line("qube_write as shipped", writes(BATCHES)));
        execute("SET synchronous_commit = off");
        out.append(line("  without waiting for the WAL flush at commit (synchronous_commit off)", writes(BATCHES)));
        execute("DROP INDEX qube_log_key");
        out.append(line("  and without the change log's key index", writes(BATCHES)));
        execute("DROP INDEX qube_object_labels");
        out.append(line("  and without the objects' GIN index on labels", writes(BATCHES)));
        execute("SET synchronous_commit = on");
        out.append(line("the change-log read, per create, by each other process following the log", reads(BATCHES)));
        return out.toString();
    }

    private record Cost(double backendMicros, double allMicros, double wallMicros) {
    }

    private static String line(String variant, Cost cost) {
        return String.format("  %-66s %10.0f %10.0f %10.0f%n", variant, cost.backendMicros(), cost.allMicros(),
                cost.wallMicros());
    }

    /** {@code batches} transactions of BATCH creates each; the cost per create. */
    private Cost writes(int batches) throws SQLException {
        try (PreparedStatement write = connection.prepareStatement(
                "SELECT * FROM qube_write(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            double backendBefore = cpu(backend);
            double allBefore = treeCpu(postmaster);
            long start = System.nanoTime();
            for (int b = 0; b < batches; b++) {
                Short[] ops = new Short[BATCH];
                String[] resources = new String[BATCH];
                String[] groups = new String[BATCH];
                String[] namespaces = new String[BATCH];
                String[] names = new String[BATCH];
                String[] uids = new String[BATCH];
                Long[] expected = new Long[BATCH];
                String[] labels = new String[BATCH];
                String[] fields = new String[BATCH];
                String[] bodies = new String[BATCH];
                for (int i = 0; i < BATCH; i++) {
                    String name = String.format("c-%07d", next++);
                    ops[i] = 1;
                    resources[i] = "configmaps";
                    groups[i] = "";
                    namespaces[i] = "default";
                    names[i] = name;
                    uids[i] = java.util.UUID.randomUUID().toString();
                    expected[i] = 0L;
                    labels[i] = "{\"app\":\"api-benchmark\",\"bench\":\"create\"}";
                    fields[i] = "{}";
                    bodies[i] = storedBody(name, uids[i]);
                }
                write.setArray(1, array("int2", ops));
                write.setArray(2, array("text", resources));
                write.setArray(3, array("text", groups));
                write.setArray(4, array("text", namespaces));
                write.setArray(5, array("text", names));
                write.setArray(6, array("text", uids));
                write.setArray(7, array("int8", expected));
                write.setArray(8, array("text", labels));
                write.setArray(9, array("text", fields));
                write.setArray(10, array("text", bodies));
                try (ResultSet rows = write.executeQuery()) {
                    while (rows.next()) {
                        if (rows.getShort("o_outcome") != 0) {
                            throw new IllegalStateException("write refused: " + rows.getShort("o_outcome"));
                        }
                    }
                }
            }
            return cost(batches * BATCH, backendBefore, allBefore, start);
        }
    }

    /** The log follower's query for the rows of each transaction just written. */
    private Cost reads(int batches) throws SQLException {
        long newest = queryLong(connection, "SELECT revision FROM qube_revision");
        try (PreparedStatement read = connection.prepareStatement(Sql.READ_LOG.replace("$1", "?").replace("$2", "?"))) {
            double backendBefore = cpu(backend);
            double allBefore = treeCpu(postmaster);
            long start = System.nanoTime();
            long after = newest - (long) batches * BATCH;
            for (int b = 0; b < batches; b++) {
                read.setLong(1, after);
                read.setInt(2, BATCH);
                try (ResultSet rows = read.executeQuery()) {
                    while (rows.next()) {
                        rows.getString("body");
                    }
                }
                after += BATCH;
            }
            return cost(batches * BATCH, backendBefore, allBefore, start);
        }
    }

    private Cost cost(int creates, double backendBefore, double allBefore, long start) {
        long wall = System.nanoTime() - start;
        return new Cost((cpu(backend) - backendBefore) * 1e6 / creates, (treeCpu(postmaster) - allBefore) * 1e6
                / creates, wall / 1000.0 / creates);
    }

    /** A stored ConfigMap as Qube writes it: the benchmark's request body plus the server's metadata. */
    private static String storedBody(String name, String uid) {
        return ApiBenchmark.configMap(name, "create").replace("\"metadata\":{", "\"metadata\":{\"namespace\":"
                + "\"default\",\"uid\":\"" + uid + "\",\"creationTimestamp\":\"2026-11-26T17:00:00Z\","
                + "\"managedFields\":[{\"manager\":\"api-benchmark\",\"operation\":\"Update\",\"apiVersion\":\"v1\","
                + "\"time\":\"2026-11-26T17:00:00Z\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:data\":"
                + "{\".\":{},\"f:payload\":{}},\"f:metadata\":{\"f:labels\":{\".\":{},\"f:app\":{},\"f:bench\":{}}}}}],");
    }

    private Array array(String type, Object[] values) throws SQLException {
        return connection.createArrayOf(type, values);
    }

    private void execute(String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static long queryLong(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }

    /** CPU seconds of one process (utime + stime + children's) from /proc. */
    private static double cpu(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13])
                    + Long.parseLong(fields[14])) / 100.0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static double treeCpu(long pid) {
        double total = cpu(pid);
        try (Stream<ProcessHandle> children = ProcessHandle.of(pid).map(ProcessHandle::descendants)
                .orElse(Stream.empty())) {
            total += children.mapToDouble(p -> cpu(p.pid())).sum();
        }
        return total;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.forEach(paths::add);
        }
        paths.sort((a, b) -> b.getNameCount() - a.getNameCount());
        for (Path path : paths) {
            Files.deleteIfExists(path);
        }
    }
}
