package io.qube.apiserver.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The JSON paths a CRD names: simple dotted paths for scale ({@code .spec.replicas}) and the subset of kubectl's
 * JSONPath printer columns use ({@code .status.conditions[0].type}, {@code .status.conditions[?(@.type=="Ready")].status}).
 */
public final class JsonPaths {

    private JsonPaths() {
    }

    /** The value at the path, or a missing node. */
    public static JsonNode read(JsonNode root, String path) {
        JsonNode node = root;
        for (String step : steps(path)) {
            node = step(node, step);
            if (node.isMissingNode()) {
                return node;
            }
        }
        return node;
    }

    /** Sets the value at a simple dotted path, creating the objects on the way. */
    public static void write(ObjectNode root, String path, JsonNode value) {
        List<String> steps = steps(path);
        ObjectNode node = root;
        for (int i = 0; i < steps.size() - 1; i++) {
            node = node.withObjectProperty(steps.get(i));
        }
        node.set(steps.get(steps.size() - 1), value);
    }

    /** Whether the path is a simple dotted one: starts with a dot, no brackets, no empty step. */
    public static boolean isSimple(String path) {
        return path.startsWith(".") && path.length() > 1 && !path.contains("[") && !path.contains("..")
                && !path.endsWith(".");
    }

    private static JsonNode step(JsonNode node, String step) {
        int bracket = step.indexOf('[');
        String field = bracket < 0 ? step : step.substring(0, bracket);
        JsonNode current = field.isEmpty() ? node : node.path(field);
        while (bracket >= 0) {
            int end = step.indexOf(']', bracket);
            if (end < 0) {
                return MissingNode.getInstance();
            }
            current = select(current, step.substring(bracket + 1, end));
            bracket = step.indexOf('[', end);
        }
        return current;
    }

    /** An index ({@code [0]}, {@code [-1]}) or an equality filter ({@code [?(@.type=="Ready")]}) on an array. */
    private static JsonNode select(JsonNode array, String selector) {
        if (!array.isArray()) {
            return MissingNode.getInstance();
        }
        if (selector.startsWith("?(@.") && selector.endsWith(")") && selector.contains("==")) {
            String condition = selector.substring(4, selector.length() - 1);
            String field = condition.substring(0, condition.indexOf("==")).trim();
            String wanted = unquote(condition.substring(condition.indexOf("==") + 2).trim());
            for (JsonNode item : array) {
                if (item.path(field).asText().equals(wanted)) {
                    return item;
                }
            }
            return MissingNode.getInstance();
        }
        try {
            int index = Integer.parseInt(selector.trim());
            return array.path(index < 0 ? array.size() + index : index);
        } catch (NumberFormatException e) {
            return MissingNode.getInstance();
        }
    }

    private static String unquote(String text) {
        boolean quoted = text.length() >= 2 && (text.startsWith("\"") && text.endsWith("\"")
                || text.startsWith("'") && text.endsWith("'"));
        return quoted ? text.substring(1, text.length() - 1) : text;
    }

    /** The path's steps; a leading "{" and "}" (kubectl's template form) and the leading dot are dropped. */
    private static List<String> steps(String path) {
        String body = path.trim();
        if (body.startsWith("{") && body.endsWith("}")) {
            body = body.substring(1, body.length() - 1);
        }
        if (body.startsWith(".")) {
            body = body.substring(1);
        }
        List<String> steps = new ArrayList<>();
        int depth = 0;
        StringBuilder current = new StringBuilder();
        for (char c : body.toCharArray()) {
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            }
            if (c == '.' && depth == 0) {
                steps.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (!current.isEmpty()) {
            steps.add(current.toString());
        }
        return steps;
    }
}
