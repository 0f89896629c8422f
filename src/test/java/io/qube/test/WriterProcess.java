package io.qube.test;

import io.qube.store.StoredObject;
import io.qube.store.pg.PgObjectStore;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;

import java.io.PrintStream;
import java.util.Map;

/**
 * A separate process that writes as fast as it can and prints "ACK namespace/name revision" for each write the
 * store acknowledged, until it is killed. Run by tests that kill it mid-load.
 *
 * <p>Arguments: host port database writer-id.
 */
public final class WriterProcess {

    private static final int CONCURRENCY = 16;

    private WriterProcess() {
    }

    public static void main(String[] args) {
        PgConnectOptions database = new PgConnectOptions().setHost(args[0]).setPort(Integer.parseInt(args[1]))
                .setDatabase(args[2]).setUser("postgres");
        String writer = args[3];
        PgObjectStore store = StoreFixture.start(Vertx.vertx(), database);
        PrintStream out = System.out;
        out.println("READY");
        out.flush();
        Multi.createFrom().range(0, Integer.MAX_VALUE)
                .onItem().transformToUni(i -> store.create(StoreFixture.pod(writer, "w" + i, Map.of(), Map.of())))
                .merge(CONCURRENCY)
                .subscribe().asStream()
                .forEach(written -> acknowledge(out, written));
    }

    private static void acknowledge(PrintStream out, StoredObject written) {
        synchronized (out) {
            out.println("ACK " + written.key().namespace() + "/" + written.key().name() + " " + written.revision());
            out.flush();
        }
    }
}
