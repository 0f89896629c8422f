package io.qube.launcher;

import io.qube.store.pg.PgObjectStore;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Ready while the store can serve what Kubernetes clients expect: the database answers, the watch cache keeps up
 * with it, and the LISTEN connection that wakes the cache is up. The response data say which part is failing.
 */
@Readiness
@Singleton
public class StoreReadinessCheck implements AsyncHealthCheck {

    static final String NAME = "qube-store";

    /** Each step's limit, short enough for a probe's usual timeout of a few seconds. */
    static final Duration DEADLINE = Duration.ofSeconds(2);

    private final PgObjectStore store;

    @Inject
    public StoreReadinessCheck(PgObjectStore store) {
        this.store = store;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return store.currentRevision()
                .ifNoItem().after(DEADLINE).failWith(() -> new TimeoutException(
                        "no answer within " + DEADLINE.toSeconds() + "s"))
                .onItem().transformToUni(current -> caughtUp(current).map(caught -> reachable(current, caught)))
                .onFailure().recoverWithItem(this::unreachable);
    }

    /** Whether the cache reaches {@code revision} in time; asking also wakes it, so only a real lag fails. */
    private Uni<Boolean> caughtUp(long revision) {
        return store.watchCache().waitFor(revision)
                .ifNoItem().after(DEADLINE).fail()
                .replaceWith(true)
                .onFailure().recoverWithItem(false);
    }

    private HealthCheckResponse reachable(long databaseRevision, boolean caughtUp) {
        boolean listening = store.isListening();
        return HealthCheckResponse.named(NAME)
                .status(caughtUp && listening)
                .withData("database", "reachable")
                .withData("databaseRevision", databaseRevision)
                .withData("appliedRevision", store.watchCache().appliedRevision())
                .withData("watch", caughtUp ? "caught up"
                        : "behind the database for more than " + DEADLINE.toSeconds() + "s")
                .withData("listening", listening)
                .build();
    }

    private HealthCheckResponse unreachable(Throwable failure) {
        return HealthCheckResponse.named(NAME)
                .down()
                .withData("database", "unreachable: " + failure.getMessage())
                .withData("appliedRevision", store.watchCache().appliedRevision())
                .withData("listening", store.isListening())
                .build();
    }
}
