package io.qube.apiserver.patch;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.ApiException;
import io.qube.apiserver.codec.Json;

import java.io.IOException;
import java.util.stream.Collectors;

/** Reading a patch body. Every syntax error becomes a 400 BadRequest that says what is wrong and where. */
final class PatchBody {

    // Trailing content (a second JSON value, a second YAML document) is an error, not silently ignored.
    private static final ObjectReader JSON = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final ObjectReader YAML = Json.YAML.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private PatchBody() {
    }

    static JsonNode json(byte[] body) {
        return read(JSON, body, "error decoding patch");
    }

    /** A JSON body that must be an object; {@code what} names the patch type in the message. */
    static ObjectNode jsonObject(byte[] body, String what) {
        return requireObject(json(body), what + " must be a JSON object");
    }

    /** An apply body: YAML, or JSON (which is YAML too). */
    static ObjectNode yamlObject(byte[] body) {
        return requireObject(read(YAML, body, "error decoding YAML"), "an apply patch must be an object");
    }

    private static ObjectNode requireObject(JsonNode node, String message) {
        if (node instanceof ObjectNode object) {
            return object;
        }
        throw ApiException.badRequest(message + ", not " + node.getNodeType().name().toLowerCase());
    }

    private static JsonNode read(ObjectReader reader, byte[] body, String prefix) {
        JsonNode node;
        try {
            node = body == null ? null : reader.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(prefix + ": " + describe(e));
        } catch (IOException e) {
            throw ApiException.badRequest(prefix + ": " + e.getMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw ApiException.badRequest(prefix + ": the request body is empty");
        }
        return node;
    }

    /** The parser's own words on one line (YAML errors span several), and the position. */
    private static String describe(JsonProcessingException e) {
        String words = e.getOriginalMessage().lines().map(String::strip).filter(line -> !line.isEmpty())
                .collect(Collectors.joining(" "));
        JsonLocation at = e.getLocation();
        return at == null ? words : words + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }
}
