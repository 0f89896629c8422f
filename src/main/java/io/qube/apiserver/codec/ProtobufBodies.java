package io.qube.apiserver.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.kubernetes.client.proto.Runtime;
import io.qube.apiserver.ApiException;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads request bodies in Kubernetes' protobuf encoding, which kubectl's typed clients send (e.g. for
 * {@code kubectl create namespace}), into the same JSON the rest of the server works on. The encoding is a
 * "k8s\0" prefix and a runtime.Unknown envelope naming the kind, around the object's own message.
 */
public final class ProtobufBodies {

    private static final byte[] MAGIC = {'k', '8', 's', 0};
    private static final String PACKAGE = "io.kubernetes.client.proto.";
    /** Option kinds every group version carries (metav1.AddToGroupVersion): one message whatever the group. */
    private static final Map<String, String> META_KINDS = Map.of("DeleteOptions", PACKAGE + "Meta");
    /**
     * Fields the Go types embed anonymously (a Volume's VolumeSource, a Probe's ProbeHandler, the
     * LocalObjectReference of configMapKeyRef and its kin, ...): protobuf names them, JSON lifts their fields into
     * the enclosing object. Every such embedding in the served groups of k8s.io/api 1.32 to 1.37.
     */
    private static final Set<String> INLINED = Set.of("volumeSource", "persistentVolumeSource",
            "localObjectReference", "handler", "ephemeralContainerCommon");
    /** metav1.MicroTime's JSON form: RFC 3339 with exactly six fractional digits, in UTC. */
    private static final DateTimeFormatter MICRO_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private ProtobufBodies() {
    }

    public static boolean isProtobuf(String contentType) {
        return contentType != null && contentType.startsWith("application/vnd.kubernetes.protobuf");
    }

    /**
     * @param endpointApiVersion the apiVersion the endpoint takes, used when the envelope names none
     * @param endpointKind the kind the endpoint takes, used when the envelope names none (Kubernetes' decoder fills
     *        an empty type in the envelope from the endpoint the same way)
     * @throws ApiException 400 for a malformed body, 415 for a kind whose protobuf form is not known here
     */
    public static ObjectNode toJson(byte[] body, String endpointApiVersion, String endpointKind) {
        if (body == null || body.length < MAGIC.length || !startsWithMagic(body)) {
            throw ApiException.badRequest("a protobuf body must start with the Kubernetes envelope (\"k8s\\0\")");
        }
        try {
            Runtime.Unknown envelope = Runtime.Unknown.parseFrom(
                    ByteString.copyFrom(body, MAGIC.length, body.length - MAGIC.length));
            String apiVersion = orDefault(envelope.getTypeMeta().getApiVersion(), endpointApiVersion);
            String kind = orDefault(envelope.getTypeMeta().getKind(), endpointKind);
            Message message = parse(apiVersion, kind, envelope.getRaw());
            ObjectNode json = object(message);
            ObjectNode typed = Json.MAPPER.createObjectNode().put("apiVersion", apiVersion).put("kind", kind);
            typed.setAll(json);
            return typed;
        } catch (InvalidProtocolBufferException e) {
            throw ApiException.badRequest("the protobuf body could not be decoded: " + e.getMessage());
        }
    }

    private static String orDefault(String sent, String endpoint) {
        return sent.isEmpty() ? endpoint : sent;
    }

