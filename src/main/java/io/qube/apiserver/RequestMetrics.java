package io.qube.apiserver;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.qube.apiserver.registry.ResourceDefinition;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The apiserver's request metrics under kube-apiserver's names and labels: {@code apiserver_request_total},
 * {@code apiserver_request_duration_seconds}, {@code apiserver_current_inflight_requests},
 * {@code apiserver_longrunning_requests} and {@code apiserver_watch_events_total}.
 *
 * <p>Every HTTP request is tracked from the first route to the response's end, so a path nothing serves still
 * counts (with empty group, version and resource, as Kubernetes counts non-resource requests). The object API
 * {@linkplain #describe describes} its requests once parsed, which gives the verb as Kubernetes reports it (LIST
 * and WATCH apart from GET, APPLY apart from PATCH, DELETECOLLECTION, CONNECT for exec/attach/portforward/proxy) and
 * the resource labels. Meters are made once per label set and kept: a request allocates its tracker and one key.
 */
@Singleton
public final class RequestMetrics {

    /** kube-apiserver's latency buckets, in seconds. */
    private static final double[] BUCKETS = {0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5,
            6, 8, 10, 15, 20, 30, 45, 60};
    private static final Duration[] SLOS = slos();
    private static final String TRACKER = RequestMetrics.class.getName();
    private static final String COMPONENT = "apiserver";
    private static final Set<String> CONNECT_SUBRESOURCES = Set.of("exec", "attach", "portforward", "proxy");
    /** Kubernetes' long-running check: watches, and these subresources (a followed log streams too). */
    private static final Set<String> LONG_RUNNING_SUBRESOURCES = Set.of("exec", "attach", "portforward", "proxy",
            "log");
    private static final Set<String> VERBS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");

    /** The labels of a request but its code: those of the latency histogram and of the long-running gauge. */
    private record Series(String verb, String dryRun, String group, String version, String resource,
                          String subresource, String scope) {
    }

    /** The meters of one series: its latency and its counters by code, few in practice, looked up by scan. */
    private final class Meters {
        private final Series series;
        private final Timer duration;
        private volatile Coded[] codes = new Coded[0];

        Meters(Series series) {
            this.series = series;
            this.duration = Timer.builder("apiserver.request.duration")
                    .description("Response latency distribution in seconds for each verb, dry run value, group, "
                            + "version, resource, subresource, scope and component.")
                    .serviceLevelObjectives(SLOS)
                    .tags("verb", series.verb, "dry_run", series.dryRun, "group", series.group, "version",
                            series.version, "resource", series.resource, "subresource", series.subresource, "scope",
                            series.scope, "component", COMPONENT)
                    .register(registry);
        }

        Counter counter(int code) {
            for (Coded coded : codes) {
                if (coded.code == code) {
                    return coded.counter;
                }
            }
            synchronized (this) {
                for (Coded coded : codes) {
                    if (coded.code == code) {
                        return coded.counter;
                    }
                }
                Counter counter = Counter.builder("apiserver.request")
                        .description("Counter of apiserver requests broken out for each verb, dry run value, group, "
                                + "version, resource, scope, component, and HTTP response code.")
                        .tags("verb", series.verb, "dry_run", series.dryRun, "group", series.group, "version",
                                series.version, "resource", series.resource, "subresource", series.subresource,
                                "scope", series.scope, "component", COMPONENT, "code", Integer.toString(code))
                        .register(registry);
                Coded[] grown = Arrays.copyOf(codes, codes.length + 1);
                grown[codes.length] = new Coded(code, counter);
                codes = grown;
                return counter;
            }
        }
    }

    private record Coded(int code, Counter counter) {
    }

    /** One request, from its first route to its end. */
    private final class Tracker implements Handler<AsyncResult<Void>> {
        private final long started = System.nanoTime();
        private final RoutingContext context;
        /** The gauge this request counts in: an in-flight kind, or its long-running series once described. */
        private AtomicInteger counted;
        private Series series;
        private boolean done;

        Tracker(RoutingContext context, AtomicInteger counted) {
            this.context = context;
            this.counted = counted;
            counted.incrementAndGet();
        }

        @Override
        public void handle(AsyncResult<Void> ended) {
            end(context.response().getStatusCode());
        }

        /** Once: the response's end, or the close of the WebSocket it was upgraded to. */
        void end(int code) {
            if (done) {
                return;
            }
            done = true;
            counted.decrementAndGet();
            Series labels = series != null ? series : nonResource(context.request().method());
            Meters meters = RequestMetrics.this.meters.computeIfAbsent(labels, Meters::new);
            meters.counter(code).increment();
            meters.duration.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    private final MeterRegistry registry;
    private final ConcurrentHashMap<Series, Meters> meters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Series, AtomicInteger> longRunning = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ResourceDefinition<?>, Counter> watchEvents = new ConcurrentHashMap<>();
    private final AtomicInteger readOnly = new AtomicInteger();
    private final AtomicInteger mutating = new AtomicInteger();

    @Inject
    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
        // Kubernetes reports the most in flight during the last second; here the number at the scrape.
        for (var kind : Map.of("readOnly", readOnly, "mutating", mutating).entrySet()) {
            Gauge.builder("apiserver.current.inflight.requests", kind.getValue(), AtomicInteger::get)
                    .description("Number of requests in flight in this apiserver per request kind, long-running "
                            + "requests (watches, exec, logs) left out.")
                    .tag("request_kind", kind.getKey()).register(registry);
        }
    }

