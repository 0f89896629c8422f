package io.qube.apiserver.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.AnnotatedMethod;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.qube.apiserver.ApiException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes JSON into fabric8 model objects the way Kubernetes decodes into its types: fields the type does not
 * declare are dropped and reported (fabric8 would otherwise keep them in "additionalProperties" and store them).
 */
final class TypedDecoder {

    /**
     * Reads every any-setter as absent, so unknown fields reach the problem handler instead; except in FieldsV1,
     * whose content (managedFields' field sets) is free-form by design, and in an untyped custom resource, whose
     * fields its schema checks and prunes before decoding.
     */
    private static final class NoAnySetter extends JacksonAnnotationIntrospector {
        @Override
        public Boolean hasAnySetter(Annotated annotated) {
            return freeForm(annotated) ? super.hasAnySetter(annotated) : Boolean.FALSE;
        }

        @Override
        @SuppressWarnings("deprecation")
        public boolean hasAnySetterAnnotation(AnnotatedMethod method) {
            return freeForm(method) && super.hasAnySetterAnnotation(method);
        }

        private static boolean freeForm(Annotated annotated) {
            return annotated instanceof AnnotatedMember member && (member.getDeclaringClass() == FieldsV1.class
                    || member.getDeclaringClass() == GenericKubernetesResource.class);
        }
    }

    private static final class UnknownFieldCollector extends DeserializationProblemHandler {
        @Override
        public boolean handleUnknownProperty(DeserializationContext context, JsonParser parser,
                                             JsonDeserializer<?> deserializer, Object beanOrClass,
                                             String propertyName) throws IOException {
            @SuppressWarnings("unchecked")
            List<String> unknown = (List<String>) context.getAttribute(UNKNOWN);
            unknown.add(path(parser.getParsingContext()));
            parser.skipChildren();
            return true;
        }
    }

    private static final String UNKNOWN = "qube.unknownFields";
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .setAnnotationIntrospector(new NoAnySetter())
            .addHandler(new UnknownFieldCollector())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    // One reader per model class: building it resolves the type through Jackson's type factory on every decode.
    private static final ClassValue<ObjectReader> READERS = new ClassValue<>() {
        @Override
        protected ObjectReader computeValue(Class<?> type) {
            return MAPPER.readerFor(type);
        }
    };

    private TypedDecoder() {
    }

    static <T> Decoded<T> decode(ObjectNode tree, Class<T> type) {
        List<String> unknown = new ArrayList<>();
        try {
            T object = READERS.get(type).withAttribute(UNKNOWN, unknown).readValue(MAPPER.treeAsTokens(tree));
            return new Decoded<>(object, List.copyOf(unknown));
        } catch (IOException | IllegalArgumentException e) {
            throw ApiException.badRequest("the object could not be decoded as " + type.getSimpleName() + ": "
                    + firstLine(e.getMessage()));
        }
    }

    /** Kubernetes' notation for a field: {@code spec.containers[0].image}. */
    private static String path(JsonStreamContext context) {
        List<String> steps = new ArrayList<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                steps.add(0, "[" + c.getCurrentIndex() + "]");
            } else if (c.getCurrentName() != null) {
                steps.add(0, (steps.isEmpty() && c.getParent() != null && c.getParent().inRoot() ? "" : ".")
                        + c.getCurrentName());
            }
        }
        String joined = String.join("", steps);
        return joined.startsWith(".") ? joined.substring(1) : joined;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "malformed";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
