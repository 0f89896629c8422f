package io.qube.apiserver.patch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qube.apiserver.codec.Json;

import java.util.ArrayList;
import java.util.List;

/**
 * The path to one field of an object, in the elements Kubernetes' managedFields use: {@code f:<name>} for a field,
 * {@code k:{"name":"app"}} for a list item by its key, {@code v:"value"} for a value in a set list.
 */
record FieldPath(List<String> elements) {

    static final FieldPath ROOT = new FieldPath(List.of());

    FieldPath field(String name) {
        return child("f:" + name);
    }

    FieldPath item(ObjectNode key) {
        return child("k:" + key);
    }

    FieldPath value(JsonNode value) {
        return child("v:" + value);
    }

    FieldPath child(String element) {
        List<String> longer = new ArrayList<>(elements);
        longer.add(element);
        return new FieldPath(List.copyOf(longer));
    }

    FieldPath parent() {
        return new FieldPath(List.copyOf(elements.subList(0, elements.size() - 1)));
    }

    int size() {
        return elements.size();
    }

    String element(int index) {
        return elements.get(index);
    }

    String last() {
        return elements.get(elements.size() - 1);
    }

    /** True when other lies strictly inside this path. */
    boolean contains(FieldPath other) {
        return other.size() > size() && other.elements.subList(0, size()).equals(elements);
    }

    /** The field name of an {@code f:} element; null for other elements. */
    static String fieldName(String element) {
        return element.startsWith("f:") ? element.substring(2) : null;
    }

    /** The JSON of a {@code k:} or {@code v:} element; null when it is not valid JSON (managedFields a client wrote). */
    static JsonNode json(String element) {
        if (!element.startsWith("k:") && !element.startsWith("v:")) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(element.substring(2));
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** As Kubernetes prints a path in an apply conflict: {@code .spec.template.spec.containers[name="app"].image}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (String element : elements) {
            JsonNode json = element.startsWith("f:") ? null : json(element);
            if (element.startsWith("f:")) {
                text.append('.').append(element, 2, element.length());
            } else if (element.startsWith("k:") && json != null) {
                List<String> fields = new ArrayList<>();
                json.properties().forEach(key -> fields.add(key.getKey() + "=" + key.getValue()));
                text.append('[').append(String.join(",", fields)).append(']');
            } else if (element.startsWith("v:") && json != null) {
                text.append("[=").append(json).append(']');
            } else {
                text.append('[').append(element).append(']');
            }
        }
        return text.toString();
    }
}
