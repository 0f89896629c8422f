package io.qube.test;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The names a PromQL expression reads, found by a small tokenizer rather than patterns: metric names (identifiers
 * that are not functions, aggregations or keywords) and the labels of its {@code by}/{@code without}/{@code on}/
 * {@code ignoring} clauses. Strings, label matchers ({@code {...}}) and ranges ({@code [5m]}, Grafana's
 * {@code [$__rate_interval]}) are skipped whole.
 */
public final class PromQl {

    /** What one expression reads. */
    public record Names(Set<String> metrics, Set<String> groupingLabels) {
    }

    /** Keywords, and the aggregation operators, which may be followed by a clause rather than a parenthesis. */
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan", "sum", "min", "max", "avg", "group",
            "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");
    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right");

    private PromQl() {
    }

    public static Names names(String expr) {
        Set<String> metrics = new LinkedHashSet<>();
        Set<String> labels = new LinkedHashSet<>();
        int i = 0;
        while (i < expr.length()) {
            char c = expr.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = skipString(expr, i);
            } else if (c == '{') {
                i = skipPast(expr, i, '}');
            } else if (c == '[') {
                i = skipPast(expr, i, ']');
            } else if (Character.isDigit(c) || c == '.' && i + 1 < expr.length()
                    && Character.isDigit(expr.charAt(i + 1))) {
                i = skipNumber(expr, i);
            } else if (isIdentifierStart(c)) {
                int end = i;
                while (end < expr.length() && isIdentifierPart(expr.charAt(end))) {
                    end++;
                }
                String word = expr.substring(i, end);
                int next = skipSpaces(expr, end);
                boolean call = next < expr.length() && expr.charAt(next) == '(';
                if (GROUPING.contains(word.toLowerCase()) && call) {
                    int close = expr.indexOf(')', next);
                    for (String label : expr.substring(next + 1, close).split(",")) {
                        if (!label.isBlank()) {
                            labels.add(label.trim());
                        }
                    }
                    i = close + 1;
                    continue;
                }
                if (!call && !KEYWORDS.contains(word.toLowerCase())) {
                    metrics.add(word);
                }
                i = end;
            } else {
                i++;
            }
        }
        return new Names(metrics, labels);
    }

    private static boolean isIdentifierStart(char c) {
        return Character.isLetter(c) || c == '_' || c == ':';
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || Character.isDigit(c);
    }

    private static int skipSpaces(String expr, int i) {
        while (i < expr.length() && Character.isWhitespace(expr.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int skipNumber(String expr, int i) {
        while (i < expr.length() && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '.')) {
            i++;
        }
        return i;
    }

    /** Past the closing bracket, strings inside (a matcher's value may hold a bracket) skipped whole. */
    private static int skipPast(String expr, int i, char close) {
        i++;
        while (i < expr.length() && expr.charAt(i) != close) {
            char c = expr.charAt(i);
            i = c == '"' || c == '\'' || c == '`' ? skipString(expr, i) : i + 1;
        }
        if (i >= expr.length()) {
            throw new IllegalArgumentException("unclosed '" + close + "' in " + expr);
        }
        return i + 1;
    }

    private static int skipString(String expr, int i) {
        char quote = expr.charAt(i);
        i++;
        while (i < expr.length() && expr.charAt(i) != quote) {
            i += expr.charAt(i) == '\\' && quote != '`' ? 2 : 1;
        }
        if (i >= expr.length()) {
            throw new IllegalArgumentException("unclosed string in " + expr);
        }
        return i + 1;
    }
}
