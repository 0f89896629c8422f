package io.qube.client;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Records core/v1 Events about objects for a control-plane component (shown by {@code kubectl describe} as "From:
 * default-scheduler"). Best effort, as client-go's broadcaster: events are written asynchronously, and when too many
 * are in flight the newest are dropped rather than slowing the component down. A repeat of an event recorded in the
 * last ten minutes (same object, type, reason and message) raises the count and lastTimestamp of the one written,
 * as client-go's correlator does, instead of adding another; events about cluster-wide objects go to "default".
 */
public final class EventRecorder {

    private static final Logger LOG = Logger.getLogger(EventRecorder.class);
    private static final int MAX_IN_FLIGHT = 1000;

    private final ApiRequests api;
    private final String component;
    private final String instance;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final RecentEvents recent = new RecentEvents();
    /**
     * The last write of each event, which its next one waits for: concurrent writes of one event could land out of
     * order (a count of 2 after the 3) or a repeat's patch before the event's create.
     */
    private final Map<String, CompletableFuture<Void>> lastWrite = new ConcurrentHashMap<>();

    public EventRecorder(ApiRequests api, String component, String instance) {
        this.api = api;
        this.component = component;
        this.instance = instance;
    }

    public void normal(HasMetadata object, String reason, String message) {
        record(object, "Normal", reason, message);
    }

    public void warning(HasMetadata object, String reason, String message) {
        record(object, "Warning", reason, message);
    }

    private void record(HasMetadata object, String type, String reason, String message) {
        if (!inFlight.tryAcquire()) {
            LOG.debugf("dropped event %s for %s %s: too many in flight", reason, object.getKind(),
                    object.getMetadata().getName());
            return;
        }
        String namespace = object.getMetadata().getNamespace() == null ? "default" : object.getMetadata().getNamespace();
        Instant at = Instant.now();
        String now = at.truncatedTo(ChronoUnit.SECONDS).toString();
        RecentEvents.Repeat repeat = recent.record(String.join("\u0000", object.getKind(), namespace,
                object.getMetadata().getName(), String.valueOf(object.getMetadata().getUid()), type, reason, message),
                object.getMetadata().getName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()), at);
        if (repeat.count() > 1) {
            after(repeat.name(), () -> api.send("PATCH", ApiRequests.corePath(namespace, "events", repeat.name(),
                    null), "application/merge-patch+json", "{\"count\":" + repeat.count() + ",\"lastTimestamp\":\""
                    + now + "\"}"), reason, object);
            return;
        }
        Event event = new EventBuilder().withNewMetadata()
                .withName(repeat.name())
                .withNamespace(namespace).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(object.getApiVersion())
                        .withKind(object.getKind()).withNamespace(namespace).withName(object.getMetadata().getName())
                        .withUid(object.getMetadata().getUid())
                        .withResourceVersion(object.getMetadata().getResourceVersion())
                        .build())
                .withType(type).withReason(reason).withMessage(message).withCount(1)
                .withFirstTimestamp(now).withLastTimestamp(now)
                .withNewSource().withComponent(component).endSource()
                .withReportingComponent(component).withReportingInstance(instance).build();
        String body = api.json(event);
        after(repeat.name(), () -> api.send("POST", ApiRequests.corePath(namespace, "events", null, null),
                "application/json", body), reason, object);
    }

    /** Sends once the event's previous write has ended (however it ended). */
    private void after(String name, Supplier<CompletableFuture<Void>> send, String reason, HasMetadata object) {
        CompletableFuture<Void> mine = lastWrite.compute(name, (key, previous) -> (previous == null
                ? CompletableFuture.<Void>completedFuture(null) : previous.handle((ok, failure) -> (Void) null))
                .thenCompose(ready -> send.get()));
        mine.whenComplete((done, failure) -> {
            lastWrite.remove(name, mine);
            written(failure, reason, object);
        });
    }

    private void written(Throwable failure, String reason, HasMetadata object) {
        inFlight.release();
        if (failure != null) {
            LOG.debugf("event %s for %s %s: %s", reason, object.getKind(), object.getMetadata().getName(),
                    failure.getMessage());
        }
    }
}
