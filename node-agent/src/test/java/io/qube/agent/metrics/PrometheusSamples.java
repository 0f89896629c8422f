package io.qube.agent.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The samples of a Prometheus text (0.0.4) exposition, for tests to read values by name and labels. */
public record PrometheusSamples(List<Sample> samples) {

    private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    public record Sample(String name, Map<String, String> labels, double value) {
    }

    public static PrometheusSamples parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher matcher = LINE.matcher(line.trim());
            if (!matcher.matches()) {
                throw new IllegalArgumentException("not a sample line: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (matcher.group(3) != null) {
                Matcher label = LABEL.matcher(matcher.group(3));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
            }
            samples.add(new Sample(matcher.group(1), labels, Double.parseDouble(matcher.group(4))));
        }
        return new PrometheusSamples(samples);
    }

    /** The value of the sample with this name and at least these labels; null when there is none. */
    public Double value(String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name)
                        && s.labels().entrySet().containsAll(labels.entrySet()))
                .map(Sample::value).findFirst().orElse(null);
    }

    public Double value(String name) {
        return value(name, Map.of());
    }

    /** The names of every sample family: a histogram's _bucket/_sum/_count/_max samples count under its name. */
    public java.util.Set<String> families() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (Sample sample : samples) {
            names.add(sample.name().replaceAll("_(bucket|sum|count|max)$", ""));
            names.add(sample.name());
        }
        return names;
    }

    /** The le bounds of a histogram's buckets, in order. */
    public List<String> buckets(String histogram) {
        return samples.stream().filter(s -> s.name().equals(histogram + "_bucket")).map(s -> s.labels().get("le"))
                .distinct().toList();
    }
}
