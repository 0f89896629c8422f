package io.qube.apiserver;

import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Switches off the HTTP server's byte-count summaries ({@code http.server.bytes.written}, {@code
 * http.server.bytes.read}) and keeps every other HTTP metric, request timers included.
 *
 * <p>Quarkus' Vert.x binder records one sample in {@code bytes.written} for every write on every connection. A watch
 * stream writes each event to each watcher, so with 1,000 watchers that summary was ~12% of the event loops' CPU
 * (docs/PERFORMANCE.md, "API server", (c)). Quarkus has no setting for these two meters alone; denied here, the
 * registry hands the binder a no-op summary when it registers them, so the per-write call does nothing, rather than
 * being recorded and merely left out of the export.
 */
@Singleton
final class ByteCountMetrics {

    static final String WRITTEN = "http.server.bytes.written";
    static final String READ = "http.server.bytes.read";

    @Produces
    @Singleton
    static MeterFilter denyByteCounts() {
        return MeterFilter.deny(id -> id.getName().equals(WRITTEN) || id.getName().equals(READ));
    }
}
