package io.qube.controller.job;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/** An Indexed job's set of indexes in Kubernetes' compressed text form: "0-2,5,7-9". */
final class CompletedIndexes {

    private CompletedIndexes() {
    }

    static String format(SortedSet<Integer> indexes) {
        List<String> ranges = new ArrayList<>();
        Integer first = null;
        Integer last = null;
        for (int index : indexes) {
            if (last != null && index == last + 1) {
                last = index;
                continue;
            }
            if (first != null) {
                ranges.add(range(first, last));
            }
            first = index;
            last = index;
        }
        if (first != null) {
            ranges.add(range(first, last));
        }
        return String.join(",", ranges);
    }

    /** The indexes below {@code completions} in a stored value; malformed parts are skipped, as Kubernetes does. */
    static SortedSet<Integer> parse(String text, int completions) {
        SortedSet<Integer> indexes = new TreeSet<>();
        if (text == null || text.isEmpty()) {
            return indexes;
        }
        for (String part : text.split(",")) {
            String[] bounds = part.split("-");
            try {
                int from = Integer.parseInt(bounds[0].trim());
                int to = bounds.length > 1 ? Integer.parseInt(bounds[1].trim()) : from;
                for (int i = Math.max(from, 0); i <= to && i < completions; i++) {
                    indexes.add(i);
                }
            } catch (NumberFormatException e) {
                // skipped
            }
        }
        return indexes;
    }

    private static String range(int first, int last) {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }
}
