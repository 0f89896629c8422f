package io.qube.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.qube.apiserver.codec.Decoded;
import io.qube.apiserver.codec.ObjectCodec;
import io.qube.apiserver.patch.ManagedFields;
import io.qube.apiserver.registry.BuiltinResources;
import io.qube.apiserver.registry.FieldErrors;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.apiserver.registry.ResourceRegistry;
import io.qube.bench.ApiBenchmark;
import io.qube.store.IndexedFields;
import io.qube.store.ObjectKey;
import io.qube.store.StoredObject;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the CPU work of one create costs, step by step, in this JVM on one thread: the same calls, in the same
 * order, that {@link ObjectWriter#create} and the HTTP handler make between the request body's bytes and the
 * response's bytes, without HTTP, the store or PostgreSQL. Part of the API benchmark's analysis
 * ({@code bench/api.sh --profile}); run alone with
 * {@code java -cp ... io.qube.apiserver.CreateCostProbe [warm-up-seconds [measured-seconds]]}.
 */
public final class CreateCostProbe {

    private static final String MANAGER = "api-benchmark";

    private final Map<String, long[]> nanos = new LinkedHashMap<>();
    private long sink;

    private CreateCostProbe() {
    }

    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int measure = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.print(run(warmup, measure));
    }

    /** Per kind, warms up for {@code warmup} seconds, then measures for {@code measure} seconds: a table each. */
    public static String run(int warmup, int measure) {
        ResourceRegistry registry = BuiltinResources.registry();
        StringBuilder out = new StringBuilder();
        out.append(probe(registry.find("", "v1", "configmaps").orElseThrow(),
                ApiBenchmark.configMap("c-0000001", "create").replace("\"metadata\":{",
                        "\"metadata\":{\"namespace\":\"default\","), warmup, measure));
        out.append(probe(registry.find("", "v1", "pods").orElseThrow(),
                ApiBenchmark.pod("p-0000001", "bench-1"), warmup, measure));
        return out.toString();
    }

    private static String probe(ResourceDefinition<?> definition, String body, int warmup, int measure) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        IndexedFields indexed = IndexedFields.kubernetesDefaults();
        CreateCostProbe warm = new CreateCostProbe();
        long until = System.nanoTime() + warmup * 1_000_000_000L;
        while (System.nanoTime() < until) {
            warm.once(definition, bytes, indexed);
        }
        CreateCostProbe probe = new CreateCostProbe();
        long iterations = 0;
        until = System.nanoTime() + measure * 1_000_000_000L;
        while (System.nanoTime() < until) {
            probe.once(definition, bytes, indexed);
            iterations++;
        }
        String stored = probe.lastStored;
        long total = probe.nanos.values().stream().mapToLong(n -> n[0]).sum();
        StringBuilder out = new StringBuilder(String.format("%s create: %,d B request body, %,d B stored object,"
                + " %,d iterations on one thread after %d s of warm-up%n", definition.kind(), bytes.length,
                stored.length(), iterations, warmup));
        out.append(String.format("  %-58s %9s %6s%n", "step", "µs/create", "share"));
        for (Map.Entry<String, long[]> step : probe.nanos.entrySet()) {
            out.append(String.format("  %-58s %9.1f %5.0f%%%n", step.getKey(), step.getValue()[0] / 1000.0 / iterations,
                    100.0 * step.getValue()[0] / total));
        }
        out.append(String.format("  %-58s %9.1f%n%n", "total", total / 1000.0 / iterations));
        return out.toString();
    }

    private String lastStored = "";

    private void once(ResourceDefinition<?> definition, byte[] bytes, IndexedFields indexed) {
        long t0 = System.nanoTime();
        ObjectNode body = ObjectCodec.parseBody(bytes, false);
        long t1 = time("request body: JSON bytes -> tree (Jackson readTree)", t0);
        ObjectRules.checkTypes(body, definition);
        t1 = time("type check: every field's JSON type (WellTyped)", t1);
        ObjectRules.checkKind(body, definition);
        ObjectNode metadata = ObjectRules.metadata(body);
        if (definition.namespaced()) {
            metadata.put("namespace", metadata.path("namespace").asText("default"));
        }
        SystemFields.forCreate(metadata, definition.hasStatus());
        long t2 = time("system fields: uid (UUID), creationTimestamp", t1);
        typed(definition, body, bytes, indexed, t2);
    }

    private <T extends HasMetadata> void typed(ResourceDefinition<T> definition, ObjectNode body, byte[] bytes,
                                               IndexedFields indexed, long t2) {
        Decoded<T> decoded = ObjectCodec.toTyped(body, definition.type());
        T object = decoded.object();
        long t3 = time("tree -> fabric8 model (typed decode, unknown fields)", t2);
        definition.defaulter().apply(object);
        long t4 = time("defaults", t3);
        FieldErrors errors = new FieldErrors();
        ObjectRules.validateMetadata(object, null, definition, errors);
        definition.validator().validate(object, null, errors);
        if (!errors.isEmpty()) {
            throw new IllegalStateException("the probe's object is invalid: " + errors);
        }
        long t5 = time("validation (metadata + kind)", t4);
        ObjectNode tree = ObjectCodec.toTree(object);
        long t6 = time("fabric8 model -> tree (Jackson valueToTree)", t5);
        ManagedFields.recordUpdate(null, tree, definition, MANAGER, Instant.now());
        long t7 = time("managedFields (field set of the whole object)", t6);
        String name = object.getMetadata().getName();
        ObjectKey key = ObjectKey.of(definition.storeType(), object.getMetadata().getNamespace(), name);
        Map<String, String> labels = IndexedFields.labelsOf(tree);
        Map<String, String> fields = indexed.extract(definition.storeType(), tree);
        long t8 = time("labels and indexed fields", t7);
        String stored = ObjectCodec.storedBody(tree);
        long t9 = time("tree -> stored JSON string (Jackson)", t8);
        String wire = ObjectCodec.toWire(new StoredObject(key, object.getMetadata().getUid(), 42, 42, labels, fields,
                stored));
        byte[] response = wire.getBytes(StandardCharsets.UTF_8);
        time("response body: splice resourceVersion, UTF-8 bytes", t9);
        sink += response.length + bytes.length;
        lastStored = stored;
    }

    private long time(String step, long since) {
        long now = System.nanoTime();
        nanos.computeIfAbsent(step, s -> new long[1])[0] += now - since;
        return now;
    }
}
