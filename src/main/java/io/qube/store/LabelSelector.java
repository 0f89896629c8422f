package io.qube.store;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A parsed Kubernetes label selector: requirements that must all hold. */
public record LabelSelector(List<Requirement> requirements) {

    public static final LabelSelector EVERYTHING = new LabelSelector(List.of());

    public enum Operator { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, NOT_EXISTS }

    /** One clause of a selector; {@code values} is empty for EXISTS and NOT_EXISTS. */
    public record Requirement(String key, Operator operator, Set<String> values) {

        public boolean matches(Map<String, String> labels) {
            String value = labels.get(key);
            return switch (operator) {
                case EQUALS, IN -> value != null && values.contains(value);
                case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
                case EXISTS -> value != null;
                case NOT_EXISTS -> value == null;
            };
        }
    }

    public boolean matches(Map<String, String> labels) {
        for (Requirement requirement : requirements) {
            if (!requirement.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    public boolean isEverything() {
        return requirements.isEmpty();
    }

    /**
     * Parses the string form used in {@code labelSelector=}: comma-separated {@code k=v}, {@code k==v}, {@code k!=v},
     * {@code k in (a,b)}, {@code k notin (a,b)}, {@code k} and {@code !k}.
     *
     * @throws StoreException BAD_REQUEST naming what is wrong
     */
    public static LabelSelector parse(String text) {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        List<Requirement> requirements = new ArrayList<>();
        for (String clause : splitClauses(text)) {
            requirements.add(parseClause(clause.trim(), text));
        }
        return new LabelSelector(List.copyOf(requirements));
    }

    private static List<String> splitClauses(String text) {
        List<String> clauses = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                clauses.add(text.substring(start, i));
                start = i + 1;
            }
        }
        clauses.add(text.substring(start));
        return clauses;
    }

    private static Requirement parseClause(String clause, String whole) {
        if (clause.isEmpty()) {
            throw invalid(whole, "empty requirement");
        }
        if (clause.startsWith("!")) {
            return new Requirement(key(clause.substring(1).trim(), whole), Operator.NOT_EXISTS, Set.of());
        }
        String[] words = clause.split("\\s+", 2);
        if (words.length == 2 && (words[1].startsWith("in") || words[1].startsWith("notin"))) {
            boolean notIn = words[1].startsWith("notin");
            String rest = words[1].substring(notIn ? 5 : 2).trim();
            if (rest.startsWith("(") && rest.endsWith(")")) {
                return new Requirement(key(words[0], whole), notIn ? Operator.NOT_IN : Operator.IN,
                        valueSet(rest.substring(1, rest.length() - 1), whole));
            }
        }
        int ne = clause.indexOf("!=");
        if (ne > 0) {
            return single(clause.substring(0, ne), Operator.NOT_EQUALS, clause.substring(ne + 2), whole);
        }
        int eq = clause.indexOf("==");
        if (eq > 0) {
            return single(clause.substring(0, eq), Operator.EQUALS, clause.substring(eq + 2), whole);
        }
        eq = clause.indexOf('=');
        if (eq > 0) {
            return single(clause.substring(0, eq), Operator.EQUALS, clause.substring(eq + 1), whole);
        }
        return new Requirement(key(clause, whole), Operator.EXISTS, Set.of());
    }

    private static Requirement single(String key, Operator operator, String value, String whole) {
        return new Requirement(key(key.trim(), whole), operator, Set.of(value(value.trim(), whole)));
    }

    private static Set<String> valueSet(String list, String whole) {
        Set<String> values = new LinkedHashSet<>();
        for (String value : list.split(",", -1)) {
            values.add(value(value.trim(), whole));
        }
        return Set.copyOf(values);
    }

    private static String key(String key, String whole) {
        if (!LabelSyntax.isValidKey(key)) {
            throw invalid(whole, "invalid label key \"" + key + "\"");
        }
        return key;
    }

    private static String value(String value, String whole) {
        if (!LabelSyntax.isValidValue(value)) {
            throw invalid(whole, "invalid label value \"" + value + "\"");
        }
        return value;
    }

    private static StoreException invalid(String whole, String why) {
        return new StoreException(StoreException.Reason.BAD_REQUEST,
                "unable to parse requirement: label selector \"" + whole + "\": " + why);
    }
}
