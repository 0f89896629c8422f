package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Comparator;

/** Equality of JSON values as Kubernetes compares them after decoding: numbers by value, so port 80 and 80.0 match. */
final class JsonValues {

    private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> a.isNumber() && b.isNumber()
            ? a.decimalValue().compareTo(b.decimalValue())
            : a.equals(b) ? 0 : 1;

    private JsonValues() {
    }

    static boolean same(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.equals(NUMBERS_BY_VALUE, b);
    }
}