    private static boolean startsWithMagic(byte[] body) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (body[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static Message parse(String apiVersion, String kind, ByteString raw) {
        try {
            if (!kind.matches("[A-Za-z0-9]+")) {
                throw new ClassNotFoundException(kind);
            }
            String outer = META_KINDS.getOrDefault(kind, outerClass(apiVersion));
            Class<?> type = Class.forName(outer + "$" + kind);
            return (Message) type.getMethod("parseFrom", ByteString.class).invoke(null, raw);
        } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException | ClassCastException e) {
            throw new ApiException(415, "UnsupportedMediaType", "protobuf is not supported for " + kind + " ("
                    + apiVersion + "); send JSON", null, null, null, null);
        } catch (InvocationTargetException e) {
            throw ApiException.badRequest("the protobuf body could not be decoded as " + kind + ": "
                    + e.getCause().getMessage());
        }
    }

    /**
     * The class holding a group version's messages in Kubernetes' published proto classes: the version, then the
     * group's first label, capitalised ({@code v1} → V1, {@code apps/v1} → V1Apps, {@code coordination.k8s.io/v1}
     * → V1Coordination).
     */
    private static String outerClass(String apiVersion) throws ClassNotFoundException {
        int slash = apiVersion.indexOf('/');
        String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        int dot = group.indexOf('.');
        String label = dot < 0 ? group : group.substring(0, dot);
        if (!version.matches("v[0-9]+((alpha|beta)[0-9]+)?") || !label.matches("[a-z]*")) {
            throw new ClassNotFoundException(apiVersion);
        }
        return PACKAGE + capitalised(version) + capitalised(label);
    }

    private static String capitalised(String word) {
        return word.isEmpty() ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }

    private static ObjectNode object(Message message) {
        refuseWrongWireTypes(message);
        ObjectNode json = Json.MAPPER.createObjectNode();
        for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
            FieldDescriptor descriptor = field.getKey();
            if (descriptor.isMapField()) {
                ObjectNode map = json.putObject(descriptor.getName());
                for (Object entry : (List<?>) field.getValue()) {
                    Message pair = (Message) entry;
                    FieldDescriptor key = pair.getDescriptorForType().findFieldByName("key");
                    FieldDescriptor value = pair.getDescriptorForType().findFieldByName("value");
                    map.set(String.valueOf(pair.getField(key)), value(value, pair.getField(value)));
                }
            } else if (descriptor.isRepeated()) {
                ArrayNode array = json.putArray(descriptor.getName());
                for (Object item : (List<?>) field.getValue()) {
                    array.add(value(descriptor, item));
                }
            } else {
                JsonNode converted = value(descriptor, field.getValue());
                boolean inlined = INLINED.contains(descriptor.getName());
                if (inlined && converted instanceof ObjectNode fields) {
                    json.setAll(fields);
                } else if (converted != null) {
                    json.set(descriptor.getName(), converted);
                }
            }
        }
        return json;
    }

    /**
     * protobuf-java keeps a known field sent with the wrong wire type as an unknown field; Kubernetes' decoder
     * refuses such a body, and so does Qube (field numbers it does not know are skipped, as there).
     */
    private static void refuseWrongWireTypes(Message message) {
        for (int number : message.getUnknownFields().asMap().keySet()) {
            FieldDescriptor known = message.getDescriptorForType().findFieldByNumber(number);
            if (known != null) {
                throw ApiException.badRequest("the protobuf body could not be decoded: field " + known.getName()
                        + " of " + message.getDescriptorForType().getName() + " has the wrong wire type");
            }
        }
    }

    /**
     * One value in Kubernetes' JSON form: its special types are scalars there, messages here. Null for a value Go
     * reads as unset.
     */
    private static JsonNode value(FieldDescriptor descriptor, Object value) {
        var factory = Json.MAPPER.getNodeFactory();
        return switch (descriptor.getJavaType()) {
            case INT -> factory.numberNode((Integer) value);
            case LONG -> factory.numberNode((Long) value);
            case FLOAT -> factory.numberNode((Float) value);
            case DOUBLE -> factory.numberNode((Double) value);
            case BOOLEAN -> factory.booleanNode((Boolean) value);
            case STRING -> factory.textNode((String) value);
            case BYTE_STRING -> factory.textNode(Base64.getEncoder().encodeToString(((ByteString) value).toByteArray()));
            case ENUM -> factory.textNode(value.toString());
            case MESSAGE -> special((Message) value);
        };
    }

    private static JsonNode special(Message message) {
        var factory = Json.MAPPER.getNodeFactory();
        String name = message.getDescriptorForType().getName();
        return switch (name) {
            case "IntOrString" -> {
                long type = ((Number) field(message, "type", 0L)).longValue();
                yield type == 1 ? factory.textNode((String) field(message, "strVal", ""))
                        : factory.numberNode(((Number) field(message, "intVal", 0)).intValue());
            }
            case "Quantity" -> factory.textNode((String) field(message, "string", "0"));
            case "Time", "MicroTime" -> {
                // Go writes a zero time, which a non-pointer field (an event's eventTime, a condition's
                // lastTransitionTime) always carries, as an empty message, and reads it back as unset.
                if (message.getAllFields().isEmpty()) {
                    yield null;
                }
                Instant at = Instant.ofEpochSecond(((Number) field(message, "seconds", 0L)).longValue(),
                        ((Number) field(message, "nanos", 0)).intValue());
                yield factory.textNode(name.equals("Time") ? at.truncatedTo(ChronoUnit.SECONDS).toString()
                        : MICRO_TIME.format(at));
            }
            case "RawExtension", "FieldsV1" -> {
                ByteString raw = (ByteString) field(message, "raw", ByteString.EMPTY);
                try {
                    yield raw.isEmpty() ? factory.objectNode() : Json.MAPPER.readTree(raw.toByteArray());
                } catch (IOException e) {
                    throw ApiException.badRequest("an embedded object is not JSON: " + e.getMessage());
                }
            }
            default -> object(message);
        };
    }

    private static Object field(Message message, String name, Object absent) {
        FieldDescriptor field = message.getDescriptorForType().findFieldByName(name);
        return field != null && message.hasField(field) ? message.getField(field) : absent;
    }
}
