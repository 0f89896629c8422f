package io.qube.apiserver.codec;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.Quantity;
import io.qube.apiserver.ApiException;
import io.qube.apiserver.registry.FieldErrors;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.TemporalAccessor;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks that a body has the JSON type its model declares at every field (an object where an object belongs, a
 * 32-bit integer where an int32 belongs, ...), before any step of a write reads or changes it. Kubernetes decodes a
 * body into its Go type first and answers 400 when a field cannot be decoded; Jackson would coerce instead ("3" into
 * 3, 5 into "5"), and Qube's own steps that work on the JSON would trip over the wrong shapes. Fields the model does
 * not know are left to the unknown-field handling; a null field is absent, as in Go, but a null element of a list or
 * value of a map is refused (Go would make it a zero value; see docs/api-differences.md). The walk allocates nothing
 * unless it finds a mismatch.
 */
public final class WellTyped {

    /** A mismatch, with its field path built while the walk unwinds. */
    private static final class Mismatch {
        private final StringBuilder path = new StringBuilder();
        private final String found;
        private final String expected;

        Mismatch(String found, String expected) {
            this.found = found;
            this.expected = expected;
        }

        Mismatch under(String field) {
            path.insert(0, path.isEmpty() || path.charAt(0) == '[' ? field : field + ".");
            return this;
        }

        Mismatch at(int index) {
            path.insert(0, "[" + index + "]" + (path.isEmpty() || path.charAt(0) == '[' ? "" : "."));
            return this;
        }
    }

    // Resolving a class through Jackson's type factory on every write showed in profiles (see ModelType).
    private static final ClassValue<JavaType> TYPES = new ClassValue<>() {
        @Override
        protected JavaType computeValue(Class<?> type) {
            return Json.MAPPER.constructType(type);
        }
    };

    // Reading the class's annotations on every field of every write showed in profiles of pod creates.
    private static final ClassValue<Boolean> FREE_FORM = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> raw) {
            if (raw == Object.class || JsonNode.class.isAssignableFrom(raw) || raw.isInterface()
                    || java.lang.reflect.Modifier.isAbstract(raw.getModifiers())) {
                return true;
            }
            JsonDeserialize custom = raw.getAnnotation(JsonDeserialize.class);
            return custom != null && custom.using() != JsonDeserializer.None.class;
        }
    };

    private WellTyped() {
    }

    /**
     * @param kind the kind named in the message, e.g. Service
     * @throws ApiException 400 naming the first field whose value has the wrong type
     */
    public static void check(JsonNode body, Class<?> type, String kind, String apiVersion) {
        Mismatch mismatch = check(body, TYPES.get(type));
        if (mismatch != null) {
            String field = mismatch.path.toString();
            String why = "cannot be " + mismatch.found + ", must be " + mismatch.expected;
            String message = kind + " in version \"" + apiVersion + "\" cannot be handled as a " + kind + ": "
                    + (field.isEmpty() ? "the object " : field + ": ") + why;
            List<FieldErrors.Cause> causes = List.of(new FieldErrors.Cause("FieldValueInvalid", why,
                    field.isEmpty() ? "<root>" : field));
            throw new ApiException(400, "BadRequest", message, null, null, null, causes);
        }
    }

    private static Mismatch check(JsonNode value, JavaType type) {
        if (value == null || value.isNull()) {
            return null;
        }
        Class<?> raw = type.getRawClass();
        if (type.isArrayType() || type.isCollectionLikeType()) {
            return value.isArray() ? elements(value, type.getContentType()) : new Mismatch(kindOf(value), "an array");
        }
        if (type.isMapLikeType()) {
            return value.isObject() ? entries(value, type.getContentType()) : new Mismatch(kindOf(value), "an object");
        }
        if (raw == String.class || raw.isEnum() || raw == MicroTime.class || TemporalAccessor.class.isAssignableFrom(raw)) {
            return value.isTextual() ? null : new Mismatch(kindOf(value), "a string");
        }
        if (raw == Boolean.class || raw == boolean.class) {
            return value.isBoolean() ? null : new Mismatch(kindOf(value), "a boolean");
        }
        if (raw == Integer.class || raw == int.class || raw == Short.class || raw == short.class) {
            return value.isIntegralNumber() && value.canConvertToInt() ? null
                    : new Mismatch(kindOf(value), "a 32-bit integer");
        }
        if (raw == Long.class || raw == long.class || raw == BigInteger.class) {
            return value.isIntegralNumber() && (raw == BigInteger.class || value.canConvertToLong()) ? null
                    : new Mismatch(kindOf(value), "a 64-bit integer");
        }
        if (raw == Double.class || raw == double.class || raw == Float.class || raw == float.class
                || raw == BigDecimal.class) {
            return value.isNumber() ? null : new Mismatch(kindOf(value), "a number");
        }
        if (raw == IntOrString.class) {
            return value.isTextual() || value.isIntegralNumber() && value.canConvertToInt() ? null
                    : new Mismatch(kindOf(value), "a string or a 32-bit integer");
        }
        if (raw == Quantity.class) {
            return value.isTextual() || value.isNumber() ? null : new Mismatch(kindOf(value), "a quantity");
        }
        if (freeForm(raw)) {
            return null;
        }
        return value.isObject() ? fields(value, raw) : new Mismatch(kindOf(value), "an object");
    }

    private static Mismatch fields(JsonNode object, Class<?> type) {
        Map<String, JavaType> properties = ModelProperties.of(type);
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JavaType declared = properties.get(field.getKey());
            if (declared != null) {
                Mismatch mismatch = check(field.getValue(), declared);
                if (mismatch != null) {
                    return mismatch.under(field.getKey());
                }
            }
        }
        return null;
    }

    private static Mismatch elements(JsonNode array, JavaType element) {
        for (int i = 0; i < array.size(); i++) {
            Mismatch mismatch = array.get(i).isNull() ? new Mismatch("null", "a value") : check(array.get(i), element);
            if (mismatch != null) {
                return mismatch.at(i);
            }
        }
        return null;
    }

    private static Mismatch entries(JsonNode object, JavaType value) {
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            Mismatch mismatch = entry.getValue().isNull() && !freeForm(value.getRawClass())
                    ? new Mismatch("null", "a value") : check(entry.getValue(), value);
            if (mismatch != null) {
                return mismatch.under(entry.getKey());
            }
        }
        return null;
    }

    /**
     * Types whose JSON the model does not pin down: free-form values (Object, JSON trees, interfaces such as a
     * polymorphic KubernetesResource) and classes with a deserializer of their own (FieldsV1, raw extensions).
     */
    private static boolean freeForm(Class<?> raw) {
        return FREE_FORM.get(raw);
    }

    private static String kindOf(JsonNode value) {
        return switch (value.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case STRING -> "a string";
            case BOOLEAN -> "a boolean";
            case NUMBER -> value.isIntegralNumber() ? "the integer " + value.asText() : "the number " + value.asText();
            default -> "a " + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
