package io.qube.apiserver.admission;

/**
 * The syntax of a set of completion indexes in an Indexed job's fields ("0-2,5,7-9"): ranges and single indexes,
 * in increasing order without overlaps, each below the job's completions.
 */
final class IndexRanges {

    private IndexRanges() {
    }

    /** What is wrong with the text, or null when it is well formed. */
    static String problem(String text, int completions) {
        if (text.isEmpty()) {
            return "must not be empty";
        }
        long previous = -1;
        for (String part : text.split(",", -1)) {
            String[] bounds = part.split("-", -1);
            if (bounds.length > 2 || !bounds[0].matches("[0-9]{1,9}")
                    || bounds.length == 2 && !bounds[1].matches("[0-9]{1,9}")) {
                return "cannot parse \"" + part + "\" as an index or a range of indexes";
            }
            long first = Long.parseLong(bounds[0]);
            long last = bounds.length == 2 ? Long.parseLong(bounds[1]) : first;
            if (last < first) {
                return "range \"" + part + "\" must have its first index not above its last";
            }
            if (first <= previous) {
                return "indexes must be in increasing order without overlaps, at \"" + part + "\"";
            }
            if (last >= completions) {
                return "too large index: " + last + " (must be below completions, " + completions + ")";
            }
            previous = last;
        }
        return null;
    }

    /** How many indexes a well-formed text names. */
    static int count(String text) {
        int count = 0;
        for (String part : text.split(",")) {
            String[] bounds = part.split("-");
            int first = Integer.parseInt(bounds[0]);
            count += (bounds.length == 2 ? Integer.parseInt(bounds[1]) : first) - first + 1;
        }
        return count;
    }
}
