package io.qube.apiserver.table;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Null-safe reading of model fields for cells. A stored object may lack any optional field (fabric8 leaves them
 * null), and a table must still render, showing what Kubernetes shows for an unset value.
 */
final class Cells {

    /** Kubernetes' placeholder for an empty value in a cell. */
    static final String NONE = "<none>";

    /** Kubernetes' placeholder for a value nobody has reported, such as an unset timestamp. */
    static final String UNKNOWN = "<unknown>";

    private Cells() {
    }

    static String text(String value) {
        return value == null ? "" : value;
    }

    static String orNone(String value) {
        return value == null || value.isEmpty() ? NONE : value;
    }

    static int number(Integer value) {
        return value == null ? 0 : value;
    }

    static <E> List<E> list(List<E> items) {
        return items == null ? List.of() : items;
    }

    static int size(Collection<?> items) {
        return items == null ? 0 : items.size();
    }

    static int size(Map<?, ?> entries) {
        return entries == null ? 0 : entries.size();
    }
}
