package io.qube.apiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.qube.apiserver.codec.Json;
import io.qube.store.ListRequest;
import io.qube.store.ObjectStore;
import io.qube.store.Preconditions;
import io.qube.store.ResourceType;
import io.qube.store.StoreException;
import io.qube.store.StoredObject;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Events expire, as Kubernetes' --event-ttl makes etcd expire them: an event whose last occurrence is older than
 * {@code qube.apiserver.event-ttl} (1 h by default) is deleted, through the store so that watchers see it go.
 * Every apiserver sweeps; a delete conditional on the version it judged makes the races harmless.
 */
@ApplicationScoped
public class EventExpiry {

    private static final Logger LOG = Logger.getLogger(EventExpiry.class);
    private static final ResourceType EVENTS = ResourceType.core("events");

    @Inject
    ObjectStore store;

    @Inject
    Vertx vertx;

    @Inject
    ApiServerSettings settings;

    private long timer = -1;

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(settings.eventSweepInterval().toMillis(), id -> sweep());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void sweep() {
        Instant expiredBefore = Instant.now().minus(settings.eventTtl());
        store.listCached(ListRequest.all(EVENTS), false)
                // Parsing every event takes long with many of them: a worker thread does it, and the deletes go
                // on from the event loop, where executeBlocking completes.
                .onItem().transformToUni(page -> Uni.createFrom().completionStage(() -> vertx.executeBlocking(
                        () -> expired(page.items(), expiredBefore), false).toCompletionStage()))
                .onItem().transformToMulti(expired -> Multi.createFrom().iterable(expired))
                .onItem().transformToUniAndConcatenate(event -> store.delete(event.key(),
                                Preconditions.revision(event.revision()))
                        .onFailure(StoreException.class).recoverWithNull())
                .collect().with(java.util.stream.Collectors.counting())
                .subscribe().with(
                        count -> {
                            if (count > 0) {
                                LOG.debugf("%d events expired", count);
                            }
                        },
                        failure -> LOG.debugf("expiring events failed, will retry: %s", failure.getMessage()));
    }

    /** The events last seen before {@code expiredBefore}. Blocking work: never on an event loop. */
    static List<StoredObject> expired(List<StoredObject> events, Instant expiredBefore) {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("events must not be parsed on an event loop");
        }
        return events.stream().filter(event -> lastSeen(event).isBefore(expiredBefore)).toList();
    }

    /** The event's last occurrence: its series, lastTimestamp or eventTime, else when it was made. */
    static Instant lastSeen(StoredObject event) {
        try {
            JsonNode body = Json.MAPPER.readTree(event.body());
            for (JsonNode time : new JsonNode[] {body.path("series").path("lastObservedTime"),
                    body.path("lastTimestamp"), body.path("eventTime"), body.path("metadata").path("creationTimestamp")}) {
                if (time.isTextual() && !time.asText().isEmpty()) {
                    return Instant.parse(time.asText());
                }
            }
        } catch (JsonProcessingException | DateTimeParseException e) {
            LOG.debugf("event %s has no time that can be read: %s", event.key(), e.getMessage());
        }
        return Instant.MAX;
    }
}
