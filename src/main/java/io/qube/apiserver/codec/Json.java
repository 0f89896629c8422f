package io.qube.apiserver.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The JSON and YAML mappers for Kubernetes objects (fabric8's model classes carry their own annotations, among them
 * the MicroTime format of their {@code java.time} fields, which need Jackson's java.time module).
 */
public final class Json {

    /**
     * Jackson's limits, but a name as long as a string may be: server-side apply turns a list item's key (an env
     * var's name, a port's name...) into a field name of managedFields ({@code k:{"name":"..."}}), so a stored
     * object whose value fitted the string limit must still be readable when that value comes back as a name
     * (Jackson's default for names is 50,000 characters).
     */
    private static final StreamReadConstraints LIMITS = StreamReadConstraints.builder()
            .maxNameLength(StreamReadConstraints.DEFAULT_MAX_STRING_LEN).build();

    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder().streamReadConstraints(LIMITS)
            .build())
            .registerModule(new JavaTimeModule())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false)
            .configure(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS, false);

    public static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder().streamReadConstraints(LIMITS)
            .build())
            .registerModule(new JavaTimeModule())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Json() {
    }
}
