package io.qube.apiserver.admission;

import java.util.List;
import java.util.Map;

/**
 * fabric8's model starts lists and maps empty, but a JSON {@code null} (e.g. from a merge patch) sets them to null;
 * Kubernetes treats both the same, and so do these.
 */
final class NullSafe {

    private NullSafe() {
    }

    static <T> List<T> list(List<T> list) {
        return list == null ? List.of() : list;
    }

    static <K, V> Map<K, V> map(Map<K, V> map) {
        return map == null ? Map.of() : map;
    }

    static String string(String value) {
        return value == null ? "" : value;
    }

    static boolean isEmpty(String value) {
        return value == null || value.isEmpty();
    }
}
