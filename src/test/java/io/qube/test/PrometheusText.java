package io.qube.test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A scrape in the Prometheus text exposition format (version 0.0.4), parsed: every sample with its labels, and the
 * metric families its {@code # TYPE} lines declare. Tests ask for series by name and a subset of labels.
 */
public final class PrometheusText {

    /** One sample line: {@code name{label="value",...} value}. */
    public record Sample(String name, Map<String, String> labels, double value) {

        boolean matches(String wanted, Map<String, String> subset) {
            return name.equals(wanted) && labels.entrySet().containsAll(subset.entrySet());
        }
    }

    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, String> types = new LinkedHashMap<>();

    private PrometheusText() {
    }

    public static PrometheusText parse(String text) {
        PrometheusText parsed = new PrometheusText();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] words = line.substring(1).trim().split(" +", 3);
                if (words.length == 3 && words[0].equals("TYPE")) {
                    parsed.types.put(words[1], words[2].trim());
                }
                continue;
            }
            parsed.samples.add(sample(line));
        }
        return parsed;
    }

    public List<Sample> samples() {
        return samples;
    }

    /** The samples of {@code name} whose labels include {@code labels}. */
    public List<Sample> series(String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.matches(name, labels)).toList();
    }

    /** The sum of the matching samples' values; 0 when none matches (a counter not yet incremented). */
    public double sum(String name, Map<String, String> labels) {
        return series(name, labels).stream().mapToDouble(Sample::value).sum();
    }

    /**
     * Every name a query may use: the declared families and, for histograms and summaries, their
     * {@code _bucket}, {@code _count} and {@code _sum} series (the sample names themselves).
     */
    public Set<String> names() {
        Set<String> names = new TreeSet<>(types.keySet());
        samples.forEach(sample -> names.add(sample.name()));
        return names;
    }

    public String type(String family) {
        return types.get(family);
    }

    private static Sample sample(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int equals = line.indexOf('=', i);
                String label = line.substring(i, equals).trim();
                if (line.charAt(equals + 1) != '"') {
                    throw new IllegalArgumentException("label value not quoted: " + line);
                }
                StringBuilder value = new StringBuilder();
                int j = equals + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char escaped = line.charAt(++j);
                        value.append(escaped == 'n' ? '\n' : escaped);
                    } else {
                        value.append(c);
                    }
                }
                labels.put(label, value.toString());
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        String[] rest = line.substring(i).trim().split(" +");
        return new Sample(name, labels, value(rest[0]));
    }

    private static double value(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }
}
