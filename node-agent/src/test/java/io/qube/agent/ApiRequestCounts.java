package io.qube.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The control plane's apiserver_request_total summed by verb, resource and subresource at one moment, read from its
 * /q/metrics: the difference of two tells how many API requests of each kind a benchmark phase made, which is what
 * a pod costs the API beyond its CPU time.
 */
record ApiRequestCounts(Map<String, Double> byKind) {

    private static final Pattern SAMPLE = Pattern.compile("^apiserver_request_total\\{([^}]*)} (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    static ApiRequestCounts read(String url) throws IOException, InterruptedException {
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Double> byKind = new HashMap<>();
        for (String line : metrics.body().split("\n")) {
            Matcher sample = SAMPLE.matcher(line);
            if (sample.matches()) {
                Map<String, String> labels = new HashMap<>();
                Matcher label = LABEL.matcher(sample.group(1));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
                String subresource = labels.getOrDefault("subresource", "");
                String kind = labels.get("verb") + " " + labels.getOrDefault("resource", "")
                        + (subresource.isEmpty() ? "" : "/" + subresource);
                byKind.merge(kind, Double.parseDouble(sample.group(2)), Double::sum);
            }
        }
        return new ApiRequestCounts(byKind);
    }

    /** The requests made since {@code before}, per unit of work, most frequent first (those of at least 0.01). */
    String perUnitSince(ApiRequestCounts before, int units) {
        Map<String, Double> made = new HashMap<>();
        byKind.forEach((kind, count) -> made.put(kind, (count - before.byKind.getOrDefault(kind, 0.0)) / units));
        double total = made.values().stream().mapToDouble(Double::doubleValue).sum();
        return String.format("%.2f requests", total) + made.entrySet().stream().filter(e -> e.getValue() >= 0.01)
                .sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()))
                .map(e -> String.format("%s %.2f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", ", " (", ")"));
    }
}
