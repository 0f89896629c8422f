package io.qube.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a Qube process spent its Java CPU samples (JFR {@code jdk.ExecutionSample}), by the step of request
 * handling the sample belongs to: the innermost Qube frame on its stack decides the step, and samples with no Qube
 * frame are put under the library they ran in (HTTP server, PostgreSQL client, ...).
 *
 * <p>Run as {@code java -cp ... io.qube.bench.JfrSummary recording.jfr} or through {@code bench/api.sh --profile}.
 */
public final class JfrSummary {

    private JfrSummary() {
    }

    public static void main(String[] args) throws IOException {
        System.out.print(summarize(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 15));
    }

    static String summarize(Path recording, int top) throws IOException {
        Map<String, Long> steps = new HashMap<>();
        Map<String, Long> selfMethods = new HashMap<>();
        Map<String, Long> threads = new HashMap<>();
        long samples = 0;
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                    continue;
                }
                List<RecordedFrame> frames = event.getStackTrace().getFrames();
                if (frames.isEmpty()) {
                    continue;
                }
                samples++;
                steps.merge(step(frames), 1L, Long::sum);
                selfMethods.merge(name(frames.get(0).getMethod()), 1L, Long::sum);
                String thread = event.getThread("sampledThread") == null ? "?"
                        : event.getThread("sampledThread").getJavaName();
                threads.merge(thread == null ? "?" : thread.replaceAll("[#-]?\\d+$", ""), 1L, Long::sum);
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("JFR execution samples: ").append(samples).append(" (Java code only; GC and JIT threads are not"
                + " sampled)\n");
        append(out, "by step (innermost Qube frame, else library)", steps, samples, 40);
        append(out, "by thread", threads, samples, 8);
        append(out, "hottest methods (self)", selfMethods, samples, top);
        return out.toString();
    }

    private static void append(StringBuilder out, String title, Map<String, Long> counts, long total, int limit) {
        out.append("  ").append(title).append(":\n");
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(limit)
                .forEach(e -> out.append(String.format("    %5.1f%%  %6d  %s%n", 100.0 * e.getValue() / total,
                        e.getValue(), e.getKey())));
    }

    /** Markers for Qube's own steps, checked in this order against the innermost Qube frame. */
    private static final Map<String, String> QUBE_STEPS = new LinkedHashMap<>();

    static {
        QUBE_STEPS.put("io.qube.apiserver.codec.ObjectCodec.parseBody", "request body: JSON bytes -> tree (Jackson)");
        QUBE_STEPS.put("io.qube.apiserver.codec.TypedDecoder", "tree -> fabric8 model (typed decode, unknown fields)");
        QUBE_STEPS.put("io.qube.apiserver.codec.ObjectCodec.toTyped", "tree -> fabric8 model (typed decode, unknown fields)");
        QUBE_STEPS.put("io.qube.apiserver.codec.ObjectCodec.toTree(Ljava/lang/Object;)", "fabric8 model -> tree (valueToTree)");
        QUBE_STEPS.put("io.qube.apiserver.codec.ObjectCodec.toTree", "stored body -> tree (parse)");
        QUBE_STEPS.put("io.qube.apiserver.codec.ObjectCodec.parse", "stored body -> tree (parse)");
        QUBE_STEPS.put("io.qube.apiserver.codec.ObjectCodec.storedBody", "tree -> stored JSON string");
        QUBE_STEPS.put("io.qube.apiserver.codec.ObjectCodec.toWire", "response/event body (splice resourceVersion)");
        QUBE_STEPS.put("io.qube.apiserver.codec.ProtobufBodies", "protobuf body decode");
        QUBE_STEPS.put("io.qube.apiserver.patch.", "managedFields (and patch machinery)");
        QUBE_STEPS.put("io.qube.apiserver.admission.", "defaults + validation (admission)");
        QUBE_STEPS.put("io.qube.apiserver.registry.", "defaults + validation (admission)");
        QUBE_STEPS.put("io.qube.apiserver.ObjectRules", "defaults + validation (admission)");
        QUBE_STEPS.put("io.qube.apiserver.SystemFields", "system fields (uid, creationTimestamp)");
        QUBE_STEPS.put("io.qube.store.IndexedFields", "labels and indexed fields");
        QUBE_STEPS.put("io.qube.store.LabelSelector", "watch/list selector matching");
        QUBE_STEPS.put("io.qube.store.FieldSelector", "watch/list selector matching");
        QUBE_STEPS.put("io.qube.apiserver.WatchStream", "watch stream: encode + write event");
        QUBE_STEPS.put("io.qube.apiserver.table.", "Table rendering");
        QUBE_STEPS.put("io.qube.apiserver.Tables", "Table rendering");
        QUBE_STEPS.put("io.qube.apiserver.Lists", "list rendering");
        QUBE_STEPS.put("io.qube.store.pg.WriteBatcher", "store: write batch (parameters, pg client send/complete)");
        QUBE_STEPS.put("io.qube.store.pg.", "store: other PostgreSQL work (reads, log follower, notify)");
        QUBE_STEPS.put("io.qube.store.watch.", "watch cache (apply change, dispatch to watchers)");
        QUBE_STEPS.put("io.qube.apiserver.Responses", "write HTTP response");
        QUBE_STEPS.put("io.qube.apiserver.ApiRoutes", "routing + request parsing");
        QUBE_STEPS.put("io.qube.apiserver.RequestInfo", "routing + request parsing");
        QUBE_STEPS.put("io.qube.apiserver.Query", "routing + request parsing");
    }

    /** Libraries, for samples with no Qube frame: the innermost non-JDK frame decides. */
    private static final Map<String, String> LIBRARIES = new LinkedHashMap<>();

    static {
        LIBRARIES.put("io.vertx.pgclient", "PostgreSQL client (protocol codec)");
        LIBRARIES.put("io.vertx.sqlclient", "PostgreSQL client (protocol codec)");
        LIBRARIES.put("io.vertx.ext.web", "HTTP router (Vert.x Web, body handler)");
        LIBRARIES.put("io.vertx.core.http", "HTTP server (Vert.x)");
        LIBRARIES.put("io.netty.handler.codec.http", "HTTP server (Netty codec)");
        LIBRARIES.put("io.netty", "Netty I/O (event loop, buffers, sockets)");
        LIBRARIES.put("io.vertx.core", "Vert.x core (contexts, futures)");
        LIBRARIES.put("io.smallrye.mutiny", "Mutiny (reactive plumbing)");
        LIBRARIES.put("io.micrometer", "metrics (Micrometer)");
        LIBRARIES.put("io.quarkus", "Quarkus");
        LIBRARIES.put("com.fasterxml.jackson", "Jackson (outside a Qube step)");
        LIBRARIES.put("io.fabric8", "fabric8 (outside a Qube step)");
    }

    private static String step(List<RecordedFrame> frames) {
        for (RecordedFrame frame : frames) {
            RecordedMethod method = frame.getMethod();
            if (method == null || !method.getType().getName().startsWith("io.qube.")) {
                continue;
            }
            String qualified = method.getType().getName() + "." + method.getName();
            String withDescriptor = qualified + method.getDescriptor();
            for (Map.Entry<String, String> marker : QUBE_STEPS.entrySet()) {
                if (withDescriptor.startsWith(marker.getKey())) {
                    return marker.getValue();
                }
            }
            return "other Qube code: " + method.getType().getName().replace("io.qube.", "") + "." + method.getName();
        }
        for (RecordedFrame frame : frames) {
            RecordedMethod method = frame.getMethod();
            if (method == null) {
                continue;
            }
            String type = method.getType().getName();
            for (Map.Entry<String, String> library : LIBRARIES.entrySet()) {
                if (type.startsWith(library.getKey())) {
                    return library.getValue();
                }
            }
        }
        RecordedMethod top = frames.get(0).getMethod();
        return "JDK/other: " + (top == null ? "?" : top.getType().getName());
    }

    private static String name(RecordedMethod method) {
        return method == null ? "?" : method.getType().getName() + "." + method.getName();
    }
}
