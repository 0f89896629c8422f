package io.qube.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserSequence;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.IOException;

/**
 * fabric8's serialization with one change: a watch event's object is decoded straight from the JSON into its model
 * class. fabric8 decodes the object into a tree first, to find its kind, and then the tree into the model; for the
 * in-process informers of the controllers and the scheduler that was about a tenth of the control plane's CPU in the
 * Deployment benchmark (JFR). Here the object's tokens are only buffered until apiVersion and kind are seen (the
 * apiserver writes them first, so that is two fields), then the class registered for them reads the buffered tokens
 * followed by the rest of the stream. An object whose kind fabric8 does not know is decoded as fabric8 does.
 * <p>
 * And one omission: {@code metadata.managedFields} is skipped, not decoded (client-go's informers are commonly given
 * a transform that drops it, for the same reason). No controller or the scheduler reads it; decoding it (an untyped
 * map per manager, a pod's spec over again) was a sixth of the decoding in the scheduler benchmark (JFR), and an
 * update sent without it keeps the stored entries, as in Kubernetes.
 */
public final class WatchEventDecoding {

    private WatchEventDecoding() {
    }

    /** A serialization for a client whose watches and informers decode each event once. */
    public static KubernetesSerialization serialization() {
        ObjectMapper mapper = new ObjectMapper();
        mapper.addMixIn(ObjectMeta.class, WithoutManagedFields.class);
        KubernetesSerialization serialization = new KubernetesSerialization(mapper, true);
        mapper.registerModule(new SimpleModule("qube-watch-events")
                .addDeserializer(WatchEvent.class, new EventDeserializer(serialization)));
        return serialization;
    }

    /** ObjectMeta's own annotation with managedFields left out. */
    @JsonIgnoreProperties(value = "managedFields", ignoreUnknown = true)
    private abstract static class WithoutManagedFields {
    }

    private static final class EventDeserializer extends JsonDeserializer<WatchEvent> {

        private final KubernetesSerialization serialization;

        EventDeserializer(KubernetesSerialization serialization) {
            this.serialization = serialization;
        }

        @Override
        public WatchEvent deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.currentToken() != JsonToken.START_OBJECT) {
                return (WatchEvent) context.handleUnexpectedToken(WatchEvent.class, parser);
            }
            WatchEvent event = new WatchEvent();
            for (String field = parser.nextFieldName(); field != null; field = parser.nextFieldName()) {
                JsonToken value = parser.nextToken();
                if (field.equals("type")) {
                    event.setType(value == JsonToken.VALUE_NULL ? null : parser.getText());
                } else if (field.equals("object") && value == JsonToken.START_OBJECT) {
                    event.setObject(object(parser, context));
                } else {
                    parser.skipChildren(); // nothing else is in a watch event
                }
            }
            return event;
        }

        /** The object at the parser's START_OBJECT, the parser left at its END_OBJECT. */
        private Object object(JsonParser parser, DeserializationContext context) throws IOException {
            TokenBuffer seen = context.bufferForInputBuffering(parser);
            seen.writeStartObject();
            String apiVersion = null;
            String kind = null;
            JsonToken token = parser.nextToken();
            while (token == JsonToken.FIELD_NAME && (apiVersion == null || kind == null)) {
                String field = parser.currentName();
                parser.nextToken();
                if (field.equals("apiVersion") && parser.currentToken() == JsonToken.VALUE_STRING) {
                    apiVersion = parser.getText();
                } else if (field.equals("kind") && parser.currentToken() == JsonToken.VALUE_STRING) {
                    kind = parser.getText();
                }
                seen.writeFieldName(field);
                seen.copyCurrentStructure(parser);
                token = parser.nextToken();
            }
            JsonParser rest;
            if (token == JsonToken.END_OBJECT) {
                seen.writeEndObject(); // the whole object was buffered: read it from the buffer alone
                rest = seen.asParser(parser);
            } else {
                // true: the stream's current token (the field after kind) comes next, not the one after it.
                rest = JsonParserSequence.createFlattened(true, seen.asParser(parser), parser);
            }
            rest.nextToken();
            Class<? extends KubernetesResource> type = apiVersion == null || kind == null ? null
                    : serialization.getRegisteredKubernetesResource(apiVersion, kind);
            if (type == null) {
                // fabric8's own way: the tree, then whatever its deserializer makes of it (a generic resource).
                return serialization.convertValue(context.readTree(rest), KubernetesResource.class);
            }
            return context.readValue(rest, type);
        }
    }
}
