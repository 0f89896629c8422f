package io.qube.apiserver.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.CodedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The Swagger 2.0 document in the protobuf form kube-apiserver serves for
 * {@code Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf}: gnostic's {@code openapi.v2.Document}
 * message, which Go clients (kubectl's validation among them) read. Written field by field from the JSON document,
 * with the message field numbers below; every value travels as in gnostic (vendor extensions, defaults and enum
 * values as an {@code Any} holding YAML, for which JSON text serves). A JSON field this writer does not know fails the
 * generation, so the two forms cannot silently differ.
 */
final class SwaggerProtobuf {

    private SwaggerProtobuf() {
    }

    static byte[] encode(JsonNode document) {
        Message out = new Message();
        fields(document, "Document", (name, value) -> {
            switch (name) {
                case "swagger" -> out.string(1, value.asText());
                case "info" -> out.message(2, info(value));
                case "paths" -> out.message(8, paths(value));
                case "definitions" -> out.message(9, named(value, 1, SwaggerProtobuf::schema));
                default -> unknown("Document", name);
            }
        });
        return out.bytes();
    }

    private static Message info(JsonNode info) {
        Message out = new Message();
        fields(info, "Info", (name, value) -> {
            switch (name) {
                case "title" -> out.string(1, value.asText());
                case "version" -> out.string(2, value.asText());
                case "description" -> out.string(3, value.asText());
                default -> unknown("Info", name);
            }
        });
        return out;
    }

    private static Message paths(JsonNode paths) {
        Message out = new Message();
        fields(paths, "Paths", (name, value) -> out.message(2, new Message().string(1, name).message(2,
                pathItem(value))));
        return out;
    }

    private static Message pathItem(JsonNode item) {
        Message out = new Message();
        fields(item, "PathItem", (name, value) -> {
            switch (name) {
                case "get" -> out.message(2, operation(value));
                case "put" -> out.message(3, operation(value));
                case "post" -> out.message(4, operation(value));
                case "delete" -> out.message(5, operation(value));
                case "patch" -> out.message(8, operation(value));
                case "parameters" -> value.forEach(parameter -> out.message(9, parametersItem(parameter)));
                default -> unknown("PathItem", name);
            }
        });
        return out;
    }

    private static Message operation(JsonNode operation) {
        Message out = new Message();
        fields(operation, "Operation", (name, value) -> {
            switch (name) {
                case "tags" -> value.forEach(tag -> out.string(1, tag.asText()));
                case "summary" -> out.string(2, value.asText());
                case "description" -> out.string(3, value.asText());
                case "operationId" -> out.string(5, value.asText());
                case "produces" -> value.forEach(type -> out.string(6, type.asText()));
                case "consumes" -> value.forEach(type -> out.string(7, type.asText()));
                case "parameters" -> value.forEach(parameter -> out.message(8, parametersItem(parameter)));
                case "responses" -> out.message(9, responses(value));
                case "schemes" -> value.forEach(scheme -> out.string(10, scheme.asText()));
                case "deprecated" -> out.bool(11, value.asBoolean());
                default -> vendorExtension(out, 13, "Operation", name, value);
            }
        });
        return out;
    }

    /** ParametersItem → Parameter → a body parameter, or a non-body one of its location's sub-schema. */
    private static Message parametersItem(JsonNode parameter) {
        String in = parameter.path("in").asText();
        Message typed = in.equals("body") ? bodyParameter(parameter) : new Message().message(switch (in) {
            case "header" -> 1;
            case "formData" -> 2;
            case "query" -> 3;
            case "path" -> 4;
            default -> throw new IllegalStateException("a parameter in \"" + in + "\"");
        }, nonBodyParameter(parameter, in));
        return new Message().message(1, new Message().message(in.equals("body") ? 1 : 2, typed));
    }

    private static Message bodyParameter(JsonNode parameter) {
        Message out = new Message();
        fields(parameter, "BodyParameter", (name, value) -> {
            switch (name) {
                case "description" -> out.string(1, value.asText());
                case "name" -> out.string(2, value.asText());
                case "in" -> out.string(3, value.asText());
                case "required" -> out.bool(4, value.asBoolean());
                case "schema" -> out.message(5, schema(value));
                default -> vendorExtension(out, 6, "BodyParameter", name, value);
            }
        });
        return out;
    }

    /**
     * Query and path sub-schemas share their first fields; from {@code type} on, the query form has one more field
     * (allowEmptyValue, 5) before it, so its numbers are one higher.
     */
    private static Message nonBodyParameter(JsonNode parameter, String in) {
        int shift = in.equals("query") || in.equals("formData") ? 1 : 0;
        Message out = new Message();
        fields(parameter, "NonBodyParameter", (name, value) -> {
            switch (name) {
                case "required" -> out.bool(1, value.asBoolean());
                case "in" -> out.string(2, value.asText());
                case "description" -> out.string(3, value.asText());
                case "name" -> out.string(4, value.asText());
                case "type" -> out.string(5 + shift, value.asText());
                case "format" -> out.string(6 + shift, value.asText());
                case "uniqueItems" -> out.bool(19 + shift, value.asBoolean());
                default -> vendorExtension(out, 22 + shift, "NonBodyParameter", name, value);
            }
        });
        return out;
    }

    private static Message responses(JsonNode responses) {
        Message out = new Message();
        fields(responses, "Responses", (code, response) -> {
            Message body = new Message();
            fields(response, "Response", (name, value) -> {
                switch (name) {
                    case "description" -> body.string(1, value.asText());
                    case "schema" -> body.message(2, new Message().message(1, schema(value)));
                    default -> vendorExtension(body, 5, "Response", name, value);
                }
            });
            out.message(1, new Message().string(1, code).message(2, new Message().message(1, body)));
        });
        return out;
    }

    private static Message schema(JsonNode schema) {
        Message out = new Message();
        fields(schema, "Schema", (name, value) -> {
            switch (name) {
                case "$ref" -> out.string(1, value.asText());
                case "format" -> out.string(2, value.asText());
                case "title" -> out.string(3, value.asText());
                case "description" -> out.string(4, value.asText());
                case "default" -> out.message(5, any(value));
                case "required" -> value.forEach(field -> out.string(19, field.asText()));
                case "enum" -> value.forEach(constant -> out.message(20, any(constant)));
                case "additionalProperties" -> out.message(21, value.isBoolean()
                        ? new Message().bool(2, value.asBoolean()) : new Message().message(1, schema(value)));
                case "type" -> out.message(22, typeItem(value));
                case "items" -> out.message(23, new Message().message(1, schema(value)));
                case "allOf" -> value.forEach(part -> out.message(24, schema(part)));
                case "properties" -> out.message(25, named(value, 1, SwaggerProtobuf::schema));
                case "readOnly" -> out.bool(27, value.asBoolean());
                // The checks a custom resource's schema carries (built-in kinds' generated schemas have none).
                case "multipleOf" -> out.number(6, value.asDouble());
                case "maximum" -> out.number(7, value.asDouble());
                case "exclusiveMaximum" -> out.bool(8, value.asBoolean());
                case "minimum" -> out.number(9, value.asDouble());
                case "exclusiveMinimum" -> out.bool(10, value.asBoolean());
                case "maxLength" -> out.int64(11, value.asLong());
                case "minLength" -> out.int64(12, value.asLong());
                case "pattern" -> out.string(13, value.asText());
                case "maxItems" -> out.int64(14, value.asLong());
                case "minItems" -> out.int64(15, value.asLong());
                case "uniqueItems" -> out.bool(16, value.asBoolean());
                case "maxProperties" -> out.int64(17, value.asLong());
                case "minProperties" -> out.int64(18, value.asLong());
                // OpenAPI 3 only: as Kubernetes, the Swagger 2.0 form leaves them out.
                case "nullable", "anyOf", "oneOf", "not" -> { }
                case "example" -> out.message(30, any(value));
                default -> vendorExtension(out, 31, "Schema", name, value);
            }
        });
        return out;
    }

    private static Message typeItem(JsonNode type) {
        Message out = new Message();
        if (type.isArray()) {
            type.forEach(each -> out.string(1, each.asText()));
        } else {
            out.string(1, type.asText());
        }
        return out;
    }

    /** A map of named values: repeated (name = 1, value = 2) entries in field {@code field}. */
    private static Message named(JsonNode map, int field, java.util.function.Function<JsonNode, Message> value) {
        Message out = new Message();
        fields(map, "map", (name, each) -> out.message(field, new Message().string(1, name).message(2,
                value.apply(each))));
        return out;
    }

    /** gnostic's Any: the value as YAML text (field 2); JSON is YAML, and Go's YAML readers take it as such. */
    private static Message any(JsonNode value) {
        return new Message().string(2, value.toString());
    }

    private static void vendorExtension(Message out, int field, String owner, String name, JsonNode value) {
        if (!name.startsWith("x-")) {
            unknown(owner, name);
        }
        out.message(field, new Message().string(1, name).message(2, any(value)));
    }

    private static void fields(JsonNode node, String owner, BiConsumer<String, JsonNode> each) {
        if (!node.isObject()) {
            throw new IllegalStateException(owner + " is not an object: " + node);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            each.accept(field.getKey(), field.getValue());
        }
    }

    private static void unknown(String owner, String name) {
        throw new IllegalStateException("the protobuf form of the OpenAPI document has no place for " + owner + "."
                + name);
    }

    /** One protobuf message being written; nested messages are written whole, then embedded as bytes. */
    private static final class Message {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final CodedOutputStream out = CodedOutputStream.newInstance(buffer);

        /** A write to the in-memory stream, which fails only on a bug. */
        private interface Write {
            void to(CodedOutputStream out) throws IOException;
        }

        private Message write(Write write) {
            try {
                write.to(out);
                return this;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** proto3: an empty string or false is the default and is not written. */
        Message string(int field, String value) {
            return value.isEmpty() ? this : write(out -> out.writeString(field, value));
        }

        Message bool(int field, boolean value) {
            return value ? write(out -> out.writeBool(field, true)) : this;
        }

        /** proto3: zero is the default and is not written. */
        Message number(int field, double value) {
            return value == 0 ? this : write(out -> out.writeDouble(field, value));
        }

        Message int64(int field, long value) {
            return value == 0 ? this : write(out -> out.writeInt64(field, value));
        }

        Message message(int field, Message value) {
            byte[] bytes = value.bytes();
            return write(out -> out.writeByteArray(field, bytes));
        }

        byte[] bytes() {
            write(CodedOutputStream::flush);
            return buffer.toByteArray();
        }
    }
}
