package io.qube.apiserver.discovery;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.qube.apiserver.codec.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A response that never changes while the server runs (discovery and OpenAPI documents): serialised once, named by
 * the hash of its bytes, and answered with 304 when the client already holds that version.
 */
public final class StaticDocument {

    private final byte[] body;
    private final String contentType;
    private final String hash;

    private StaticDocument(byte[] body, String contentType) {
        this.body = body;
        this.contentType = contentType;
        this.hash = sha256(body);
    }

    public static StaticDocument json(Object value, String contentType) {
        try {
            return new StaticDocument(Json.MAPPER.writeValueAsBytes(value), contentType);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getName(), e);
        }
    }

    /** A document already encoded, e.g. in protobuf. */
    public static StaticDocument encoded(byte[] body, String contentType) {
        return new StaticDocument(body.clone(), contentType);
    }

    public String contentType() {
        return contentType;
    }

    /** Hex SHA-256 of the body: changes exactly when the document does. */
    public String hash() {
        return hash;
    }

    /** Sends the document, or 304 if the request's If-None-Match names it. Headers set before the call are kept. */
    public void send(RoutingContext context) {
        String etag = "\"" + hash + "\"";
        context.response().putHeader(HttpHeaders.ETAG, etag);
        String ifNoneMatch = context.request().getHeader(HttpHeaders.IF_NONE_MATCH);
        if (ifNoneMatch != null && (ifNoneMatch.contains(etag) || ifNoneMatch.trim().equals("*"))) {
            context.response().setStatusCode(304).end();
            return;
        }
        context.response().putHeader(HttpHeaders.CONTENT_TYPE, contentType).end(Buffer.buffer(body));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