    /** First of all routes: every request is tracked until its response ends. */
    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 100).handler(this::begin);
    }

    private void begin(RoutingContext context) {
        HttpMethod method = context.request().method();
        boolean reads = method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS;
        Tracker tracker = new Tracker(context, reads ? readOnly : mutating);
        context.put(TRACKER, tracker);
        context.addEndHandler(tracker);
        context.next();
    }

    /**
     * Gives a request of the object API its labels, and moves a long-running one from the in-flight gauge to
     * {@code apiserver_longrunning_requests}.
     *
     * @param watch whether the query asked for a watch ({@code watch=true}); the legacy watch prefix is in the info
     */
    void describe(RoutingContext context, String group, String version, RequestInfo info, boolean watch) {
        Tracker tracker = context.get(TRACKER);
        if (tracker == null) {
            return;
        }
        String sub = info.subresource() == null ? "" : info.subresource();
        boolean watching = context.request().method() == HttpMethod.GET && (watch || info.legacyWatch());
        String verb = verb(context, info, sub, watching);
        String scope = info.name() != null || verb.equals("POST") ? "resource"
                : info.namespace() != null ? "namespace" : "cluster";
        String query = context.request().query();
        String dryRun = query != null && query.contains("dryRun=All") ? "All" : "";
        tracker.series = new Series(verb, dryRun, group, version, info.definition().plural(), sub, scope);
        if (watching || LONG_RUNNING_SUBRESOURCES.contains(sub)) {
            AtomicInteger gauge = longRunning.computeIfAbsent(new Series(verb, "", group, version,
                    info.definition().plural(), sub, scope), this::longRunningGauge);
            gauge.incrementAndGet();
            tracker.counted.decrementAndGet();
            tracker.counted = gauge;
        }
    }

    /**
     * Sets the close handler of a socket the request was upgraded to: Vert.x ends no response for an upgraded
     * request, so the request ends (as code 101, which Kubernetes reports for upgrades) when its socket closes.
     */
    public static void onClose(RoutingContext context, ServerWebSocket socket, Handler<Void> closed) {
        Tracker tracker = context.get(TRACKER);
        socket.closeHandler(v -> {
            closed.handle(v);
            if (tracker != null) {
                tracker.end(101);
            }
        });
    }

    /** The counter of events sent to watchers of this kind, {@code apiserver_watch_events_total{group,version,kind}}. */
    Counter watchEvents(ResourceDefinition<?> definition) {
        return watchEvents.computeIfAbsent(definition, d -> Counter.builder("apiserver.watch.events")
                .description("Number of events sent in watch clients")
                .tags("group", d.group(), "version", d.version(), "kind", d.kind()).register(registry));
    }

    private AtomicInteger longRunningGauge(Series series) {
        AtomicInteger count = new AtomicInteger();
        Gauge.builder("apiserver.longrunning.requests", count, AtomicInteger::get)
                .description("Gauge of all active long-running apiserver requests broken out by verb, group, "
                        + "version, resource, scope and component.")
                .tags("verb", series.verb, "group", series.group, "version", series.version, "resource",
                        series.resource, "subresource", series.subresource, "scope", series.scope, "component",
                        COMPONENT)
                .strongReference(true).register(registry);
        return count;
    }

    /** Kubernetes' reported verb: the route's verb, WATCH for watches, APPLY for apply patches, CONNECT for streams. */
    private static String verb(RoutingContext context, RequestInfo info, String sub, boolean watching) {
        HttpMethod method = context.request().method();
        if (CONNECT_SUBRESOURCES.contains(sub)) {
            return "CONNECT";
        }
        if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
            return watching ? "WATCH" : info.name() == null ? "LIST" : "GET";
        }
        if (method == HttpMethod.PATCH) {
            String type = context.request().getHeader("Content-Type");
            return type != null && type.startsWith("application/apply-patch") ? "APPLY" : "PATCH";
        }
        if (method == HttpMethod.DELETE && info.name() == null) {
            return "DELETECOLLECTION";
        }
        return method.name();
    }

    private static Series nonResource(HttpMethod method) {
        String verb = VERBS.contains(method.name()) ? method.name() : "other";
        return new Series(verb, "", "", "", "", "", "");
    }

    private static Duration[] slos() {
        Duration[] slos = new Duration[BUCKETS.length];
        for (int i = 0; i < BUCKETS.length; i++) {
            slos[i] = Duration.ofNanos((long) (BUCKETS[i] * 1_000_000_000L));
        }
        return slos;
    }
}
