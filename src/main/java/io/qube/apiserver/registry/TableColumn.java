package io.qube.apiserver.registry;

import java.util.function.Function;

/**
 * One column of {@code kubectl get} output (a meta.k8s.io/v1 Table column definition) and how to compute its cell.
 *
 * @param type     the OpenAPI type: string, integer, number, boolean or date
 * @param format   e.g. "name" for the NAME column, else ""
 * @param priority 0 shows always; 1 only with {@code -o wide}
 * @param cell     the cell's value for one object (a String, Number or Boolean)
 */
public record TableColumn<T>(String name, String type, String format, String description, int priority,
                             Function<T, Object> cell) {

    public static <T> TableColumn<T> of(String name, String type, String description, Function<T, Object> cell) {
        return new TableColumn<>(name, type, "", description, 0, cell);
    }

    public static <T> TableColumn<T> wide(String name, String type, String description, Function<T, Object> cell) {
        return new TableColumn<>(name, type, "", description, 1, cell);
    }
}
