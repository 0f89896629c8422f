package io.qube.apiserver.discovery;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One clause of an Accept header, e.g. {@code application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList}.
 * Kubernetes negotiates on these parameters, not only on the media type, so they are kept.
 */
public record MediaRange(String type, String subtype, Map<String, String> parameters, double quality) {

    /**
     * The acceptable clauses of a header, most preferred first (by quality, then in the client's order); an absent
     * or empty header accepts anything.
     */
    public static List<MediaRange> parse(String header) {
        List<MediaRange> ranges = new ArrayList<>();
        if (header == null || header.isBlank()) {
            ranges.add(new MediaRange("*", "*", Map.of(), 1));
            return ranges;
        }
        for (String clause : header.split(",")) {
            MediaRange range = parseClause(clause);
            if (range != null && range.quality() > 0) {
                ranges.add(range);
            }
        }
        ranges.sort(Comparator.comparingDouble(MediaRange::quality).reversed()); // stable: ties keep their order
        return ranges;
    }

    /** Whether any clause of the header accepts {@code mediaType/mediaSubtype}. */
    public static boolean accepts(String header, String mediaType, String mediaSubtype) {
        return parse(header).stream().anyMatch(range -> range.includes(mediaType, mediaSubtype));
    }

    /** Whether this clause accepts {@code mediaType/mediaSubtype}, wildcards included. */
    public boolean includes(String mediaType, String mediaSubtype) {
        return (type.equals("*") || type.equals(mediaType)) && (subtype.equals("*") || subtype.equals(mediaSubtype));
    }

    public String parameter(String name) {
        return parameters.get(name);
    }

    private static MediaRange parseClause(String clause) {
        String[] parts = clause.split(";");
        String fullType = parts[0].trim().toLowerCase(Locale.ROOT);
        if (fullType.isEmpty()) {
            return null;
        }
        int slash = fullType.indexOf('/');
        String type = slash < 0 ? fullType : fullType.substring(0, slash);
        String subtype = slash < 0 ? "*" : fullType.substring(slash + 1);
        Map<String, String> parameters = new LinkedHashMap<>();
        double quality = 1;
        for (int i = 1; i < parts.length; i++) {
            int equals = parts[i].indexOf('=');
            if (equals < 0) {
                continue;
            }
            String name = parts[i].substring(0, equals).trim().toLowerCase(Locale.ROOT);
            String value = parts[i].substring(equals + 1).trim().replace("\"", "");
            if (name.equals("q")) {
                quality = parseQuality(value);
            } else {
                parameters.put(name, value);
            }
        }
        return new MediaRange(type, subtype, Map.copyOf(parameters), quality);
    }

    private static double parseQuality(String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return 1; // a malformed weight does not make the clause unacceptable
        }
    }
}
