package io.qube.launcher;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import org.jboss.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The all-in-one Qube process. Options are parsed before Quarkus starts because they decide its configuration:
 * without a configured datasource an embedded PostgreSQL is started first and handed to Quarkus as its datasource.
 */
@QuarkusMain
@Command(name = "qube", sortOptions = false, description = "Runs the Qube control plane.")
public class QubeMain implements Callable<Integer> {

    private static final Logger LOG = Logger.getLogger(QubeMain.class);

    /** How long stopping the embedded database waits for Quarkus to stop using it. */
    private static final long QUARKUS_STOP_WAIT_SECONDS = 30;

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${sys:user.home}/.qube",
            description = "Where Qube keeps its state; the embedded PostgreSQL's data go to DIR/postgres."
                    + " Default: ${DEFAULT-VALUE}")
    Path dataDir;

    @Option(names = "--port", paramLabel = "N",
            description = "HTTP port (0: any free one). Default: quarkus.http.port, which is 6443")
    Integer port;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    public static void main(String... args) {
        System.exit(new CommandLine(new QubeMain()).execute(args));
    }

    @Override
    public Integer call() {
        if (port != null) {
            if (port < 0 || port > 65_535) {
                throw new ParameterException(spec.commandLine(), "--port must be between 0 and 65535, got " + port);
            }
            System.setProperty("quarkus.http.port", port.toString());
        }
        System.setProperty("qube.launcher.kubeconfig",
                dataDir.toAbsolutePath().normalize().resolve("kubeconfig").toString());
        Optional<String> configured = DatasourceUrl.configured();
        if (configured.isPresent()) {
            String where;
            try {
                where = DatasourceUrl.describe(DatasourceUrl.parse(configured.get(), Optional.empty(), Optional.empty()));
            } catch (IllegalArgumentException e) {
                return fail(e.getMessage());
            }
            LOG.infof("Using the configured PostgreSQL at %s", where);
            return runQuarkus();
        }
        return runWithEmbeddedDatabase(dataDir.toAbsolutePath().normalize().resolve("postgres"));
    }

    private int runWithEmbeddedDatabase(Path directory) {
        EmbeddedDatabase database;
        try {
            database = EmbeddedDatabase.start(directory, 0, EmbeddedDatabase.Mode.DURABLE);
        } catch (RuntimeException e) {
            return fail(e.getMessage() + (e.getCause() == null ? "" : ": " + e.getCause().getMessage()));
        }
        System.setProperty(DatasourceUrl.PROPERTY, database.reactiveUrl(EmbeddedDatabase.DATABASE));
        System.setProperty(DatasourceUrl.USERNAME_PROPERTY, EmbeddedDatabase.USER);
        LOG.infof("Using the embedded PostgreSQL in %s (no %s configured)", directory, DatasourceUrl.PROPERTY);

        // On Ctrl-C the JVM runs Quarkus' shutdown hook and this one at the same time, and ends once both have
        // returned: this one waits for Quarkus to stop, so the store never sees its database go away.
        CountDownLatch quarkusStopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                quarkusStopped.await(QUARKUS_STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            database.close();
        }, "qube-embedded-postgres-stop"));
        try {
            return runQuarkus();
        } finally {
            quarkusStopped.countDown();
        }
    }

    /** Runs Quarkus until it is asked to stop and returns its exit code; the caller decides when the JVM exits. */
    private int runQuarkus() {
        AtomicInteger exitCode = new AtomicInteger();
        Quarkus.run(null, (code, failure) -> {
            exitCode.set(code);
            if (failure != null) {
                reportStartFailure(failure);
            }
        });
        return exitCode.get();
    }

    /**
     * Quarkus does not report a failed start to a caller that brings its own exit handler, and could not log one
     * that happens while it reads its configuration, before logging is set up: so the reason goes to standard
     * error, the trace to the debug log.
     */
    private void reportStartFailure(Throwable failure) {
        // Quarkus wraps every reason in its own "Failed to start quarkus".
        Throwable reason = failure.getCause() != null ? failure.getCause() : failure;
        spec.commandLine().getErr().println("qube: could not start: " + reason.getMessage());
        LOG.debug("Qube could not start", failure);
    }

    private int fail(String message) {
        spec.commandLine().getErr().println("qube: " + message);
        return 1;
    }
}
